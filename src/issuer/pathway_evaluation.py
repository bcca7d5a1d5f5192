"""Issue 5 "Evaluate and award": one learner's credentials judged against a pathway's current version.

ARCHITECTURE "Composite award": every candidate (the organization's stored credentials of the learner first, then
those presented) goes through the injected `verify` port, is kept or explained (issuer.pathways.candidates), and
the rule is judged on the ones kept (issuer.pathways.report). The database is read before verification starts and
not touched while it runs: `load_judging` and `stored_candidates` return plain values, so the caller can end its
transaction (verifying the service's own credentials reads the database from the verifier's thread).

Rules name achievements and competencies by uuid or public URL; credentials name them by public URL (OB 3.0 §B.1
Achievement `id`, Alignment `targetUrl`). The rule is therefore judged in a public-URL form (`public_rule`), and
every other spelling an equivalence may use maps to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.achievement_service import AchievementUrls
from issuer.keystore import MasterKey
from issuer.models import Credential, Issuer
from issuer.pathway_definitions import PathwayUrls, result_levels
from issuer.pathway_service import StoredPathway, fixed_version
from issuer.pathways.binding import Learner
from issuer.pathways.candidates import Candidate, Consideration, Considered, VerifyPort, consider
from issuer.pathways.inputs import Catalog
from issuer.pathways.policy import Equivalence, PathwayPolicy
from issuer.pathways.report import judge
from issuer.pathways.rules import Node, parse_rule, referenced_ids
from issuer.recipient_lookup import key_of_recipient
from issuer.repositories.competencies import CompetencyRepository
from issuer.repositories.credentials import RecipientKey
from issuer.repositories.pathways import current_achievements
from schemas.issuance import Recipient
from schemas.pathway_award_api import ConsideredCredential, CountsAsEntry, PathwayEvaluation, PathwayRef

# The newest stored credentials of one learner that are considered (each is verified: bound the work).
MAX_STORED = 200


@dataclass(frozen=True, slots=True)
class Judging:
    """What judging one pathway version needs, read from the database once."""

    organization_id: uuid.UUID
    pathway_id: uuid.UUID
    version: int
    version_id: uuid.UUID
    composite_id: uuid.UUID
    rule: Node
    policy: PathwayPolicy
    catalog: Catalog


@dataclass(frozen=True, slots=True)
class Evaluated:
    """The candidates' fates and the wire form of the evaluation."""

    considered: Considered
    evaluation: PathwayEvaluation


def learner_of(recipient: Recipient) -> Learner:
    return Learner(email=recipient.email, did=recipient.did)


def learner_key(recipient: Recipient, organization_id: uuid.UUID, master: MasterKey) -> RecipientKey:
    """The credentials' lookup key of the learner (issuer.recipient_lookup), also the awards' key."""
    return key_of_recipient(recipient, organization_id=organization_id, master=master)


def load_judging(session: Session, organization_id: uuid.UUID, pathway_id: uuid.UUID, urls: PathwayUrls) -> Judging:
    """The current version of one of the organization's pathways, ready to judge (NotFound for anyone else's)."""
    stored = fixed_version(session, organization_id, pathway_id)
    rule_json = public_rule(stored.row.rule, urls)
    rule = parse_rule(rule_json)
    achievements, competencies = referenced_ids(rule)
    named = {urls.achievement_uuid(reference): reference for reference in achievements}
    versions = current_achievements(session, organization_id, [i for i in named if i is not None])
    composite_url = AchievementUrls(urls.base_url).public(stored.pathway.composite_achievement_id)
    return Judging(
        organization_id=organization_id,
        pathway_id=stored.pathway.id,
        version=stored.row.version,
        version_id=stored.row.id,
        composite_id=stored.pathway.composite_achievement_id,
        rule=rule,
        policy=_policy(session, stored, urls, composite_url),
        catalog=_catalog(session, organization_id, versions, competencies, urls),
    )


def public_rule(tree: Mapping[str, Any], urls: PathwayUrls) -> dict[str, Any]:
    """The stored rule with every achievement and competency reference written as its public URL."""
    achievements = AchievementUrls(urls.base_url)

    def achievement(reference: str) -> str:
        found = urls.achievement_uuid(reference)
        return achievements.public(found) if found is not None else reference

    def competency(reference: str) -> str:
        found = urls.competencies.parse(reference)
        return urls.competencies.public(found) if found is not None else reference

    def rewrite(value: Any) -> Any:
        if isinstance(value, list):
            return [rewrite(item) for item in value]
        if not isinstance(value, Mapping):
            return value
        node = {key: rewrite(member) for key, member in value.items() if key not in ("achievement", "competencies")}
        if isinstance(value.get("achievement"), str):
            node["achievement"] = achievement(value["achievement"])
        if isinstance(value.get("competencies"), list):
            node["competencies"] = [
                competency(item) if isinstance(item, str) else item for item in value["competencies"]
            ]
        return node

    result: dict[str, Any] = rewrite(tree)
    return result


