"""`/api/v1/achievements`: OB 3.0 §B.1.1 Achievement templates of the caller's organization. Thin: rules live in
issuer.achievement_service.

Writes need `achievements:write`. Reads take any of `achievements:write` (the templates' authors),
`credentials:issue` (issuing names an achievement) and `credentials:read` (reading credentials means reading what
they award). `build_achievements_router` also mounts the public, unauthenticated `GET /achievements/{uuid}`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from issuer import achievement_service as service
from issuer.achievement_service import AchievementUrls, StoredVersion
from issuer.achievements import FieldError, FieldProblem
from issuer.any_scope import any_scope_openapi, require_any_scope
from issuer.competencies import CompetencyUrls
from issuer.competency_service import align_to_competencies
from issuer.dependencies import IssuerContextDep, SessionDep, WriteSessionDep, require_scope
from issuer.principal import Principal
from issuer.routers.public_achievements import build_public_achievements_router
from issuer.scopes import Scope
from schemas.achievement_api import AchievementResource, CreateAchievementRequest, UpdateAchievementRequest
from schemas.problem import Problem

PREFIX = "/api/v1/achievements"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Larger offsets overflow the databases' integer types (a 500, not an answer); no organization has this many.
MAX_OFFSET = 2**31 - 1
READ_SCOPES = (Scope.ACHIEVEMENTS_WRITE, Scope.CREDENTIALS_ISSUE, Scope.CREDENTIALS_READ)

Writer = Annotated[Principal, Depends(require_scope(Scope.ACHIEVEMENTS_WRITE))]
Reader = Annotated[Principal, Depends(require_any_scope(*READ_SCOPES))]
AchievementId = Annotated[uuid.UUID, Path(description="the achievement's `uuid`")]


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(paging)]


@contextmanager
def body_field_errors() -> Iterator[None]:
    """Domain field errors located like FastAPI's request validation errors: under `body`."""
    try:
        yield
    except FieldError as exc:
        raise type(exc)([FieldProblem(("body", *p.loc), p.msg, p.type) for p in exc.problems]) from exc


@dataclass(frozen=True, slots=True)
class AchievementRoutes:
    """The handlers, bound to where achievements are published."""

    urls: AchievementUrls

    @property
    def competency_urls(self) -> CompetencyUrls:
        return CompetencyUrls(self.urls.base_url)

    def resource(self, stored: StoredVersion) -> AchievementResource:
        achievement, row = stored.achievement, stored.row
        return AchievementResource(
            id=self.urls.public(achievement.id),
            uuid=achievement.id,
            issuer_id=achievement.issuer_id,
            version=row.version,
            current_version=achievement.current_version,
            version_url=self.urls.version(achievement.id, row.version),
            achievement=row.document,
            created_at=achievement.created_at,
            version_created_at=row.created_at,
        )

    def create(
        self,
        body: CreateAchievementRequest,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
        response: Response,
    ) -> AchievementResource:
        """OB 3.0 §B.1.1: a new achievement, version 1; 201 with Location."""
        with body_field_errors():
            org = principal.organization_id
            template = align_to_competencies(session, org, body, body.competencies, self.competency_urls)
            stored = service.create_achievement(
                session, principal, template, issuer_id=body.issuer_id, urls=self.urls, now=context.clock()
            )
        response.headers["Location"] = f"{PREFIX}/{stored.achievement.id}"
        return self.resource(stored)

    def update(
        self,
        achievement_id: AchievementId,
        body: UpdateAchievementRequest,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
    ) -> AchievementResource:
        """OB 3.0 §B.1.1: the next version from a complete template (earlier versions stay as they are)."""
        with body_field_errors():
            org = principal.organization_id
            template = align_to_competencies(session, org, body, body.competencies, self.competency_urls)
            stored = service.update_achievement(
                session,
                principal,
                achievement_id,
                template,
                issuer_id=body.issuer_id,
                urls=self.urls,
                now=context.clock(),
            )
        return self.resource(stored)

    def index(
        self,
        principal: Reader,
        session: SessionDep,
        page: PagingDep,
        response: Response,
        issuer_id: Annotated[uuid.UUID | None, Query(description="only this issuer's achievements")] = None,
    ) -> list[AchievementResource]:
        """OB 3.0 §B.1.1: the organization's achievements (current versions), oldest first; X-Total-Count."""
        found = service.list_achievements(
            session, principal.organization_id, issuer_id=issuer_id, limit=page.limit, offset=page.offset
        )
        response.headers["X-Total-Count"] = str(found.total)
        return [self.resource(stored) for stored in found.items]

    def get(self, achievement_id: AchievementId, principal: Reader, session: SessionDep) -> AchievementResource:
        """OB 3.0 §B.1.1: one achievement, current version."""
        return self.resource(service.current_version(session, principal.organization_id, achievement_id))

    def versions(
        self,
        achievement_id: AchievementId,
        principal: Reader,
        session: SessionDep,
        page: PagingDep,
        response: Response,
    ) -> list[AchievementResource]:
        """OB 3.0 §B.1.1: every version of one achievement, version 1 first; X-Total-Count."""
        found = service.list_versions(
            session, principal.organization_id, achievement_id, limit=page.limit, offset=page.offset
        )
        response.headers["X-Total-Count"] = str(found.total)
        return [self.resource(stored) for stored in found.items]

    def version(
        self,
        achievement_id: AchievementId,
        number: Annotated[int, Path(ge=1, le=MAX_OFFSET)],
        principal: Reader,
        session: SessionDep,
    ) -> AchievementResource:
        """OB 3.0 §B.1.1: one fixed version of one achievement."""
        return self.resource(service.fixed_version(session, principal.organization_id, achievement_id, number))


_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        401: "no or an invalid access token",
        403: "the token lacks the scope",
        404: "no such achievement in your organization",
        422: "invalid input; `errors` lists the fields",
    }.items()
}


def _api_router(routes: AchievementRoutes) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["achievements"], responses=_ERRORS)
    reads = any_scope_openapi(*READ_SCOPES)
    router.add_api_route("", routes.create, methods=["POST"], status_code=201, summary="Create an achievement")
    router.add_api_route("", routes.index, methods=["GET"], summary="List achievements", openapi_extra=reads)
    router.add_api_route(
        "/{achievement_id}", routes.get, methods=["GET"], summary="Get an achievement", openapi_extra=reads
    )
    router.add_api_route(
        "/{achievement_id}", routes.update, methods=["PUT"], summary="Edit an achievement (new version)"
    )
    router.add_api_route(
        "/{achievement_id}/versions", routes.versions, methods=["GET"], summary="List versions", openapi_extra=reads
    )
    router.add_api_route(
        "/{achievement_id}/versions/{number}",
        routes.version,
        methods=["GET"],
        summary="Get a version",
        openapi_extra=reads,
    )
    return router


def build_achievements_router(*, base_url: str) -> APIRouter:
    """The achievements API and the public achievement documents, publishing under `base_url`."""
    router = APIRouter()
    router.include_router(_api_router(AchievementRoutes(AchievementUrls(base_url))))
    router.include_router(build_public_achievements_router())
    return router
