"""Pathways (issue 5 "Pathways"): which stacked achievements earn a composite achievement, as immutable versions.

The pathway row holds what never changes (its organization, the issuer that awards, the composite achievement);
each `PathwayVersion` holds one complete definition, so an award can record exactly the version it was judged by.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base
from issuer.models.types import JSONDocument

NAME_LENGTH = 1024


class Pathway(Base):
    """The stable identity of a pathway; its definition lives in `PathwayVersion` rows."""

    __tablename__ = "pathways"
    __table_args__ = (
        CheckConstraint("current_version >= 1", name="current_version"),
        # Composite key: the issuer must belong to the pathway's own organization.
        ForeignKeyConstraint(["issuer_id", "organization_id"], ["issuers.id", "issuers.organization_id"]),
        # Target of later (pathway, organization) foreign keys (awards), as issuers' is for achievements.
        UniqueConstraint("id", "organization_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    issuer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    composite_achievement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("achievements.id"), index=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]


class PathwayVersion(Base):
    """One immutable pathway definition: the rule tree, whose credentials count, and how awards are made."""

    __tablename__ = "pathway_versions"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("max_age_days IS NULL OR max_age_days >= 1", name="max_age_days"),
        UniqueConstraint("pathway_id", "version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pathway_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    rule: Mapped[dict[str, Any]]
    trusted_issuers: Mapped[list[str]] = mapped_column(JSONDocument)
    equivalences: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    max_age_days: Mapped[int | None] = mapped_column(Integer)
    auto_award: Mapped[bool]
    created_at: Mapped[datetime]
