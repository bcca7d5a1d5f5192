"""Issue 5 "Evaluate and award" (`auto_award`): after an issuance committed, award the pathways it completed.

Which pathways: the organization's pathways whose **current version** has `auto_award: true` and whose rule names
the issued credential's achievement in an `achievement` node (the cheap filter: a rule that reaches the
achievement only through a `competencies` node or a `credits` node without `of` is not looked at). Each one is
judged like `POST /api/v1/pathways/{id}/award` with the learner's stored credentials only (`include_stored`, nothing
presented), every one through the `verify` port, and awarded through the same code path
(issuer.pathway_awards.award_composite: one award per learner and pathway version, concurrent requests included).

The issuance has committed before any of this runs, so nothing here can undo it: a pathway that fails (the verifier
is not available, the pathway's issuer has no active key, a database error) is logged and reported as an
`AutoAwardError`, and the next pathway is tried. Only awards made now are listed; a pathway the learner was already
awarded (for its current version) is skipped before anything is verified. A composite awarded here does not itself
trigger further auto-awards.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.db import write_session
from issuer.errors import IssuerError
from issuer.issuance import IssuancePorts
from issuer.models import Pathway, PathwayVersion
from issuer.pathway_awards import Awarded, award_composite, existing_award
from issuer.pathway_definitions import PathwayUrls
from issuer.pathway_evaluation import (
    Evaluated,
    Judging,
    evaluate_learner,
    learner_key,
    learner_of,
    load_judging,
    stored_candidates,
)
from issuer.pathways.candidates import Candidate
from issuer.pathways.rules import parse_rule, referenced_ids
from issuer.principal import Principal
from issuer.repositories.credentials import RecipientKey
from issuer.runtime import IssuerContext
from schemas.issuance import AutoAward, AutoAwardError, Recipient

log = logging.getLogger(__name__)

INTERNAL = "INTERNAL_ERROR"


@dataclass(frozen=True, slots=True)
class AutoAwards:
    """The awards this issuance made, and the pathways that failed (the issuance stands either way)."""

    awards: list[AutoAward] = field(default_factory=list)
    errors: list[AutoAwardError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Pending:
    judging: Judging
    key: RecipientKey
    candidates: list[Candidate]


def rule_names_achievement(rule: Mapping[str, Any], achievement_id: uuid.UUID, urls: PathwayUrls) -> bool:
    """Whether an `achievement` node of the stored rule names the achievement (by uuid or public URL)."""
    achievements, _ = referenced_ids(parse_rule(rule))
    return any(urls.achievement_uuid(reference) == achievement_id for reference in achievements)


def auto_award_pathways(
    session: Session, organization_id: uuid.UUID, achievement_id: uuid.UUID, urls: PathwayUrls
) -> list[uuid.UUID]:
    """The organization's pathways, oldest first, whose current version auto-awards and names the achievement."""
    rows = session.execute(
        select(Pathway.id, PathwayVersion.rule)
        .join(PathwayVersion, PathwayVersion.pathway_id == Pathway.id)
        .where(
            Pathway.organization_id == organization_id,
            PathwayVersion.version == Pathway.current_version,
            PathwayVersion.auto_award.is_(True),
        )
        .order_by(Pathway.created_at, Pathway.id)
    )
    return [pathway_id for pathway_id, rule in rows if rule_names_achievement(rule, achievement_id, urls)]


@dataclass(frozen=True, slots=True)
class AutoAwarder:
    """Judges and awards the auto-award pathways of one issuance (module docstring)."""

    context: IssuerContext
    principal: Principal
    urls: PathwayUrls

    async def run(self, recipient: Recipient, achievement_id: uuid.UUID) -> AutoAwards:
        """Issue 5 `auto_award`: every matching pathway, each failure reported, none raised."""
        result = AutoAwards()
        try:
            pathway_ids = await anyio.to_thread.run_sync(self._pathways, achievement_id)
        except Exception as exc:  # the issuance committed: report, never fail it
            log.exception("auto-award: looking up the pathways of achievement %s failed", achievement_id)
            result.errors.append(_error(None, exc))
            return result
        for pathway_id in pathway_ids:
            try:
                made = await self._one(pathway_id, recipient)
            except Exception as exc:  # the issuance committed: report, never fail it
                log.exception("auto-award of pathway %s failed", pathway_id)
                result.errors.append(_error(pathway_id, exc))
                continue
            if made is not None:
                result.awards.append(made)
        return result

    def _pathways(self, achievement_id: uuid.UUID) -> list[uuid.UUID]:
        with self.context.sessions() as session:
            return auto_award_pathways(session, self.principal.organization_id, achievement_id, self.urls)

    async def _one(self, pathway_id: uuid.UUID, recipient: Recipient) -> AutoAward | None:
        pending = await anyio.to_thread.run_sync(self._prepare, pathway_id, recipient)
        if pending is None:
            return None
        # No transaction is open here: verifying the service's own credentials reads the database.
        evaluated = await evaluate_learner(
            pending.judging,
            pending.candidates,
            verify=self.context.require_verify(),
            learner=learner_of(recipient),
            now=self.context.clock(),
        )
        if not evaluated.evaluation.satisfied:
            return None
        issue = functools.partial(self._award, pending, evaluated, recipient)
        awarded = await anyio.to_thread.run_sync(issue)
        if not awarded.created:
            return None  # a concurrent request awarded it first: not made by this issuance
        credential = awarded.credential
        return AutoAward(
            pathway_id=pending.judging.pathway_id,
            pathway_version=pending.judging.version,
            id=str(credential.id),
            credential_id=credential.credential_id,
        )

    def _prepare(self, pathway_id: uuid.UUID, recipient: Recipient) -> _Pending | None:
        """The pathway's current version and the learner's stored credentials; None when already awarded."""
        organization_id = self.principal.organization_id
        with self.context.sessions() as session:
            judging = load_judging(session, organization_id, pathway_id, self.urls)
            key = learner_key(recipient, organization_id, self.context.require_master_key())
            if existing_award(session, organization_id, judging.version_id, key) is not None:
                return None
            return _Pending(judging, key, stored_candidates(session, organization_id, key))

    def _award(self, pending: _Pending, evaluated: Evaluated, recipient: Recipient) -> Awarded:
        ports = IssuancePorts.of(self.context, self.urls.base_url)
        with write_session(self.context.sessions) as writer:
            return award_composite(
                writer,
                self.principal,
                pending.judging,
                evaluated,
                pending.candidates,
                recipient=recipient,
                key=pending.key,
                ports=ports,
            )


def _error(pathway_id: uuid.UUID | None, exc: Exception) -> AutoAwardError:
    """The problem code and detail of a domain error; other failures only as INTERNAL_ERROR (details in the log)."""
    if isinstance(exc, IssuerError):
        return AutoAwardError(pathway_id=pathway_id, code=exc.code, detail=str(exc))
    return AutoAwardError(pathway_id=pathway_id, code=INTERNAL, detail="the pathway could not be judged or awarded")
