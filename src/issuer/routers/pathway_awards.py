"""`POST /api/v1/pathways/{id}/evaluate` and `/award` (issue 5 "Evaluate and award"); both need `credentials:issue`.

Thin: the rules live in issuer.pathway_evaluation and issuer.pathway_awards. The handlers are async because
verification is awaited on the verifier's runner (the `verify` port in the IssuerContext); their database work runs
in the thread pool, and no transaction stays open while credentials are verified (verifying the service's own
credentials reads its database from the verifier's thread). An award is issued in a write session of its own,
opened only once the evaluation is known.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from issuer.db import write_session
from issuer.dependencies import IssuerContextDep, SessionDep, require_scope
from issuer.issuance import IssuancePorts
from issuer.pathway_awards import Awarded, PathwayNotSatisfied, award_composite, existing_award
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
from issuer.principal import Principal
from issuer.repositories.credentials import RecipientKey
from issuer.routers.stored_json import object_with_raw_member, stored_value
from issuer.runtime import IssuerContext
from issuer.scopes import Scope
from schemas.pathway_award_api import AwardResponse, EvaluateRequest, PathwayEvaluation
from schemas.problem import PROBLEM_MEDIA_TYPE, Problem, problem_type

CREDENTIALS = "/api/v1/credentials"
JSON = "application/json"

Issuing = Annotated[Principal, Depends(require_scope(Scope.CREDENTIALS_ISSUE))]
PathwayId = Annotated[uuid.UUID, Path(description="the pathway's id")]


@dataclass(frozen=True, slots=True)
class Prepared:
    """What was read before verification: the pathway version, the learner's key, the candidates, an award made."""

    judging: Judging
    key: RecipientKey
    candidates: list[Candidate]
    earlier: Awarded | None = None


def _prepare(
    session: Session,
    context: IssuerContext,
    principal: Principal,
    pathway_id: uuid.UUID,
    body: EvaluateRequest,
    urls: PathwayUrls,
    *,
    awarding: bool,
) -> Prepared:
    organization_id = principal.organization_id
    try:
        judging = load_judging(session, organization_id, pathway_id, urls)
        key = learner_key(body.learner, organization_id, context.require_master_key())
        earlier = existing_award(session, organization_id, judging.version_id, key) if awarding else None
        stored = stored_candidates(session, organization_id, key) if body.include_stored and earlier is None else []
        # Stored first: of two copies of one credential, the organization's stored text is the one counted and cited.
        return Prepared(judging, key, [*stored, *(Candidate(item) for item in body.credentials)], earlier)
    finally:
        session.rollback()  # no transaction stays open while the credentials are verified


def _award_body(awarded: Awarded) -> Response:
    row = awarded.credential
    content = object_with_raw_member(
        {"id": str(row.id), "evaluation": awarded.evaluation}, "credential", stored_value(row)
    )
    headers = {"Location": f"{CREDENTIALS}/{row.id}"}
    return Response(content, status_code=201 if awarded.created else 200, media_type=JSON, headers=headers)


def not_satisfied_response(exc: PathwayNotSatisfied) -> JSONResponse:
    """RFC 9457 problem details (409 PATHWAY_NOT_SATISFIED) carrying the evaluation as member `evaluation`."""
    problem = Problem(type=problem_type(exc.code), title=exc.title, status=exc.status, detail=exc.detail, code=exc.code)
    members = problem.model_dump(exclude_none=True) | {"evaluation": exc.evaluation.model_dump(mode="json")}
    return JSONResponse(members, status_code=exc.status, media_type=PROBLEM_MEDIA_TYPE)


async def _evaluated(prepared: Prepared, context: IssuerContext, body: EvaluateRequest) -> Evaluated:
    """Verify and judge the candidates, on the verifier's runner, with no database transaction open."""
    return await evaluate_learner(
        prepared.judging,
        prepared.candidates,
        verify=context.require_verify(),
        learner=learner_of(body.learner),
        now=context.clock(),
    )


@dataclass(frozen=True, slots=True)
class PathwayAwardRoutes:
    """The handlers, bound to where the achievements and competencies that pathways name are published."""

    urls: PathwayUrls

    async def evaluate(
        self,
        pathway_id: PathwayId,
        body: EvaluateRequest,
        principal: Issuing,
        session: SessionDep,
        context: IssuerContextDep,
    ) -> PathwayEvaluation:
        """Issue 5: whether the learner's credentials (presented, and stored unless `include_stored` is false)
        satisfy the pathway's current version; why each credential counts or not; what is missing."""
        prepared = await run_in_threadpool(
            _prepare, session, context, principal, pathway_id, body, self.urls, awarding=False
        )
        return (await _evaluated(prepared, context, body)).evaluation

    async def award(
        self,
        pathway_id: PathwayId,
        body: EvaluateRequest,
        principal: Issuing,
        session: SessionDep,
        context: IssuerContextDep,
    ) -> Response:
        """Issue 5: issue the composite credential when the pathway is satisfied: 201 `{"id", "evaluation",
        "credential"}`; the award already made to this learner for this version: 200 with the same body; 409
        `PATHWAY_NOT_SATISFIED` with the evaluation otherwise."""
        prepared = await run_in_threadpool(
            _prepare, session, context, principal, pathway_id, body, self.urls, awarding=True
        )
        if prepared.earlier is not None:
            return _award_body(prepared.earlier)
        evaluated = await _evaluated(prepared, context, body)
        if not evaluated.evaluation.satisfied:
            return not_satisfied_response(PathwayNotSatisfied(evaluated.evaluation))
        ports = IssuancePorts.of(context, self.urls.base_url)

        def issue() -> Awarded:
            with write_session(context.sessions) as writer:
                return award_composite(
                    writer,
                    principal,
                    prepared.judging,
                    evaluated,
                    prepared.candidates,
                    recipient=body.learner,
                    key=prepared.key,
                    ports=ports,
                )

        try:
            awarded = await run_in_threadpool(issue)
        except PathwayNotSatisfied as exc:
            return not_satisfied_response(exc)
        return _award_body(awarded)


_AWARD_RESPONSES: dict[int | str, dict[str, object]] = {
    201: {"model": AwardResponse, "description": "awarded now"},
    200: {"model": AwardResponse, "description": "awarded before: the same credential and evaluation"},
    409: {"model": Problem, "description": "PATHWAY_NOT_SATISFIED (with `evaluation`) or NO_ACTIVE_KEY"},
}


def add_award_routes(router: APIRouter, urls: PathwayUrls) -> None:
    """`/{pathway_id}/evaluate` and `/{pathway_id}/award` on the pathways router."""
    routes = PathwayAwardRoutes(urls)
    router.add_api_route(
        "/{pathway_id}/evaluate", routes.evaluate, methods=["POST"], summary="Evaluate a learner against a pathway"
    )
    router.add_api_route(
        "/{pathway_id}/award",
        routes.award,
        methods=["POST"],
        status_code=201,
        summary="Award a pathway's composite credential",
        responses=_AWARD_RESPONSES,
    )
