"""Issue 5 "Pathways": a pathway definition checked against the organization's data, ready to store.

The rule follows the grammar (issuer.pathways.rules.parse_rule) and is stored in the parser's normal form. Every
achievement and competency it names, and every achievement an equivalence counts as, must be the organization's
(by uuid or public URL); a `min_result` must name a result description, and a rubric level, of its achievement
(OB 3.0 §B.1 ResultDescription). An equivalence's issuer must be trusted (listed, or one of the organization's own
issuers), since a credential of an untrusted issuer never counts, with or without an agreement.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.achievements import FieldError, FieldProblem, Loc
from issuer.competencies import CompetencyUrls, reference_uuid
from issuer.models import AchievementVersion, Issuer
from issuer.pathways.inputs import Catalog
from issuer.pathways.rules import (
    AchievementNode,
    Competencies,
    Node,
    parse_rule,
    reference_problems,
    rule_to_json,
    walk,
)
from issuer.repositories.competencies import CompetencyRepository
from issuer.repositories.pathways import Definition, current_achievements
from schemas.pathway_api import PathwayDefinition

Located = tuple[Loc, str]


@dataclass(frozen=True, slots=True)
class PathwayUrls:
    """Where the achievements and competencies that pathways name are published (settings.base_url)."""

    base_url: str

    @property
    def competencies(self) -> CompetencyUrls:
        return CompetencyUrls(self.base_url)

    def achievement_uuid(self, reference: str) -> uuid.UUID | None:
        """An achievement reference: its uuid or its public URL (issuer.achievement_service.AchievementUrls)."""
        return reference_uuid(reference, f"{self.base_url.rstrip('/')}/achievements/")


def rule_achievements(rule: Node, loc: Loc = ("rule",)) -> list[Located]:
    """Where the rule names an achievement, and the reference, in rule order."""
    return [
        ((*at, "achievement"), node.achievement) for at, node in walk(rule, loc) if isinstance(node, AchievementNode)
    ]


def rule_competencies(rule: Node, loc: Loc = ("rule",)) -> list[Located]:
    """Where the rule names a competency, and the reference, in rule order."""
    return [
        ((*at, "competencies", index), reference)
        for at, node in walk(rule, loc)
        if isinstance(node, Competencies)
        for index, reference in enumerate(node.competencies)
    ]


def checked_definition(
    session: Session, organization_id: uuid.UUID, body: PathwayDefinition, *, composite_id: uuid.UUID, urls: PathwayUrls
) -> Definition:
    """The definition to store; FieldError (located as in the request body) listing every problem otherwise."""
    rule = parse_rule(body.rule, loc=("rule",))
    named = rule_achievements(rule)
    counts_as = [(("equivalences", index, "counts_as"), item.counts_as) for index, item in enumerate(body.equivalences)]
    wanted = [urls.achievement_uuid(reference) for _loc, reference in (*named, *counts_as)]
    versions = current_achievements(session, organization_id, [i for i in wanted if i is not None])
    problems = _achievement_problems([*named, *counts_as], versions, urls)
    problems += _composite_problems(named, urls, composite_id)
    problems += _competency_problems(session, organization_id, rule_competencies(rule), urls)
    problems += _issuer_problems(session, organization_id, body)
    if not problems:
        problems = reference_problems(rule, _catalog(named, versions, urls))
    if problems:
        raise FieldError(problems)
    return Definition(
        name=body.name,
        rule=rule_to_json(rule),
        trusted_issuers=list(body.trusted_issuers),
        equivalences=[item.model_dump(exclude_none=True) for item in body.equivalences],
        max_age_days=body.max_age_days,
        auto_award=body.auto_award,
    )


def _achievement_problems(
    located: Sequence[Located], versions: Mapping[uuid.UUID, AchievementVersion], urls: PathwayUrls
) -> list[FieldProblem]:
    # Another organization's achievement looks exactly like one that does not exist.
    return [
        FieldProblem(loc, "no achievement with this id or URL in your organization")
        for loc, reference in located
        if urls.achievement_uuid(reference) not in versions
    ]


def _composite_problems(named: Sequence[Located], urls: PathwayUrls, composite_id: uuid.UUID) -> list[FieldProblem]:
    return [
        FieldProblem(loc, "the rule cannot require the pathway's own composite achievement")
        for loc, reference in named
        if urls.achievement_uuid(reference) == composite_id
    ]


def _competency_problems(
    session: Session, organization_id: uuid.UUID, located: Sequence[Located], urls: PathwayUrls
) -> list[FieldProblem]:
    ids = [urls.competencies.parse(reference) for _loc, reference in located]
    found = CompetencyRepository(session, organization_id).by_ids([i for i in ids if i is not None])
    return [
        FieldProblem(loc, "no competency with this id or URL in your organization")
        for (loc, _reference), competency_id in zip(located, ids, strict=True)
        if competency_id not in found
    ]


def _issuer_problems(session: Session, organization_id: uuid.UUID, body: PathwayDefinition) -> list[FieldProblem]:
    problems = [
        FieldProblem(("trusted_issuers", index), "repeats an earlier issuer")
        for index, did in enumerate(body.trusted_issuers)
        if did in body.trusted_issuers[:index]
    ]
    own = set(session.scalars(select(Issuer.did).where(Issuer.organization_id == organization_id)))
    trusted = own | set(body.trusted_issuers)
    problems += [
        FieldProblem(("equivalences", index, "issuer"), "must be one of trusted_issuers or one of your own issuers")
        for index, item in enumerate(body.equivalences)
        if item.issuer not in trusted
    ]
    return problems


def _catalog(named: Sequence[Located], versions: Mapping[uuid.UUID, AchievementVersion], urls: PathwayUrls) -> Catalog:
    """Each named achievement's result descriptions and their rubric levels, in order, keyed as the rule names it."""
    results: dict[str, dict[str, tuple[str, ...]]] = {}
    for _loc, reference in named:
        achievement_id = urls.achievement_uuid(reference)
        if achievement_id is not None and achievement_id in versions:
            results[reference] = result_levels(versions[achievement_id].document)
    return Catalog(results=results)


def result_levels(document: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """OB 3.0 §B.1 ResultDescription ids of an Achievement JSON, each with its rubricCriterionLevel ids in order."""
    levels: dict[str, tuple[str, ...]] = {}
    for description in document.get("resultDescription", ()):
        if isinstance(description, Mapping) and isinstance(description.get("id"), str):
            rubric = description.get("rubricCriterionLevel", ())
            levels[description["id"]] = tuple(
                level["id"] for level in rubric if isinstance(level, Mapping) and isinstance(level.get("id"), str)
            )
    return levels
