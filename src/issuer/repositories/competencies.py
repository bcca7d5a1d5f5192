"""Competencies of one organization (issue 5); `published_competency` is the one unscoped read, for the public URL."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import Conflict, NotFound
from issuer.models import Competency


@dataclass(frozen=True, slots=True)
class NewCompetency:
    framework: str
    code: str
    name: str
    description: str | None
    level: str | None


@dataclass(frozen=True, slots=True)
class CompetencyRepository:
    """Every query carries the organization filter; another organization's competency is NotFound."""

    session: Session
    organization_id: uuid.UUID

    def _scoped(self) -> Select[Competency]:
        return select(Competency).where(Competency.organization_id == self.organization_id)

    def add(self, new: NewCompetency, *, now: datetime) -> Competency:
        """Conflict when the organization already has this (framework, code), also when a concurrent request won."""
        if self.find(new.framework, new.code) is not None:
            raise _duplicate(new)
        competency = Competency(
            organization_id=self.organization_id,
            framework=new.framework,
            code=new.code,
            name=new.name,
            description=new.description,
            level=new.level,
            created_at=now,
        )
        try:
            with self.session.begin_nested():
                self.session.add(competency)
        except IntegrityError as exc:
            raise _duplicate(new) from exc
        return competency

    def find(self, framework: str, code: str) -> Competency | None:
        query = self._scoped().where(Competency.framework == framework, Competency.code == code)
        return self.session.scalar(query)

    def get(self, competency_id: uuid.UUID) -> Competency:
        competency = self.session.scalar(self._scoped().where(Competency.id == competency_id))
        if competency is None:
            raise NotFound(f"no competency {competency_id}")
        return competency

    def by_ids(self, competency_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Competency]:
        """The organization's competencies among `competency_ids`; ids of none (or of others') are left out."""
        if not competency_ids:
            return {}
        rows = self.session.scalars(self._scoped().where(Competency.id.in_(set(competency_ids))))
        return {row.id: row for row in rows}

    def page(self, *, framework: str | None, limit: int, offset: int) -> tuple[list[Competency], int]:
        """By framework, then code; `limit` rows from `offset`, and how many there are in all."""
        query = self._scoped()
        if framework is not None:
            query = query.where(Competency.framework == framework)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ordered = query.order_by(Competency.framework, Competency.code, Competency.id)
        return list(self.session.scalars(ordered.limit(limit).offset(offset))), total


def published_competency(session: Session, competency_id: uuid.UUID) -> Competency:
    """The unscoped read behind a competency's public URL, which alignments in credentials point at."""
    competency = session.get(Competency, competency_id)
    if competency is None:
        raise NotFound(f"no competency {competency_id}")
    return competency


def _duplicate(new: NewCompetency) -> Conflict:
    return Conflict(f"the framework {new.framework!r} already has a competency with the code {new.code!r}")
