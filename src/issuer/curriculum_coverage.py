"""Issue 5 "Curriculum coverage": which of a pathway's competencies its micro-credential templates cover.

The competencies a pathway asks for are the composite achievement's alignments to the organization's competencies
(their `targetUrl` is a competency's public URL) and those the rule's `competencies` nodes name. A template covers
a competency when it is an achievement the rule names and its current version aligns to the competency. What no
template covers is the gap the institution closes when it designs the stack.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from issuer.competencies import aligned_competency_ids
from issuer.models import AchievementVersion, Competency
from issuer.pathway_definitions import PathwayUrls, rule_achievements, rule_competencies
from issuer.pathway_service import fixed_version
from issuer.pathways.rules import Node, parse_rule
from issuer.repositories.competencies import CompetencyRepository
from issuer.repositories.pathways import current_achievements
from schemas.pathway_api import CompetencyCoverage, CoverageResource, CoveringTemplate, TemplateCoverage

COMPOSITE = "composite"
RULE = "rule"


def pathway_coverage(
    session: Session, organization_id: uuid.UUID, pathway_id: uuid.UUID, number: int | None, urls: PathwayUrls
) -> CoverageResource:
    """Coverage of version `number` (current when None) of one of the organization's pathways."""
    stored = fixed_version(session, organization_id, pathway_id, number)
    composite_id = stored.pathway.composite_achievement_id
    rule = parse_rule(stored.row.rule)
    templates = _unique(urls.achievement_uuid(reference) for _loc, reference in rule_achievements(rule, ()))
    versions = current_achievements(session, organization_id, [composite_id, *templates])
    composite = versions.get(composite_id)
    wanted = _wanted(composite.document if composite is not None else {}, rule, urls)
    # Alignments may name URLs of competencies that are not the organization's: those are not ours to report.
    known = CompetencyRepository(session, organization_id).by_ids(list(wanted))
    required = [competency_id for competency_id in wanted if competency_id in known]
    aligned = {
        template: set(aligned_competency_ids(versions[template].document, urls.competencies))
        for template in templates
        if template in versions and template != composite_id
    }
    covering = {c: [t for t in aligned if c in aligned[t]] for c in required}
    return CoverageResource(
        pathway_id=stored.pathway.id,
        version=stored.row.version,
        composite_achievement_id=composite_id,
        competencies=[
            _competency(known[c], wanted[c], [_template(versions[t]) for t in covering[c]], urls) for c in required
        ],
        uncovered=[urls.competencies.public(c) for c in required if not covering[c]],
        templates=[_template_coverage(versions[t], aligned[t], required, urls) for t in aligned],
    )


def _wanted(composite: dict[str, Any], rule: Node, urls: PathwayUrls) -> dict[uuid.UUID, list[str]]:
    """The competencies the pathway asks for, in order, each with who asks: the composite's alignments, the rule."""
    wanted: dict[uuid.UUID, list[str]] = {}
    for aligned in aligned_competency_ids(composite, urls.competencies):
        wanted.setdefault(aligned, []).append(COMPOSITE)
    for _loc, reference in rule_competencies(rule, ()):
        named = urls.competencies.parse(reference)
        if named is not None and RULE not in wanted.setdefault(named, []):
            wanted[named].append(RULE)
    return wanted


def _unique(ids: Iterable[uuid.UUID | None]) -> list[uuid.UUID]:
    """Each id once, in order of first mention, without the references that named nothing."""
    return list(dict.fromkeys(item for item in ids if item is not None))


def _template(version: AchievementVersion) -> CoveringTemplate:
    name = version.document.get("name")
    return CoveringTemplate(
        uuid=version.achievement_id,
        id=str(version.document.get("id", "")),
        name=name if isinstance(name, str) else "",
    )


def _competency(
    competency: Competency, required_by: list[str], covered_by: list[CoveringTemplate], urls: PathwayUrls
) -> CompetencyCoverage:
    return CompetencyCoverage(
        id=urls.competencies.public(competency.id),
        uuid=competency.id,
        framework=competency.framework,
        code=competency.code,
        name=competency.name,
        required_by=required_by,
        covered_by=covered_by,
    )


def _template_coverage(
    version: AchievementVersion, aligned: set[uuid.UUID], required: list[uuid.UUID], urls: PathwayUrls
) -> TemplateCoverage:
    template = _template(version)
    covers = [urls.competencies.public(c) for c in required if c in aligned]
    return TemplateCoverage(uuid=template.uuid, id=template.id, name=template.name, competencies=covers)
