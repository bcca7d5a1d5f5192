"""Issue 5 "Pathways (composite awards)" as a service: create, add versions, read.

A pathway is versioned like an achievement: each version is an immutable row holding the whole definition, `PUT`
adds a version and makes it current, and a `PUT` whose definition equals the current one adds nothing (PUT stays
idempotent). The issuer that awards and the composite achievement it awards are the pathway's for good; the
composite achievement must be one of that issuer's (its `creator`), so the award is signed by the issuer named.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.achievements import FieldError
from issuer.errors import Conflict, NotFound
from issuer.models import Achievement, Pathway, PathwayVersion
from issuer.pathway_definitions import PathwayUrls, checked_definition
from issuer.principal import Principal
from issuer.repositories.achievements import AchievementRepository
from issuer.repositories.audit import record_audit
from issuer.repositories.issuers import IssuerRepository
from issuer.repositories.pathways import Definition, PathwayRepository
from issuer.reserved_achievements import vcapi_achievement_id
from schemas.pathway_api import CreatePathwayRequest, UpdatePathwayRequest


@dataclass(frozen=True, slots=True)
class StoredPathway:
    """One version of a pathway together with the pathway row (its identity and current version)."""

    pathway: Pathway
    row: PathwayVersion


@dataclass(frozen=True, slots=True)
class PathwayPage:
    items: list[StoredPathway]
    total: int


def create_pathway(
    session: Session, principal: Principal, body: CreatePathwayRequest, *, urls: PathwayUrls, now: datetime
) -> StoredPathway:
    """Version 1 of a new pathway; FieldError for an issuer or achievement that is not the caller's to use."""
    org = principal.organization_id
    composite = _composite(session, org, body.composite_achievement_id, body.issuer_id)
    definition = checked_definition(session, org, body, composite_id=composite.id, urls=urls)
    repository = PathwayRepository(session, org)
    pathway = repository.create(
        issuer_id=composite.issuer_id, composite_achievement_id=composite.id, definition=definition, now=now
    )
    _audit(session, principal, "pathway.create", pathway.id, 1, now)
    session.commit()
    return StoredPathway(pathway, repository.version(pathway, 1))


def update_pathway(
    session: Session,
    principal: Principal,
    pathway_id: uuid.UUID,
    body: UpdatePathwayRequest,
    *,
    urls: PathwayUrls,
    now: datetime,
) -> StoredPathway:
    """Add version n+1 from `body`; the current version when the definition is the same."""
    repository = PathwayRepository(session, principal.organization_id)
    pathway = repository.get(pathway_id, for_update=True)
    for name, given, stored in (
        ("issuer_id", body.issuer_id, pathway.issuer_id),
        ("composite_achievement_id", body.composite_achievement_id, pathway.composite_achievement_id),
    ):
        if given is not None and given != stored:
            raise FieldError.at((name,), f"a pathway's {name} cannot change; create a new pathway")
    definition = checked_definition(
        session, principal.organization_id, body, composite_id=pathway.composite_achievement_id, urls=urls
    )
    current = repository.version(pathway)
    if Definition.of(current) == definition:
        return StoredPathway(pathway, current)
    try:
        row = repository.add_version(pathway, definition, now=now)
    except IntegrityError as exc:
        # Only without row locks (SQLite): another request added this version number first.
        session.rollback()
        raise Conflict("the pathway was changed at the same time; send the request again") from exc
    _audit(session, principal, "pathway.update", pathway.id, row.version, now)
    session.commit()
    return StoredPathway(pathway, row)


def fixed_version(
    session: Session, organization_id: uuid.UUID, pathway_id: uuid.UUID, number: int | None = None
) -> StoredPathway:
    """Version `number` (current when None) of one of the organization's pathways (NotFound for anyone else's)."""
    repository = PathwayRepository(session, organization_id)
    pathway = repository.get(pathway_id)
    return StoredPathway(pathway, repository.version(pathway, number))


def list_pathways(
    session: Session, organization_id: uuid.UUID, *, issuer_id: uuid.UUID | None, limit: int, offset: int
) -> PathwayPage:
    """The organization's pathways (current versions), oldest first."""
    repository = PathwayRepository(session, organization_id)
    pathways, total = repository.page(issuer_id=issuer_id, limit=limit, offset=offset)
    return PathwayPage([StoredPathway(p, repository.version(p)) for p in pathways], total)


def list_versions(
    session: Session, organization_id: uuid.UUID, pathway_id: uuid.UUID, *, limit: int, offset: int
) -> PathwayPage:
    """Every version of one of the organization's pathways, version 1 first."""
    repository = PathwayRepository(session, organization_id)
    pathway = repository.get(pathway_id)
    rows, total = repository.versions(pathway, limit=limit, offset=offset)
    return PathwayPage([StoredPathway(pathway, row) for row in rows], total)


def _composite(
    session: Session, organization_id: uuid.UUID, achievement_id: uuid.UUID, issuer_id: uuid.UUID
) -> Achievement:
    """The composite achievement: the organization's, of the pathway's issuer, and not a VC-API record."""
    try:
        IssuerRepository(session, organization_id).get(issuer_id)
    except NotFound as exc:
        # Another organization's issuer looks exactly like one that does not exist.
        raise FieldError.at(("issuer_id",), "no issuer with this id in your organization") from exc
    try:
        achievement = AchievementRepository(session, organization_id).get(achievement_id)
    except NotFound as exc:
        raise FieldError.at(("composite_achievement_id",), "no achievement with this id in your organization") from exc
    if achievement.issuer_id != issuer_id:
        raise FieldError.at(("composite_achievement_id",), "must be an achievement of the pathway's issuer")
    if achievement.id == vcapi_achievement_id(issuer_id):
        raise FieldError.at(("composite_achievement_id",), "the issuer's VC-API record cannot be awarded")
    return achievement


def _audit(
    session: Session, principal: Principal, action: str, pathway_id: uuid.UUID, number: int, now: datetime
) -> None:
    record_audit(
        session,
        organization_id=principal.organization_id,
        actor=principal.actor,
        action=action,
        subject=f"pathway:{pathway_id}/versions/{number}",
        at=now,
    )
