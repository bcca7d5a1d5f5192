"""Achievements of one organization as numbered, immutable OB 3.0 Achievement versions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from issuer.errors import NotFound
from issuer.models import Achievement, AchievementVersion
from issuer.repositories.issuers import IssuerRepository


@dataclass(frozen=True, slots=True)
class AchievementRepository:
    """Every query carries the organization filter; another organization's achievement is NotFound."""

    session: Session
    organization_id: uuid.UUID

    def _scoped(self) -> Select[Achievement]:
        return select(Achievement).where(Achievement.organization_id == self.organization_id)

    def create(self, *, issuer_id: uuid.UUID, document: dict[str, Any], now: datetime) -> Achievement:
        """Version 1 of a new achievement of one of this organization's issuers."""
        issuer = IssuerRepository(self.session, self.organization_id).get(issuer_id)
        achievement = Achievement(
            organization_id=self.organization_id, issuer_id=issuer.id, current_version=1, created_at=now
        )
        self.session.add(achievement)
        self.session.flush()
        self.session.add(
            AchievementVersion(achievement_id=achievement.id, version=1, document=document, created_at=now)
        )
        self.session.flush()
        return achievement

    def get(self, achievement_id: uuid.UUID, *, for_update: bool = False) -> Achievement:
        query = self._scoped().where(Achievement.id == achievement_id)
        achievement = self.session.scalar(query.with_for_update() if for_update else query)
        if achievement is None:
            raise NotFound(f"no achievement {achievement_id}")
        return achievement

    def all(self, *, issuer_id: uuid.UUID | None = None) -> list[Achievement]:
        query = self._scoped()
        if issuer_id is not None:
            query = query.where(Achievement.issuer_id == issuer_id)
        return list(self.session.scalars(query.order_by(Achievement.created_at, Achievement.id)))

    def version(self, achievement_id: uuid.UUID, number: int | None = None) -> AchievementVersion:
        """A fixed version, or the current one when `number` is None."""
        achievement = self.get(achievement_id)
        wanted = achievement.current_version if number is None else number
        row = self.session.scalar(
            select(AchievementVersion).where(
                AchievementVersion.achievement_id == achievement.id, AchievementVersion.version == wanted
            )
        )
        if row is None:
            raise NotFound(f"achievement {achievement_id} has no version {wanted}")
        return row

    def add_version(self, achievement_id: uuid.UUID, document: dict[str, Any], *, now: datetime) -> AchievementVersion:
        """The next version becomes current; the row lock (PostgreSQL) serialises concurrent edits."""
        achievement = self.get(achievement_id, for_update=True)
        number = achievement.current_version + 1
        row = AchievementVersion(achievement_id=achievement.id, version=number, document=document, created_at=now)
        self.session.add(row)
        achievement.current_version = number
        self.session.flush()
        return row
