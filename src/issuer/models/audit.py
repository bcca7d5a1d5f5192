"""The audit log: who did what to which subject in an organization, and why."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base


class AuditEntry(Base):
    """Append-only; `actor` is e.g. `client:<client_id>` or `cli`, `subject` a type-prefixed id."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_organization_id_at", "organization_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
