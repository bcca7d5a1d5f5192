"""The authenticated caller of the API: an OAuth client acting for its organization (RFC 6749 §4.4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from issuer.scopes import Scope


@dataclass(frozen=True, slots=True)
class Principal:
    """Every repository call is scoped by `organization_id`; `client_id` is what the audit log records."""

    organization_id: uuid.UUID
    client_id: str
    scopes: frozenset[Scope]

    @property
    def actor(self) -> str:
        return f"client:{self.client_id}"
