"""The VC-API issuer's reserved achievement record (issuer.reserved_achievements), created on first use.

It is an ordinary, valid OB 3.0 Achievement that says what it is, so every place that shows achievements (the
listing, the public URL, a credential's `achievement_id`) shows something true.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.achievement_service import AchievementUrls, render_version
from issuer.models import AchievementVersion, Issuer
from issuer.repositories.achievements import AchievementRepository
from issuer.reserved_achievements import vcapi_achievement_id
from schemas.achievement import AchievementTemplate

RECORD_VERSION = 1
RECORD_TEMPLATE = AchievementTemplate.model_validate(
    {
        "name": "VC-API credentials",
        "description": (
            "Reserved record, not an achievement: the credentials this issuer signed through the VC-API "
            "(POST /credentials/issue) are stored under it. Their content is what the caller sent."
        ),
        "criteria": {"narrative": "None: nothing is awarded under this record, and it cannot be issued from."},
    }
)


def _version_id(session: Session, achievement_id: uuid.UUID) -> uuid.UUID | None:
    query = select(AchievementVersion.id).where(
        AchievementVersion.achievement_id == achievement_id, AchievementVersion.version == RECORD_VERSION
    )
    return session.scalar(query)


def vcapi_record_version(session: Session, issuer: Issuer, *, base_url: str, now: datetime) -> uuid.UUID:
    """The achievement version id VC-API credentials of `issuer` are stored against; created in `session`'s
    transaction when missing (a concurrent creator's record is used instead of a second one)."""
    achievement_id = vcapi_achievement_id(issuer.id)
    found = _version_id(session, achievement_id)
    if found is not None:
        return found
    document = render_version(
        RECORD_TEMPLATE,
        achievement_id=AchievementUrls(base_url).public(achievement_id),
        issuer=issuer,
        number=RECORD_VERSION,
    )
    repository = AchievementRepository(session, issuer.organization_id)
    try:
        with session.begin_nested():
            repository.create(issuer_id=issuer.id, document=document, now=now, achievement_id=achievement_id)
    except IntegrityError:
        pass  # another request created it first
    created = _version_id(session, achievement_id)
    if created is None:
        raise RuntimeError(f"the VC-API record of issuer {issuer.id} was created but cannot be read back")
    return created


class RecordVersions:
    """Per process: issuer id -> the version id of its VC-API record, read or created once (records are never
    deleted, and their version 1 never changes)."""

    def __init__(self) -> None:
        self._known: dict[uuid.UUID, uuid.UUID] = {}

    def version_id(self, session: Session, issuer: Issuer, *, base_url: str, now: datetime) -> uuid.UUID:
        known = self._known.get(issuer.id)
        if known is None:
            known = self._known[issuer.id] = vcapi_record_version(session, issuer, base_url=base_url, now=now)
        return known

    def forget(self, issuer_id: uuid.UUID) -> None:
        self._known.pop(issuer_id, None)
