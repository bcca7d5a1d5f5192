"""Registering and revoking API clients (RFC 6749 §2), each change committed with its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from issuer.repositories.audit import record_audit
from issuer.repositories.clients import create_api_client, revoke_api_client
from issuer.repositories.organizations import get_or_create_organization
from issuer.scopes import Scope


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    """Shown once: `client_secret` is not stored and cannot be recovered."""

    organization_id: uuid.UUID
    organization_created: bool
    client_id: str
    client_secret: str
    scopes: frozenset[Scope]


def register_api_client(
    session: Session,
    *,
    organization: str,
    scopes: Iterable[Scope],
    now: datetime,
    name: str | None = None,
    actor: str = "cli",
) -> RegisteredClient:
    """Create the organization if it does not exist yet, then a client of it with the given scopes."""
    org, created = get_or_create_organization(session, organization, now=now)
    granted = frozenset(scopes)
    client, secret = create_api_client(
        session, organization_id=org.id, name=name or f"{org.name} client", scopes=granted, now=now
    )
    if created:
        record_audit(
            session,
            organization_id=org.id,
            actor=actor,
            action="organization.create",
            subject=f"organization:{org.id}",
            at=now,
        )
    record_audit(
        session,
        organization_id=org.id,
        actor=actor,
        action="api_client.create",
        subject=f"api_client:{client.client_id}",
        at=now,
    )
    session.commit()
    return RegisteredClient(org.id, created, client.client_id, secret, granted)


def revoke_client(
    session: Session, client_id: str, *, now: datetime, actor: str = "cli", reason: str | None = None
) -> datetime:
    """Revoke the client and every token it holds; returns when it was (first) revoked."""
    client = revoke_api_client(session, client_id, now=now)
    record_audit(
        session,
        organization_id=client.organization_id,
        actor=actor,
        action="api_client.revoke",
        subject=f"api_client:{client.client_id}",
        reason=reason,
        at=now,
    )
    session.commit()
    revoked_at = client.revoked_at
    return now if revoked_at is None else revoked_at
