"""Competencies of an organization's frameworks (issue 5 "Competencies and curriculum mapping").

A competency is what OB 3.0 §B.1 Alignment entries of type `ceasn:Competency` point at: its public URL is the
alignment's `targetUrl`, its code and framework the alignment's `targetCode` and `targetFramework`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base

# Framework and code are short keys: together with the organization they are one unique index entry, which
# PostgreSQL's btree caps at about 2.7 kB, so 200 characters each (4 bytes at most per character) always fit.
KEY_LENGTH = 200
TEXT_LENGTH = 1024


class Competency(Base):
    """One competency; (organization, framework, code) names it, and it never changes once created."""

    __tablename__ = "competencies"
    __table_args__ = (UniqueConstraint("organization_id", "framework", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    framework: Mapped[str] = mapped_column(String(KEY_LENGTH))
    code: Mapped[str] = mapped_column(String(KEY_LENGTH))
    name: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    created_at: Mapped[datetime]
