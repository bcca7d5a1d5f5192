"""Issue 5 "Evaluate and award": from the credentials presented or stored to the rule's counted credentials.

Each candidate is verified through the injected `verify` port (the issuer package does not import the verifier),
then judged in this order, the first failing step giving the reason it does not count: verified (`not_verified`,
with the failing check: `verdict`), issued by a trusted issuer (`untrusted_issuer`), bound to the learner
(`another_learner`: `binding`), no older than `max_age_days` (`too_old`), relevant to the rule (`not_relevant`:
it counts as none of the rule's achievements, covers none of its competencies, and the rule has no credits node
that counts every credential; the pathway's own award never is), and not already counted (`duplicate`: the same
credential id presented and stored counts once, the first in input order). The others are `counted`, and become
the rule engine's input."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from issuer.pathways.binding import Learner, names_learner, subjects
from issuer.pathways.claims import Award, Unreadable, award, credential_id, issued_at, issuer_id, read_credential
from issuer.pathways.inputs import Catalog, CountedCredential, CountsAs
from issuer.pathways.policy import PathwayPolicy
from issuer.pathways.rules import Credits, Node, referenced_ids, walk
from issuer.pathways.verdict import Failure, FailureCode, failure, unreadable
from schemas.report import VerificationReport

Reason = Literal[
    "counted", "not_verified", "untrusted_issuer", "another_learner", "too_old", "not_relevant", "duplicate"
]
DEFAULT_CONCURRENCY = 8


class VerifyPort(Protocol):
    """The full verifier over one credential's bytes (JSON text or compact JWS), e.g. `verifier.service.verify_input`
    bound to the service's ports. It answers every input with a report (an unreadable one with a failed `parse`
    check, `verifier.service.unreadable_report`) and may be awaited `concurrency` times at once."""

    async def __call__(self, data: bytes) -> VerificationReport: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """A credential as given: presented (a JSON object, or a compact JWS) or stored (its exact stored text)."""

    credential: Mapping[str, Any] | str
    stored: bool = False

    def __post_init__(self) -> None:
        if self.stored and not isinstance(self.credential, str):
            raise ValueError("a stored credential is given as its exact stored text")

    def data(self) -> bytes:
        """The bytes verified and digested: a text as given; an object as compact JSON."""
        if isinstance(self.credential, str):
            return self.credential.encode("utf-8")
        return json.dumps(self.credential, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Consideration:
    """One candidate's fate: `reason` says why it counts or not, `detail` says it as a sentence.

    `failure` is the verification failure (for `not_verified`); `counts_as` the rule's achievements it counts as;
    `digest` the SHA-256 (hex) of the bytes verified, for a stored credential its stored digest; `report` the
    verifier's report (None when the candidate could not even be read).
    """

    index: int
    id: str | None
    issuer: str | None
    stored: bool
    verified: bool
    reason: Reason
    detail: str
    digest: str
    failure: FailureCode | None = None
    counts_as: tuple[CountsAs, ...] = ()
    achievement_name: str | None = None
    report: VerificationReport | None = None

    @property
    def counted(self) -> bool:
        return self.reason == "counted"


@dataclass(frozen=True, slots=True)
class Considered:
    """Every candidate's consideration in input order, and the counted credentials for `evaluate`/`judge`."""

    entries: tuple[Consideration, ...]
    counted: tuple[CountedCredential, ...]


@dataclass(frozen=True, slots=True)
class Wanted:
    """What makes a credential relevant to a rule: an achievement or competency it names, or a bare credits node."""

    achievements: frozenset[str]
    competencies: frozenset[str]
    every_credential: bool

    @classmethod
    def of_rule(cls, rule: Node) -> Wanted:
        achievements, competencies = referenced_ids(rule)
        bare_credits = any(isinstance(node, Credits) and node.nodes is None for _loc, node in walk(rule))
        return cls(frozenset(achievements), frozenset(competencies), bare_credits)


@dataclass(frozen=True, slots=True)
class _Context:
    verify: VerifyPort
    policy: PathwayPolicy
    wanted: Wanted
    catalog: Catalog
    learner: Learner
    now: datetime


async def consider(
    items: Sequence[Candidate],
    *,
    verify: VerifyPort,
    policy: PathwayPolicy,
    rule: Node,
    catalog: Catalog,
    learner: Learner,
    now: datetime,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Considered:
    """Issue 5 "Evaluate and award": verify and judge every candidate; `now` is the clock for `max_age_days`.

    `rule` says what is relevant and `catalog` names things in the sentences; pass the same ones to `judge` with
    `Considered.counted`. An exception raised by the port propagates: the evaluation cannot be trusted without it.
    """
    if concurrency < 1:
        raise ValueError("concurrency is at least 1")
    context = _Context(verify, policy, Wanted.of_rule(rule), catalog, learner, now)
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, candidate: Candidate) -> tuple[Consideration, CountedCredential | None]:
        async with gate:
            return await _assess(index, candidate, context)

    assessed = await asyncio.gather(*(one(index, item) for index, item in enumerate(items)))
    return _count_once(assessed)


