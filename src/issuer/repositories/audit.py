"""Audit log entries: written next to the change they describe, in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.models import AuditEntry


def record_audit(
    session: Session,
    *,
    organization_id: uuid.UUID,
    actor: str,
    action: str,
    subject: str,
    at: datetime,
    reason: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        organization_id=organization_id, actor=actor, action=action, subject=subject, reason=reason, at=at
    )
    session.add(entry)
    return entry


@dataclass(frozen=True, slots=True)
class AuditRepository:
    session: Session
    organization_id: uuid.UUID

    def entries(self) -> list[AuditEntry]:
        """Oldest first, this organization only."""
        query = (
            select(AuditEntry)
            .where(AuditEntry.organization_id == self.organization_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return list(self.session.scalars(query))
