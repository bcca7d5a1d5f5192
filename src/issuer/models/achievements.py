"""Achievements (OB 3.0 §B.2.1) as versioned templates: a credential always names one fixed version."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base


class Achievement(Base):
    """The stable identity of an achievement; its content lives in `AchievementVersion` rows."""

    __tablename__ = "achievements"
    __table_args__ = (
        CheckConstraint("current_version >= 1", name="current_version"),
        # Composite key: the issuer must belong to the achievement's own organization.
        ForeignKeyConstraint(["issuer_id", "organization_id"], ["issuers.id", "issuers.organization_id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    issuer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]


class AchievementVersion(Base):
    """One immutable OB 3.0 Achievement JSON document; editing an achievement adds a version."""

    __tablename__ = "achievement_versions"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version"),
        UniqueConstraint("achievement_id", "version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    achievement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
