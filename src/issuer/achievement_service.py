"""OB 3.0 §B.1.1 Achievement templates as a service: create, add versions, read; what issuance gets of them.

An achievement's OB `id` is its public URL, `{base_url}/achievements/{uuid}`, the same for every version. Each
version is an immutable row holding the complete OB Achievement JSON (creator included), so a credential that
records the version it used can always be matched with exactly what it claimed. Editing an achievement (PUT) adds
a version unless the new template renders to the current version's document, which keeps PUT idempotent.

When the template has no `version`, the service writes the version number there ("1", "2", ...): OB 3.0 §B.1.1
`version` is the issuer's version string of the achievement, and it is the one place where the achievement a
credential embeds can say which version it was issued under.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.achievements import FieldError, achievement_document
from issuer.errors import Conflict, NotFound
from issuer.models import Achievement, AchievementVersion, Issuer
from issuer.principal import Principal
from issuer.repositories.achievements import AchievementRepository, published_version
from issuer.repositories.audit import record_audit
from issuer.repositories.issuers import IssuerRepository
from issuer.reserved_achievements import check_not_reserved
from schemas.achievement import AchievementTemplate


@dataclass(frozen=True, slots=True)
class AchievementUrls:
    """Where achievements are published; `base_url` is the service's public base URL (settings.base_url)."""

    base_url: str

    def public(self, achievement_id: uuid.UUID) -> str:
        """OB 3.0 §B.1.1 Achievement `id`: a dereferenceable URL that returns the current version's JSON."""
        return f"{self.base_url.rstrip('/')}/achievements/{achievement_id}"

    def version(self, achievement_id: uuid.UUID, number: int) -> str:
        return f"{self.public(achievement_id)}/versions/{number}"


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One version of an achievement together with the achievement row (its identity and current version)."""

    achievement: Achievement
    row: AchievementVersion


@dataclass(frozen=True, slots=True)
class Page:
    items: list[StoredVersion]
    total: int


def creator_profile(issuer: Issuer) -> dict[str, Any]:
    """OB 3.0 §B.1 Profile reference for Achievement `creator`: the issuer's DID as `id`, its type and name."""
    profile: dict[str, Any] = {"id": issuer.did, "type": ["Profile"]}
    name = issuer.profile.get("name") if isinstance(issuer.profile, dict) else None
    if isinstance(name, str) and name:
        profile["name"] = name
    return profile


def render_version(
    template: AchievementTemplate, *, achievement_id: str, issuer: Issuer, number: int
) -> dict[str, Any]:
    """OB 3.0 §B.1.1 Achievement JSON of version `number`; raises AchievementError for inconsistent ids."""
    document = achievement_document(template, achievement_id=achievement_id, creator=creator_profile(issuer))
    document.setdefault("version", str(number))
    return document


def create_achievement(
    session: Session,
    principal: Principal,
    template: AchievementTemplate,
    *,
    issuer_id: uuid.UUID,
    urls: AchievementUrls,
    now: datetime,
) -> StoredVersion:
    """Version 1 of a new achievement of one of the caller's issuers (FieldError on `issuer_id` otherwise)."""
    issuer = _own_issuer(session, principal.organization_id, issuer_id)
    achievement_id = uuid.uuid4()
    document = render_version(template, achievement_id=urls.public(achievement_id), issuer=issuer, number=1)
    repository = AchievementRepository(session, principal.organization_id)
    achievement = repository.create(issuer_id=issuer.id, document=document, now=now, achievement_id=achievement_id)
    _audit(session, principal, "achievement.create", achievement.id, 1, now)
    session.commit()
    return StoredVersion(achievement, repository.version(achievement.id, 1))


