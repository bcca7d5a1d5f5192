"""Achievements of one organization as numbered, immutable OB 3.0 Achievement versions.

Everything is scoped to one organization except `published_version`, the read behind an achievement's public URL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
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

    def create(
        self,
        *,
        issuer_id: uuid.UUID,
        document: dict[str, Any],
        now: datetime,
        achievement_id: uuid.UUID | None = None,
    ) -> Achievement:
        """Version 1 of a new achievement of one of this organization's issuers.

        `achievement_id` is for callers whose document already names the id (its public URL); else a new one.
        """
        issuer = IssuerRepository(self.session, self.organization_id).get(issuer_id)
        achievement = Achievement(
            id=achievement_id or uuid.uuid4(),
            organization_id=self.organization_id,
            issuer_id=issuer.id,
            current_version=1,
            created_at=now,
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

    def page(self, *, issuer_id: uuid.UUID | None = None, limit: int, offset: int) -> tuple[list[Achievement], int]:
        """Oldest first, `limit` rows from `offset`, and how many there are in all."""
        query = self._scoped()
        if issuer_id is not None:
            query = query.where(Achievement.issuer_id == issuer_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(Achievement.created_at, Achievement.id).limit(limit).offset(offset))
        return list(rows), total

    def versions(self, achievement_id: uuid.UUID, *, limit: int, offset: int) -> tuple[list[AchievementVersion], int]:
        """Versions of one achievement, first version first, `limit` from `offset`, and how many there are."""
        achievement = self.get(achievement_id)
        query = select(AchievementVersion).where(AchievementVersion.achievement_id == achievement.id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(AchievementVersion.version).limit(limit).offset(offset))
        return list(rows), total

    def version(self, achievement_id: uuid.UUID, number: int | None = None) -> AchievementVersion:
        """A fixed version, or the current one when `number` is None."""
        return _version_of(self.session, self.get(achievement_id), number)

    def add_version(self, achievement_id: uuid.UUID, document: dict[str, Any], *, now: datetime) -> AchievementVersion:
        """The next version becomes current; the row lock (PostgreSQL) serialises concurrent edits."""
        achievement = self.get(achievement_id, for_update=True)
        number = achievement.current_version + 1
        row = AchievementVersion(achievement_id=achievement.id, version=number, document=document, created_at=now)
        self.session.add(row)
        achievement.current_version = number
        self.session.flush()
        return row


def published_version(session: Session, achievement_id: uuid.UUID, number: int | None = None) -> AchievementVersion:
    """The one unscoped read: an achievement's public URL serves its OB JSON to anyone (OB 3.0 §B.1.1 `id`).

    A fixed version, or the current one when `number` is None; NotFound when there is no such achievement or version.
    """
    achievement = session.get(Achievement, achievement_id)
    if achievement is None:
        raise NotFound(f"no achievement {achievement_id}")
    return _version_of(session, achievement, number)


def _version_of(session: Session, achievement: Achievement, number: int | None) -> AchievementVersion:
    wanted = achievement.current_version if number is None else number
    row = session.scalar(
        select(AchievementVersion).where(
            AchievementVersion.achievement_id == achievement.id, AchievementVersion.version == wanted
        )
    )
    if row is None:
        raise NotFound(f"achievement {achievement.id} has no version {wanted}")
    return row
