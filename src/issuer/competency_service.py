"""Competencies as a service (issue 5 "Competencies and curriculum mapping"): create, read, and the alignments that
achievements get from the competencies they name.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from issuer.achievements import FieldError, FieldProblem
from issuer.competencies import CompetencyUrls, competency_alignment, merged_alignments
from issuer.models import Competency
from issuer.principal import Principal
from issuer.repositories.audit import record_audit
from issuer.repositories.competencies import CompetencyRepository, NewCompetency, published_competency
from schemas.achievement import LIST_MAX, AchievementTemplate
from schemas.competency_api import CreateCompetencyRequest

Template = TypeVar("Template", bound=AchievementTemplate)


@dataclass(frozen=True, slots=True)
class CompetencyPage:
    items: list[Competency]
    total: int


def create_competency(
    session: Session, principal: Principal, body: CreateCompetencyRequest, *, now: datetime
) -> Competency:
    """A new competency of the caller's organization; Conflict (409) when its framework already has the code."""
    new = NewCompetency(body.framework, body.code, body.name, body.description, body.level)
    competency = CompetencyRepository(session, principal.organization_id).add(new, now=now)
    record_audit(
        session,
        organization_id=principal.organization_id,
        actor=principal.actor,
        action="competency.create",
        subject=f"competency:{competency.id}",
        at=now,
    )
    session.commit()
    return competency


def get_competency(session: Session, organization_id: uuid.UUID, competency_id: uuid.UUID) -> Competency:
    return CompetencyRepository(session, organization_id).get(competency_id)


def list_competencies(
    session: Session, organization_id: uuid.UUID, *, framework: str | None, limit: int, offset: int
) -> CompetencyPage:
    rows, total = CompetencyRepository(session, organization_id).page(framework=framework, limit=limit, offset=offset)
    return CompetencyPage(rows, total)


def public_competency(session: Session, competency_id: uuid.UUID) -> Competency:
    """Any organization's competency: its URL is public, as alignments in credentials point at it."""
    return published_competency(session, competency_id)


def resolve_competencies(
    session: Session,
    organization_id: uuid.UUID,
    references: Sequence[str],
    urls: CompetencyUrls,
    *,
    loc: tuple[str | int, ...],
) -> list[Competency]:
    """The organization's competencies that `references` (uuids or public URLs) name, in order, without repeats.

    FieldError at `loc + (index,)` for each reference that names none of them: another organization's competency
    looks exactly like one that does not exist.
    """
    parsed = [urls.parse(reference) for reference in references]
    found = CompetencyRepository(session, organization_id).by_ids([p for p in parsed if p is not None])
    problems = [
        FieldProblem((*loc, index), "no competency with this id or URL in your organization")
        for index, competency_id in enumerate(parsed)
        if competency_id is None or competency_id not in found
    ]
    if problems:
        raise FieldError(problems)
    # Every reference resolved (else FieldError above); a dict keeps the first mention of each, in order.
    ordered = {competency_id: found[competency_id] for competency_id in parsed if competency_id is not None}
    return list(ordered.values())


def align_to_competencies(
    session: Session,
    organization_id: uuid.UUID,
    template: Template,
    references: Sequence[str] | None,
    urls: CompetencyUrls,
) -> Template:
    """Issue 5: the template with an OB 3.0 §B.1 Alignment (`ceasn:Competency`) per named competency appended.

    The template's own `alignment` entries come first; a competency it already aligns to (same `targetUrl`) is not
    repeated. FieldError under `competencies` for references to no competency of the organization, and when the
    alignments would exceed what a template may carry.
    """
    if not references:
        return template
    competencies = resolve_competencies(session, organization_id, references, urls, loc=("competencies",))
    merged = merged_alignments(template.alignment, (competency_alignment(c, urls) for c in competencies))
    if len(merged) > LIST_MAX:
        raise FieldError.at(("competencies",), f"an achievement has at most {LIST_MAX} alignments in all")
    return template.model_copy(update={"alignment": merged})
