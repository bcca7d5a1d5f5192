"""Pathways of one organization as numbered, immutable versions (issue 5); other organizations' are NotFound.

`current_achievements` reads what pathways refer to: the current versions of the organization's achievements.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from issuer.errors import NotFound
from issuer.models import Achievement, AchievementVersion, Pathway, PathwayVersion


@dataclass(frozen=True, slots=True)
class Definition:
    """The content of one pathway version, as stored; two versions with equal definitions say the same."""

    name: str
    rule: dict[str, Any]
    trusted_issuers: list[str]
    equivalences: list[dict[str, Any]]
    max_age_days: int | None
    auto_award: bool

    @classmethod
    def of(cls, row: PathwayVersion) -> Definition:
        return cls(row.name, row.rule, row.trusted_issuers, row.equivalences, row.max_age_days, row.auto_award)

    def version_row(self, pathway_id: uuid.UUID, number: int, now: datetime) -> PathwayVersion:
        return PathwayVersion(
            pathway_id=pathway_id,
            version=number,
            name=self.name,
            rule=self.rule,
            trusted_issuers=self.trusted_issuers,
            equivalences=self.equivalences,
            max_age_days=self.max_age_days,
            auto_award=self.auto_award,
            created_at=now,
        )


@dataclass(frozen=True, slots=True)
class PathwayRepository:
    """Every query carries the organization filter."""

    session: Session
    organization_id: uuid.UUID

    def _scoped(self) -> Select[Pathway]:
        return select(Pathway).where(Pathway.organization_id == self.organization_id)

    def create(
        self, *, issuer_id: uuid.UUID, composite_achievement_id: uuid.UUID, definition: Definition, now: datetime
    ) -> Pathway:
        """Version 1 of a new pathway; the caller has checked that issuer and achievement are the organization's."""
        pathway = Pathway(
            organization_id=self.organization_id,
            issuer_id=issuer_id,
            composite_achievement_id=composite_achievement_id,
            current_version=1,
            created_at=now,
        )
        self.session.add(pathway)
        self.session.flush()
        self.session.add(definition.version_row(pathway.id, 1, now))
        self.session.flush()
        return pathway

    def get(self, pathway_id: uuid.UUID, *, for_update: bool = False) -> Pathway:
        query = self._scoped().where(Pathway.id == pathway_id)
        pathway = self.session.scalar(query.with_for_update() if for_update else query)
        if pathway is None:
            raise NotFound(f"no pathway {pathway_id}")
        return pathway

    def page(self, *, issuer_id: uuid.UUID | None, limit: int, offset: int) -> tuple[list[Pathway], int]:
        """Oldest first, `limit` rows from `offset`, and how many there are in all."""
        query = self._scoped()
        if issuer_id is not None:
            query = query.where(Pathway.issuer_id == issuer_id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(Pathway.created_at, Pathway.id).limit(limit).offset(offset))
        return list(rows), total

    def versions(self, pathway: Pathway, *, limit: int, offset: int) -> tuple[list[PathwayVersion], int]:
        """Versions of one pathway, version 1 first."""
        query = select(PathwayVersion).where(PathwayVersion.pathway_id == pathway.id)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(query.order_by(PathwayVersion.version).limit(limit).offset(offset))
        return list(rows), total

    def version(self, pathway: Pathway, number: int | None = None) -> PathwayVersion:
        """A fixed version, or the current one when `number` is None."""
        wanted = pathway.current_version if number is None else number
        row = self.session.scalar(
            select(PathwayVersion).where(PathwayVersion.pathway_id == pathway.id, PathwayVersion.version == wanted)
        )
        if row is None:
            raise NotFound(f"pathway {pathway.id} has no version {wanted}")
        return row

    def add_version(self, pathway: Pathway, definition: Definition, *, now: datetime) -> PathwayVersion:
        """The next version becomes current; the caller holds the pathway's row lock (PostgreSQL)."""
        number = pathway.current_version + 1
        row = definition.version_row(pathway.id, number, now)
        self.session.add(row)
        pathway.current_version = number
        self.session.flush()
        return row


def current_achievements(
    session: Session, organization_id: uuid.UUID, achievement_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, AchievementVersion]:
    """The current versions of the organization's achievements among `achievement_ids` (others are left out)."""
    if not achievement_ids:
        return {}
    query = (
        select(AchievementVersion)
        .join(Achievement, Achievement.id == AchievementVersion.achievement_id)
        .where(
            Achievement.organization_id == organization_id,
            Achievement.id.in_(set(achievement_ids)),
            AchievementVersion.version == Achievement.current_version,
        )
    )
    return {row.achievement_id: row for row in session.scalars(query)}
