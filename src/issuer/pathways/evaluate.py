"""Issue 5 "Evaluate and award": a pathway rule judged against the learner's counted credentials, as a pure function.

Every node gets an outcome: met or not, the credentials counting towards it, and its progress. A node's
credentials are: an achievement node's, the credentials that count as the achievement (and reach `min_result`);
a group's (all_of, any_of, n_of), those of its met children; a credits node's, those with credits that it summed
(from the credentials of its met `of` nodes, or every counted credential), each once; a competencies node's, those
whose alignments cover one of its competencies. Adding a credential can therefore only add to every node's credentials,
credits and coverage: evaluation is monotonic.

Requirements (the `progress` figure) are the achievement nodes and listed competencies that the cheapest way of
meeting the rule needs: all of an all_of's, the smallest child of an any_of, the n smallest children of an n_of,
n of a competencies node. A credits node needs credits, not requirements, and is reported in credits instead. A
met node has met all of its requirements.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from issuer.achievements import Loc
from issuer.pathways.inputs import Catalog, CountedCredential
from issuer.pathways.rules import (
    AchievementNode,
    AllOf,
    AnyOf,
    Competencies,
    Credits,
    MinLevel,
    MinValue,
    Node,
    NOf,
    children,
)

# Credits are decimal amounts (0.5 ECTS, 1.5 units) summed in binary floating point: 0.1 + 0.2 must reach 0.3.
CREDIT_TOLERANCE: Final = 1e-9


@dataclass(frozen=True, slots=True)
class NodeOutcome:
    """One evaluated node; `earned`/`required`: children met for groups, credits, competencies covered."""

    loc: Loc
    node: Node
    satisfied: bool
    credentials: frozenset[str]
    requirements_met: int
    requirements_total: int
    earned: float | None = None
    required: float | None = None
    covered: tuple[str, ...] = ()
    children: tuple[NodeOutcome, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The verdict on a rule: the root outcome, the credentials it was judged on (by id), and credit totals."""

    root: NodeOutcome
    credentials: Mapping[str, CountedCredential]
    credits_earned: float
    credits_required: float

    @property
    def satisfied(self) -> bool:
        return self.root.satisfied

    def ordered(self, ids: Iterable[str]) -> list[str]:
        """Credential ids oldest first (undated last), then by id: the same order for the same input set."""
        return sorted(ids, key=self._order_key)

    def _order_key(self, id_: str) -> tuple[int, float, str]:
        issued = self.credentials[id_].issued
        return (0, issued.timestamp(), id_) if issued is not None else (1, 0.0, id_)


def evaluate(rule: Node, credentials: Sequence[CountedCredential], catalog: Catalog) -> Evaluation:
    """Issue 5 "Pathways": whether `credentials` meet `rule`, node by node; raises ValueError on repeated ids."""
    by_id = {credential.id: credential for credential in credentials}
    if len(by_id) != len(credentials):
        raise ValueError("each counted credential must have its own id")
    root = _Judge(credentials, catalog).outcome(rule, ())
    earned = required = 0.0
    for outcome in outcomes(root):
        if isinstance(outcome.node, Credits) and outcome.earned is not None:
            earned += min(outcome.earned, outcome.node.credits)
            required += outcome.node.credits
    return Evaluation(root, MappingProxyType(by_id), earned, required)


def outcomes(outcome: NodeOutcome) -> Iterator[NodeOutcome]:
    """The outcome and every descendant's, parents first, in rule order."""
    yield outcome
    for child in outcome.children:
        yield from outcomes(child)


def credit_value(credential: CountedCredential) -> float:
    """OB 3.0 §B.1: the subject's creditsEarned, else the achievement's creditsAvailable; nonsense counts as 0."""
    value = credential.credits_earned if credential.credits_earned is not None else credential.credits_available
    # A partner's credential may carry a negative or infinite amount; it must not cancel or swamp the others.
    return value if value is not None and math.isfinite(value) and value > 0 else 0.0


