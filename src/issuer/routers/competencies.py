"""`/api/v1/competencies`: the competency frameworks of the caller's organization (issue 5 "Competencies and
curriculum mapping"). Thin: rules live in issuer.competency_service.

Writes need `achievements:write` (competencies are what achievements align to); reads accept the achievements
API's read scopes. `build_competencies_router` also mounts the public, unauthenticated `GET /competencies/{uuid}`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from issuer import competency_service as service
from issuer.achievements import alignments
from issuer.any_scope import any_scope_openapi, require_any_scope
from issuer.competencies import CompetencyUrls, competency_alignment
from issuer.dependencies import IssuerContextDep, SessionDep, WriteSessionDep, require_scope
from issuer.models import Competency
from issuer.principal import Principal
from issuer.routers.achievements import READ_SCOPES, PagingDep
from issuer.routers.public_competencies import build_public_competencies_router
from issuer.scopes import Scope
from schemas.competency_api import KEY_MAX, CompetencyResource, CreateCompetencyRequest
from schemas.problem import Problem

PREFIX = "/api/v1/competencies"

Writer = Annotated[Principal, Depends(require_scope(Scope.ACHIEVEMENTS_WRITE))]
Reader = Annotated[Principal, Depends(require_any_scope(*READ_SCOPES))]
CompetencyId = Annotated[uuid.UUID, Path(description="the competency's `uuid`")]


@dataclass(frozen=True, slots=True)
class CompetencyRoutes:
    """The handlers, bound to where competencies are published."""

    urls: CompetencyUrls

    def resource(self, competency: Competency) -> CompetencyResource:
        return CompetencyResource(
            id=self.urls.public(competency.id),
            uuid=competency.id,
            framework=competency.framework,
            code=competency.code,
            name=competency.name,
            description=competency.description,
            level=competency.level,
            alignment=alignments([competency_alignment(competency, self.urls)])[0],
            created_at=competency.created_at,
        )

    def create(
        self,
        body: CreateCompetencyRequest,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
        response: Response,
    ) -> CompetencyResource:
        """Issue 5: a new competency; 201 with Location, 409 when its framework already has the code."""
        competency = service.create_competency(session, principal, body, now=context.clock())
        response.headers["Location"] = f"{PREFIX}/{competency.id}"
        return self.resource(competency)

    def index(
        self,
        principal: Reader,
        session: SessionDep,
        page: PagingDep,
        response: Response,
        framework: Annotated[str | None, Query(max_length=KEY_MAX, description="only this framework's")] = None,
    ) -> list[CompetencyResource]:
        """Issue 5: the organization's competencies by framework, then code; X-Total-Count."""
        found = service.list_competencies(
            session, principal.organization_id, framework=framework, limit=page.limit, offset=page.offset
        )
        response.headers["X-Total-Count"] = str(found.total)
        return [self.resource(competency) for competency in found.items]

    def get(self, competency_id: CompetencyId, principal: Reader, session: SessionDep) -> CompetencyResource:
        """Issue 5: one competency."""
        return self.resource(service.get_competency(session, principal.organization_id, competency_id))


_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        401: "no or an invalid access token",
        403: "the token lacks the scope",
        404: "no such competency in your organization",
        409: "the framework already has a competency with this code",
        422: "invalid input; `errors` lists the fields",
    }.items()
}


def build_competencies_router(*, base_url: str) -> APIRouter:
    """The competencies API and the public competency documents, publishing under `base_url`."""
    urls = CompetencyUrls(base_url)
    routes = CompetencyRoutes(urls)
    api = APIRouter(prefix=PREFIX, tags=["competencies"], responses=_ERRORS)
    reads = any_scope_openapi(*READ_SCOPES)
    api.add_api_route("", routes.create, methods=["POST"], status_code=201, summary="Create a competency")
    api.add_api_route("", routes.index, methods=["GET"], summary="List competencies", openapi_extra=reads)
    api.add_api_route("/{competency_id}", routes.get, methods=["GET"], summary="Get a competency", openapi_extra=reads)
    router = APIRouter()
    router.include_router(api)
    router.include_router(build_public_competencies_router(urls))
    return router