def _count_once(assessed: Sequence[tuple[Consideration, CountedCredential | None]]) -> Considered:
    """The first counted credential with an id counts; later ones with the same id are duplicates."""
    entries: list[Consideration] = []
    counted: dict[str, CountedCredential] = {}
    for entry, credential in assessed:
        if credential is not None and credential.id in counted:
            entry = replace(entry, reason="duplicate", detail=_DUPLICATE)
        elif credential is not None:
            counted[credential.id] = credential
        entries.append(entry)
    return Considered(tuple(entries), tuple(counted.values()))


_DUPLICATE = "Not counted again: a credential with the same id (presented and stored, or given twice) already counts."


async def _assess(
    index: int, candidate: Candidate, context: _Context
) -> tuple[Consideration, CountedCredential | None]:
    data = candidate.data()
    digest = hashlib.sha256(data).hexdigest()
    base = Consideration(
        index=index,
        id=None,
        issuer=None,
        stored=candidate.stored,
        verified=False,
        reason="not_verified",
        detail="",
        digest=digest,
    )
    try:
        document = read_credential(candidate.credential)
    except Unreadable as exc:
        return _refused(base, unreadable(str(exc))), None
    # A credential without an id (VCDM 2.0 allows it) is known by its digest, so each still counts at most once.
    id_ = credential_id(document) or f"urn:sha256:{digest}"
    base = replace(base, id=id_, issuer=issuer_id(document))
    report = await context.verify(data)
    base = replace(base, report=report)
    problem = failure(report)
    if problem is not None:
        return _refused(base, problem), None
    return _judged(replace(base, verified=True), id_, document, context)


def _refused(entry: Consideration, problem: Failure) -> Consideration:
    return replace(entry, reason="not_verified", failure=problem.code, detail=f"Not verified: {problem.sentence}.")


def _judged(
    entry: Consideration, id_: str, document: Mapping[str, Any], context: _Context
) -> tuple[Consideration, CountedCredential | None]:
    """The steps after verification, on a credential known to be authentic and current."""
    policy, issuer = context.policy, entry.issuer
    if issuer is None or not policy.trusts(issuer):
        detail = f"its issuer {issuer} is not trusted by this pathway" if issuer else "it names no issuer"
        return _not(entry, "untrusted_issuer", f"Not counted: {detail}."), None
    bound = [subject for subject in subjects(document) if names_learner(subject, context.learner)]
    if not bound:
        return _not(entry, "another_learner", "Not counted: it was issued to someone else, not to this learner."), None
    issued = issued_at(document)
    too_old = _too_old(issued, policy.max_age_days, context.now)
    if too_old is not None:
        return _not(entry, "too_old", too_old), None
    # OB 3.0: an AchievementCredential has one subject; of several, the first naming the learner is the award.
    earned = award(bound[0])
    counts_as = _relevant_counts(issuer, earned, context)
    competencies = frozenset(a.target_url for a in earned.alignments if a.target_url is not None)
    covered = competencies & context.wanted.competencies
    entry = replace(entry, counts_as=counts_as, achievement_name=earned.achievement_name)
    if _is_composite(earned, policy):
        return _not(entry, "not_relevant", "Not counted: it is this pathway's own award."), None
    if not (counts_as or covered or context.wanted.every_credential):
        return _not(entry, "not_relevant", "Not counted: it is none of the things this pathway asks for."), None
    credential = CountedCredential(
        id=id_,
        issuer=issuer,
        counts_as=counts_as,
        credits_earned=earned.credits_earned,
        credits_available=earned.credits_available,
        results=earned.results,
        competencies=competencies,
        issued=issued,
    )
    return replace(entry, reason="counted", detail=_counted_detail(counts_as, covered, context.catalog)), credential


def _not(entry: Consideration, reason: Reason, detail: str) -> Consideration:
    return replace(entry, reason=reason, detail=detail)


def _too_old(issued: datetime | None, max_age_days: int | None, now: datetime) -> str | None:
    if max_age_days is None:
        return None
    if issued is None:
        return f"Not counted: it states no date, so it cannot be shown to be under {max_age_days} days old."
    if now - issued > timedelta(days=max_age_days):
        return f"Not counted: it was awarded on {issued.date().isoformat()}, more than {max_age_days} days ago."
    return None


def _relevant_counts(issuer: str, earned: Award, context: _Context) -> tuple[CountsAs, ...]:
    """The rule's achievements the award counts as (others it may count as do not matter to this pathway)."""
    return tuple(
        entry
        for entry in context.policy.counts_as(issuer, earned)
        if entry.achievement_id in context.wanted.achievements
    )


def _is_composite(earned: Award, policy: PathwayPolicy) -> bool:
    # The pathway's own award would otherwise count towards a credits node that counts every credential.
    composite = policy.composite
    return (
        composite is not None
        and earned.achievement_id is not None
        and (policy.rule_id(earned.achievement_id) == policy.rule_id(composite))
    )


def _counted_detail(counts_as: Sequence[CountsAs], covered: frozenset[str], catalog: Catalog) -> str:
    parts = []
    if counts_as:
        parts.append("counts as " + ", ".join(catalog.name(entry.achievement_id) for entry in counts_as))
    if covered:
        parts.append("covers " + ", ".join(sorted(catalog.name(competency) for competency in covered)))
    return "Counted: " + ("; ".join(parts) if parts else "its credits count towards the pathway") + "."
