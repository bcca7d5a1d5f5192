"""Issue 5 `GET /api/v1/pathways/{id}/progress`: learners per requirements met, completion rate, completion velocity.

Cheap and approximate by design, from stored data only: no credential is parsed or verified again. The components
are the organization's stored credentials that are not revoked (suspended ones count) whose achievement the
current version's rule names in an `achievement` node; a learner is a recipient lookup key (the same key awards
record). "Requirements met" is the number of distinct rule achievements a learner holds, out of all the rule names:
`any_of`/`n_of` structure, `min_result`, `competencies` and `credits` nodes are not judged (the evaluation does
that), so an `any_of` of three achievements counts as three. Awards are counted over every version of the pathway.
Credentials presented at evaluation (a partner's) are not stored, so they are not seen here.

Issue 6: how many of those component credentials, and how many awards, learners took into a wallet (an offer of
theirs was redeemed: a holder-bound copy, or the credential as issued over a VC-API exchange without DIDAuth).
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from issuer.models import AchievementVersion, Award, Credential, WalletOffer
from issuer.pathway_definitions import PathwayUrls
from issuer.pathway_service import fixed_version
from issuer.pathways.rules import parse_rule, referenced_ids
from schemas.pathway_api import PathwayProgressResource, RequirementsMetCount

SECONDS_PER_DAY = 86_400
DAY_DIGITS = 2


@dataclass(frozen=True, slots=True)
class Component:
    """One stored, non-revoked credential of a rule achievement: whose, which achievement, when."""

    learner: str
    achievement_id: uuid.UUID
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class Awarding:
    learner: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Progress:
    """The counts of `summarize`, before they become the wire resource."""

    requirements_total: int
    learners: int
    by_met: dict[int, int]
    awards: int
    awarded_learners: int
    completion_rate: float | None
    median_days: float | None
    measured: int


def rule_achievement_ids(rule: dict[str, object], urls: PathwayUrls) -> set[uuid.UUID]:
    """The organization's achievements an `achievement` node of the rule names (uuid or public URL)."""
    achievements, _ = referenced_ids(parse_rule(rule))
    return {found for found in map(urls.achievement_uuid, achievements) if found is not None}


def summarize(components: Iterable[Component], awards: Iterable[Awarding], requirements_total: int) -> Progress:
    """Pure: per learner, the distinct achievements held and the first component; per awarded learner, the first
    award; then the histogram, the completion rate and the median days from first component to award."""
    held: dict[str, set[uuid.UUID]] = {}
    first: dict[str, datetime] = {}
    for component in components:
        held.setdefault(component.learner, set()).add(component.achievement_id)
        earliest = first.get(component.learner)
        first[component.learner] = component.issued_at if earliest is None else min(earliest, component.issued_at)
    awarded: dict[str, datetime] = {}
    count = 0
    for award in awards:
        count += 1
        earlier = awarded.get(award.learner)
        awarded[award.learner] = award.created_at if earlier is None else min(earlier, award.created_at)
    met = Counter(len(achievements) for achievements in held.values())
    learners = len(held.keys() | awarded.keys())
    days = [
        (at - first[learner]).total_seconds() / SECONDS_PER_DAY
        for learner, at in awarded.items()
        if learner in first and first[learner] <= at
    ]
    return Progress(
        requirements_total=requirements_total,
        learners=learners,
        by_met={n: met.get(n, 0) for n in range(1, requirements_total + 1)},
        awards=count,
        awarded_learners=len(awarded),
        completion_rate=len(awarded) / learners if learners else None,
        median_days=round(statistics.median(days), DAY_DIGITS) if days else None,
        measured=len(days),
    )


def _components(session: Session, organization_id: uuid.UUID, achievement_ids: set[uuid.UUID]) -> list[Component]:
    if not achievement_ids:
        return []
    rows = session.execute(
        select(Credential.recipient_key, AchievementVersion.achievement_id, Credential.issued_at)
        .join(AchievementVersion, AchievementVersion.id == Credential.achievement_version_id)
        .where(
            Credential.organization_id == organization_id,
            Credential.status != "revoked",
            AchievementVersion.achievement_id.in_(achievement_ids),
        )
    )
    return [Component(key, achievement_id, issued_at) for key, achievement_id, issued_at in rows]


def _awards(session: Session, organization_id: uuid.UUID, pathway_id: uuid.UUID) -> list[Awarding]:
    rows = session.execute(
        select(Award.recipient_key, Award.created_at).where(
            Award.organization_id == organization_id, Award.pathway_id == pathway_id
        )
    )
    return [Awarding(key, created_at) for key, created_at in rows]


def _claimed_credentials(organization_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(WalletOffer.credential_row_id).where(
        WalletOffer.organization_id == organization_id, WalletOffer.state == "redeemed"
    )


def _claimed_components(session: Session, organization_id: uuid.UUID, achievement_ids: set[uuid.UUID]) -> int:
    if not achievement_ids:
        return 0
    claimed = _claimed_credentials(organization_id)
    count = session.scalar(
        select(func.count(Credential.id))
        .join(AchievementVersion, AchievementVersion.id == Credential.achievement_version_id)
        .where(
            Credential.organization_id == organization_id,
            Credential.status != "revoked",
            AchievementVersion.achievement_id.in_(achievement_ids),
            Credential.id.in_(claimed),
        )
    )
    return int(count or 0)


def _claimed_awards(session: Session, organization_id: uuid.UUID, pathway_id: uuid.UUID) -> int:
    claimed = _claimed_credentials(organization_id)
    count = session.scalar(
        select(func.count(Award.id)).where(
            Award.organization_id == organization_id,
            Award.pathway_id == pathway_id,
            Award.credential_row_id.in_(claimed),
        )
    )
    return int(count or 0)


def pathway_progress(
    session: Session, organization_id: uuid.UUID, pathway_id: uuid.UUID, urls: PathwayUrls
) -> PathwayProgressResource:
    """Issue 5 `GET /api/v1/pathways/{id}/progress` (module docstring); NotFound for another organization's."""
    stored = fixed_version(session, organization_id, pathway_id)
    achievement_ids = rule_achievement_ids(stored.row.rule, urls)
    achievement_ids.discard(stored.pathway.composite_achievement_id)
    progress = summarize(
        _components(session, organization_id, achievement_ids),
        _awards(session, organization_id, pathway_id),
        len(achievement_ids),
    )
    return PathwayProgressResource(
        pathway_id=pathway_id,
        version=stored.row.version,
        requirements_total=progress.requirements_total,
        learners=progress.learners,
        learners_by_requirements_met=[
            RequirementsMetCount(requirements_met=n, learners=count) for n, count in progress.by_met.items()
        ],
        awards=progress.awards,
        awarded_learners=progress.awarded_learners,
        completion_rate=progress.completion_rate,
        median_days_to_award=progress.median_days,
        measured_learners=progress.measured,
        claimed_components=_claimed_components(session, organization_id, achievement_ids),
        claimed_awards=_claimed_awards(session, organization_id, pathway_id),
    )