def update_achievement(
    session: Session,
    principal: Principal,
    achievement_id: uuid.UUID,
    template: AchievementTemplate,
    *,
    issuer_id: uuid.UUID | None,
    urls: AchievementUrls,
    now: datetime,
) -> StoredVersion:
    """Add version n+1 from `template`; the current version when it renders to that version's document."""
    repository = AchievementRepository(session, principal.organization_id)
    achievement = repository.get(achievement_id, for_update=True)
    check_not_reserved(achievement.id, achievement.issuer_id)
    if issuer_id is not None and issuer_id != achievement.issuer_id:
        raise FieldError.at(("issuer_id",), "an achievement's issuer cannot change; create a new achievement")
    issuer = IssuerRepository(session, principal.organization_id).get(achievement.issuer_id)
    current = repository.version(achievement.id)
    public_id = urls.public(achievement.id)
    if render_version(template, achievement_id=public_id, issuer=issuer, number=current.version) == current.document:
        return StoredVersion(achievement, current)
    number = current.version + 1
    document = render_version(template, achievement_id=public_id, issuer=issuer, number=number)
    try:
        row = repository.add_version(achievement.id, document, now=now)
    except IntegrityError as exc:
        # Only without row locks (SQLite): another request added this version number first.
        session.rollback()
        raise Conflict("the achievement was changed at the same time; send the request again") from exc
    _audit(session, principal, "achievement.update", achievement.id, number, now)
    session.commit()
    return StoredVersion(achievement, row)


def current_version(session: Session, organization_id: uuid.UUID, achievement_id: uuid.UUID) -> StoredVersion:
    """The current version of one of the organization's achievements (NotFound for anyone else's)."""
    return fixed_version(session, organization_id, achievement_id, None)


def fixed_version(
    session: Session, organization_id: uuid.UUID, achievement_id: uuid.UUID, number: int | None
) -> StoredVersion:
    """Version `number` (current when None) of one of the organization's achievements."""
    repository = AchievementRepository(session, organization_id)
    achievement = repository.get(achievement_id)
    return StoredVersion(achievement, repository.version(achievement.id, number))


def list_achievements(
    session: Session, organization_id: uuid.UUID, *, issuer_id: uuid.UUID | None, limit: int, offset: int
) -> Page:
    """The organization's achievements (current versions), oldest first; another organization's issuer lists none."""
    repository = AchievementRepository(session, organization_id)
    achievements, total = repository.page(issuer_id=issuer_id, limit=limit, offset=offset)
    return Page([StoredVersion(a, repository.version(a.id)) for a in achievements], total)


def list_versions(
    session: Session, organization_id: uuid.UUID, achievement_id: uuid.UUID, *, limit: int, offset: int
) -> Page:
    """Every version of one of the organization's achievements, version 1 first."""
    repository = AchievementRepository(session, organization_id)
    achievement = repository.get(achievement_id)
    rows, total = repository.versions(achievement.id, limit=limit, offset=offset)
    return Page([StoredVersion(achievement, row) for row in rows], total)


def public_document(session: Session, achievement_id: uuid.UUID, number: int | None) -> dict[str, Any]:
    """OB 3.0 §B.1.1 Achievement JSON behind the public URL: any organization's, current or a fixed version."""
    return published_version(session, achievement_id, number).document


def achievement_for_issuance(
    session: Session, organization_id: uuid.UUID, achievement_uuid: uuid.UUID
) -> tuple[AchievementVersion, dict[str, Any], Issuer]:
    """OB 3.0 §B.1 AchievementSubject `achievement`: the current version row, its OB JSON and the issuer row.

    The credential embeds the returned document and records the returned row (its id, or its `version`); the
    issuer is the achievement's creator, whose keys sign. NotFound for another organization's achievement,
    AchievementReserved (409) for an issuer's VC-API record (issuer.reserved_achievements).
    """
    stored = current_version(session, organization_id, achievement_uuid)
    check_not_reserved(stored.achievement.id, stored.achievement.issuer_id)
    issuer = IssuerRepository(session, organization_id).get(stored.achievement.issuer_id)
    return stored.row, stored.row.document, issuer


def _own_issuer(session: Session, organization_id: uuid.UUID, issuer_id: uuid.UUID) -> Issuer:
    try:
        return IssuerRepository(session, organization_id).get(issuer_id)
    except NotFound as exc:
        # Another organization's issuer looks exactly like one that does not exist.
        raise FieldError.at(("issuer_id",), "no issuer with this id in your organization") from exc


def _audit(
    session: Session, principal: Principal, action: str, achievement_id: uuid.UUID, number: int, now: datetime
) -> None:
    record_audit(
        session,
        organization_id=principal.organization_id,
        actor=principal.actor,
        action=action,
        subject=f"achievement:{achievement_id}/versions/{number}",
        at=now,
    )