def _policy(session: Session, stored: StoredPathway, urls: PathwayUrls, composite_url: str) -> PathwayPolicy:
    """Issue 5 "Pathways": the organization's issuers, the trusted ones, the agreements mapped to public URLs."""
    row = stored.row
    own = frozenset(session.scalars(select(Issuer.did).where(Issuer.organization_id == stored.pathway.organization_id)))
    equivalences = tuple(Equivalence.from_json(item) for item in row.equivalences)
    public = AchievementUrls(urls.base_url)
    rule_ids: dict[str, str] = {}
    for equivalence in equivalences:
        found = urls.achievement_uuid(equivalence.counts_as)
        if found is not None:
            rule_ids[equivalence.counts_as] = public.public(found)
    return PathwayPolicy(
        own_issuers=own,
        trusted_issuers=frozenset(row.trusted_issuers),
        equivalences=equivalences,
        max_age_days=row.max_age_days,
        rule_ids=rule_ids,
        composite=composite_url,
    )


def _catalog(
    session: Session,
    organization_id: uuid.UUID,
    versions: Mapping[uuid.UUID, Any],
    competencies: tuple[str, ...],
    urls: PathwayUrls,
) -> Catalog:
    """Names of the rule's achievements (their result descriptions and levels too) and competencies, by public URL."""
    names: dict[str, str] = {}
    results: dict[str, dict[str, tuple[str, ...]]] = {}
    public = AchievementUrls(urls.base_url)
    for achievement_id, version in versions.items():
        document = version.document
        url = public.public(achievement_id)
        names[url] = _name(document, url)
        results[url] = result_levels(document)
        for description in document.get("resultDescription", ()):
            if isinstance(description, Mapping) and isinstance(description.get("id"), str):
                names[description["id"]] = _name(description, description["id"])
                for level in description.get("rubricCriterionLevel", ()):
                    if isinstance(level, Mapping) and isinstance(level.get("id"), str):
                        names[level["id"]] = _name(level, level["id"])
    ids = {urls.competencies.parse(reference): reference for reference in competencies}
    for competency_id, competency in (
        CompetencyRepository(session, organization_id).by_ids([i for i in ids if i is not None]).items()
    ):
        names[urls.competencies.public(competency_id)] = competency.name
    return Catalog(names=names, results=results)


def _name(document: Mapping[str, Any], default: str) -> str:
    name = document.get("name")
    return name if isinstance(name, str) and name else default


def stored_candidates(
    session: Session, organization_id: uuid.UUID, key: RecipientKey, *, limit: int = MAX_STORED
) -> list[Candidate]:
    """The organization's credentials issued to the learner, newest first, as their exact stored text."""
    rows = session.scalars(
        select(Credential)
        .where(
            Credential.organization_id == organization_id,
            Credential.recipient_kind == key.kind,
            Credential.recipient_key == key.key,
        )
        .order_by(Credential.issued_at.desc(), Credential.id)
        .limit(limit)
    )
    return [Candidate(row.document, stored=True) for row in rows]


async def evaluate_learner(
    judging: Judging, candidates: list[Candidate], *, verify: VerifyPort, learner: Learner, now: datetime
) -> Evaluated:
    """Issue 5 "Evaluate and award": verify and judge every candidate, then judge the rule on those counted."""
    considered = await consider(
        candidates,
        verify=verify,
        policy=judging.policy,
        rule=judging.rule,
        catalog=judging.catalog,
        learner=learner,
        now=now,
    )
    verdict = judge(judging.rule, considered.counted, judging.catalog)
    evaluation = PathwayEvaluation(
        pathway=PathwayRef(id=judging.pathway_id, version=judging.version),
        satisfied=verdict.satisfied,
        credentials=[_considered(entry, judging.catalog) for entry in considered.entries],
        rule=verdict.trace,
        progress=verdict.progress,
        missing=verdict.missing,
        missing_text=verdict.missing_text,
    )
    return Evaluated(considered, evaluation)


def _considered(entry: Consideration, catalog: Catalog) -> ConsideredCredential:
    return ConsideredCredential(
        id=entry.id,
        issuer=entry.issuer,
        stored=entry.stored,
        verified=entry.verified,
        counted=entry.counted,
        counts_as=[
            CountsAsEntry(achievement=item.achievement_id, name=catalog.name(item.achievement_id), reason=item.reason)
            for item in entry.counts_as
        ],
        reason=entry.reason,
        failure=entry.failure,
        detail=entry.detail,
        achievement_name=entry.achievement_name,
        digest=entry.digest,
    )
