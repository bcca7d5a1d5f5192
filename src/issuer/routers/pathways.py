"""`/api/v1/pathways`: composite awards of the caller's organization (issue 5 "Pathways"), their versions and their
curriculum coverage. Thin: rules live in issuer.pathway_service, issuer.pathway_definitions and
issuer.curriculum_coverage.

Writes need `pathways:write`. Reads take any of `pathways:write` (the pathways' authors), `credentials:issue`
(evaluating and awarding name a pathway) and `credentials:read`. Evaluating and awarding
(issuer.routers.pathway_awards) need `credentials:issue`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from issuer import pathway_service as service
from issuer.any_scope import any_scope_openapi, require_any_scope
from issuer.curriculum_coverage import pathway_coverage
from issuer.dependencies import IssuerContextDep, SessionDep, WriteSessionDep, require_scope
from issuer.pathway_definitions import PathwayUrls
from issuer.pathway_progress import pathway_progress
from issuer.pathway_service import StoredPathway
from issuer.principal import Principal
from issuer.routers.achievements import MAX_OFFSET, PagingDep, body_field_errors
from issuer.routers.pathway_awards import add_award_routes
from issuer.scopes import Scope
from schemas.pathway_api import (
    CoverageResource,
    CreatePathwayRequest,
    PathwayProgressResource,
    PathwayResource,
    UpdatePathwayRequest,
)
from schemas.problem import Problem

PREFIX = "/api/v1/pathways"
READ_SCOPES = (Scope.PATHWAYS_WRITE, Scope.CREDENTIALS_ISSUE, Scope.CREDENTIALS_READ)

Writer = Annotated[Principal, Depends(require_scope(Scope.PATHWAYS_WRITE))]
Reader = Annotated[Principal, Depends(require_any_scope(*READ_SCOPES))]
PathwayId = Annotated[uuid.UUID, Path(description="the pathway's id")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_OFFSET)]


def resource(stored: StoredPathway) -> PathwayResource:
    pathway, row = stored.pathway, stored.row
    return PathwayResource(
        id=pathway.id,
        issuer_id=pathway.issuer_id,
        composite_achievement_id=pathway.composite_achievement_id,
        version=row.version,
        current_version=pathway.current_version,
        name=row.name,
        rule=row.rule,
        trusted_issuers=row.trusted_issuers,
        equivalences=row.equivalences,
        max_age_days=row.max_age_days,
        auto_award=row.auto_award,
        created_at=pathway.created_at,
        version_created_at=row.created_at,
    )


@dataclass(frozen=True, slots=True)
class PathwayRoutes:
    """The handlers, bound to where the achievements and competencies that pathways name are published."""

    urls: PathwayUrls

    def create(
        self,
        body: CreatePathwayRequest,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
        response: Response,
    ) -> PathwayResource:
        """Issue 5: a new pathway, version 1; 201 with Location."""
        with body_field_errors():
            stored = service.create_pathway(session, principal, body, urls=self.urls, now=context.clock())
        response.headers["Location"] = f"{PREFIX}/{stored.pathway.id}"
        return resource(stored)

    def update(
        self,
        pathway_id: PathwayId,
        body: UpdatePathwayRequest,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
    ) -> PathwayResource:
        """Issue 5: the next version from a complete definition (earlier versions stay as they are)."""
        with body_field_errors():
            stored = service.update_pathway(session, principal, pathway_id, body, urls=self.urls, now=context.clock())
        return resource(stored)

    def index(
        self,
        principal: Reader,
        session: SessionDep,
        page: PagingDep,
        response: Response,
        issuer_id: Annotated[uuid.UUID | None, Query(description="only this issuer's pathways")] = None,
    ) -> list[PathwayResource]:
        """Issue 5: the organization's pathways (current versions), oldest first; X-Total-Count."""
        found = service.list_pathways(
            session, principal.organization_id, issuer_id=issuer_id, limit=page.limit, offset=page.offset
        )
        response.headers["X-Total-Count"] = str(found.total)
        return [resource(stored) for stored in found.items]

    def get(self, pathway_id: PathwayId, principal: Reader, session: SessionDep) -> PathwayResource:
        """Issue 5: one pathway, current version."""
        return resource(service.fixed_version(session, principal.organization_id, pathway_id))

    def versions(
        self, pathway_id: PathwayId, principal: Reader, session: SessionDep, page: PagingDep, response: Response
    ) -> list[PathwayResource]:
        """Issue 5: every version of one pathway, version 1 first; X-Total-Count."""
        found = service.list_versions(
            session, principal.organization_id, pathway_id, limit=page.limit, offset=page.offset
        )
        response.headers["X-Total-Count"] = str(found.total)
        return [resource(stored) for stored in found.items]

    def version(
        self, pathway_id: PathwayId, number: VersionNumber, principal: Reader, session: SessionDep
    ) -> PathwayResource:
        """Issue 5: one fixed version of one pathway (the one an award records)."""
        return resource(service.fixed_version(session, principal.organization_id, pathway_id, number))

    def coverage(
        self,
        pathway_id: PathwayId,
        principal: Reader,
        session: SessionDep,
        version: Annotated[int | None, Query(ge=1, le=MAX_OFFSET, description="default: the current one")] = None,
    ) -> CoverageResource:
        """Issue 5 "Curriculum coverage": the pathway's competencies, the templates covering each, the gaps."""
        return pathway_coverage(session, principal.organization_id, pathway_id, version, self.urls)

    def progress(self, pathway_id: PathwayId, principal: Reader, session: SessionDep) -> PathwayProgressResource:
        """Issue 5 `progress`: learners per requirements met, completion rate and median days to award, from the
        stored credentials (no signature verified again; issuer.pathway_progress)."""
        return pathway_progress(session, principal.organization_id, pathway_id, self.urls)


_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        401: "no or an invalid access token",
        403: "the token lacks the scope",
        404: "no such pathway (or version) in your organization",
        422: "invalid input; `errors` lists the fields",
    }.items()
}


def build_pathways_router(*, base_url: str) -> APIRouter:
    """The pathways API; achievement and competency references resolve against `base_url`."""
    routes = PathwayRoutes(PathwayUrls(base_url))
    router = APIRouter(prefix=PREFIX, tags=["pathways"], responses=_ERRORS)
    reads = any_scope_openapi(*READ_SCOPES)
    router.add_api_route("", routes.create, methods=["POST"], status_code=201, summary="Create a pathway")
    router.add_api_route("", routes.index, methods=["GET"], summary="List pathways", openapi_extra=reads)
    router.add_api_route("/{pathway_id}", routes.get, methods=["GET"], summary="Get a pathway", openapi_extra=reads)
    router.add_api_route("/{pathway_id}", routes.update, methods=["PUT"], summary="Edit a pathway (new version)")
    router.add_api_route(
        "/{pathway_id}/versions", routes.versions, methods=["GET"], summary="List versions", openapi_extra=reads
    )
    router.add_api_route(
        "/{pathway_id}/versions/{number}", routes.version, methods=["GET"], summary="Get a version", openapi_extra=reads
    )
    router.add_api_route(
        "/{pathway_id}/coverage",
        routes.coverage,
        methods=["GET"],
        summary="Curriculum coverage of a pathway",
        openapi_extra=reads,
    )
    router.add_api_route(
        "/{pathway_id}/progress",
        routes.progress,
        methods=["GET"],
        summary="Progress of learners through a pathway",
        openapi_extra=reads,
    )
    add_award_routes(router, routes.urls)
    return router
