"""`GET /api/v1/learners/clr` (issue 5): a learner's signed CLR 2.0 ClrCredential (STANDARDS.md §5); scope
`credentials:read`. Thin: the record is assembled and signed by issuer.learner_records.

The handler is a plain `def`: FastAPI runs it in its thread pool, so signing never blocks the event loop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from issuer.dependencies import IssuerContextDep, SessionDep, require_scope
from issuer.issuance import IssuancePorts
from issuer.learner_records import learner_record
from issuer.principal import Principal
from issuer.scopes import Scope
from schemas.issuance import DID_MAX, EMAIL_MAX, Recipient
from schemas.problem import Problem

PREFIX = "/api/v1/learners"
VC_MEDIA_TYPE = "application/vc+ld+json"

Reader = Annotated[Principal, Depends(require_scope(Scope.CREDENTIALS_READ))]


def learner_of_query(email: str | None, did: str | None) -> Recipient:
    """Exactly one of `email` and `did` (schemas.issuance.Recipient); anything else is 422 located in the query."""
    try:
        return Recipient(email=email, did=did)
    except ValidationError as exc:
        errors = [
            {"loc": ("query", *(str(part) for part in error["loc"])), "msg": error["msg"], "type": error["type"]}
            for error in exc.errors()
        ]
        raise RequestValidationError(errors) from None


@dataclass(frozen=True, slots=True)
class LearnerRoutes:
    """The handlers, bound to the public base URL."""

    base_url: str

    def clr(
        self,
        principal: Reader,
        session: SessionDep,
        context: IssuerContextDep,
        email: Annotated[str | None, Query(max_length=EMAIL_MAX, description="the learner's email address")] = None,
        did: Annotated[str | None, Query(max_length=DID_MAX, description="the learner's DID")] = None,
        issuer_id: Annotated[
            uuid.UUID | None, Query(description="the issuer that signs (default: the organization's first)")
        ] = None,
    ) -> Response:
        """CLR 2.0 (STANDARDS.md §5): the learner's ClrCredential, signed now, as `application/vc+ld+json`."""
        learner = learner_of_query(email, did)
        ports = IssuancePorts.of(context, self.base_url)
        text = learner_record(session, principal.organization_id, learner, issuer_id=issuer_id, ports=ports)
        return Response(text.encode("utf-8"), media_type=VC_MEDIA_TYPE)


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        401: "no or an invalid access token",
        403: "the token lacks the scope",
        404: "no active credential of the learner (or no such issuer) in your organization",
        409: "the issuer has no active key",
        422: "not exactly one of email and did, or a record that would not be a valid CLR",
    }.items()
}


def build_learners_router(*, base_url: str) -> APIRouter:
    """The learner records API."""
    routes = LearnerRoutes(base_url)
    router = APIRouter(prefix=PREFIX, tags=["learners"], responses=_ERRORS)
    ok: dict[int | str, dict[str, Any]] = {200: {"content": {VC_MEDIA_TYPE: {}}, "description": "the signed CLR"}}
    router.add_api_route("/clr", routes.clr, methods=["GET"], summary="A learner's CLR 2.0", responses=ok)
    return router