def result_number(value: str | None) -> float | None:
    """OB 3.0 §B.1 Result `value` is a string; a rule compares it as a number when it reads as a finite one."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class _Judge:
    """The credentials indexed once per evaluation, and the rules for each node type."""

    def __init__(self, credentials: Sequence[CountedCredential], catalog: Catalog) -> None:
        self.catalog = catalog
        self.credentials = credentials
        self.by_achievement: dict[str, list[CountedCredential]] = {}
        for credential in credentials:
            for achievement_id in credential.achievement_ids:
                self.by_achievement.setdefault(achievement_id, []).append(credential)

    def outcome(self, node: Node, loc: Loc) -> NodeOutcome:
        member, nodes = children(node)
        kids = tuple(self.outcome(child, (*loc, *member, index)) for index, child in enumerate(nodes))
        match node:
            case AchievementNode():
                return self.achievement(node, loc)
            case AllOf() | AnyOf() | NOf():
                return self.group(node, loc, kids)
            case Credits():
                return self.credits(node, loc, kids)
            case Competencies():
                return self.competencies(node, loc)
        raise TypeError(f"not a rule node: {node!r}")

    def achievement(self, node: AchievementNode, loc: Loc) -> NodeOutcome:
        candidates = self.by_achievement.get(node.achievement, ())
        matched = frozenset(credential.id for credential in candidates if self.reaches(node, credential))
        return NodeOutcome(loc, node, bool(matched), matched, int(bool(matched)), 1)

    def reaches(self, node: AchievementNode, credential: CountedCredential) -> bool:
        """OB 3.0 §B.1 Result: one of the credential's results for the description reaches the minimum."""
        minimum = node.min_result
        if minimum is None:
            return True
        results = [r for r in credential.results if r.result_description == minimum.result_description]
        if isinstance(minimum, MinValue):
            return any((number := result_number(r.value)) is not None and number >= minimum.value for r in results)
        return any(self.level_reaches(node.achievement, minimum, r.achieved_level) for r in results)

    def level_reaches(self, achievement_id: str, minimum: MinLevel, achieved: str | None) -> bool:
        # rubricCriterionLevel lists levels low to high; an unknown level or description never reaches anything.
        levels = self.catalog.levels(achievement_id, minimum.result_description) or ()
        if achieved not in levels or minimum.level not in levels:
            return False
        return levels.index(achieved) >= levels.index(minimum.level)

    def group(self, node: AllOf | AnyOf | NOf, loc: Loc, kids: tuple[NodeOutcome, ...]) -> NodeOutcome:
        met = [kid for kid in kids if kid.satisfied]
        need = len(kids) if isinstance(node, AllOf) else 1 if isinstance(node, AnyOf) else node.n
        totals = sorted(kid.requirements_total for kid in kids)
        done = sorted((kid.requirements_met for kid in kids), reverse=True)
        if isinstance(node, AnyOf):
            # The learner may take whichever alternative is furthest along: a partial one still shows progress.
            total, progress = totals[0], done[0]
        else:
            total, progress = sum(totals[:need]), sum(done[:need])
        return NodeOutcome(
            loc,
            node,
            len(met) >= need,
            frozenset().union(*(kid.credentials for kid in met)),
            min(progress, total),
            total,
            earned=len(met),
            required=need,
            children=kids,
        )

    def credits(self, node: Credits, loc: Loc, kids: tuple[NodeOutcome, ...]) -> NodeOutcome:
        if node.nodes is None:
            pool = frozenset(credential.id for credential in self.credentials)
        else:
            pool = frozenset().union(*(kid.credentials for kid in kids if kid.satisfied))
        counted = [credential for credential in self.credentials if credential.id in pool]
        earned = math.fsum(credit_value(credential) for credential in counted)
        satisfied = earned >= node.credits - CREDIT_TOLERANCE * max(1.0, node.credits)
        summed = frozenset(credential.id for credential in counted if credit_value(credential) > 0)
        return NodeOutcome(loc, node, satisfied, summed, 0, 0, earned=earned, required=node.credits, children=kids)

    def competencies(self, node: Competencies, loc: Loc) -> NodeOutcome:
        listed = frozenset(node.competencies)
        covering = [credential for credential in self.credentials if credential.competencies & listed]
        reached = frozenset().union(*(credential.competencies for credential in covering)) & listed
        covered = tuple(competency for competency in node.competencies if competency in reached)
        return NodeOutcome(
            loc,
            node,
            len(covered) >= node.required,
            frozenset(credential.id for credential in covering),
            min(len(covered), node.required),
            node.required,
            earned=len(covered),
            required=node.required,
            covered=covered,
        )
