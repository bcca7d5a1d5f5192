"""`/api/v1/jobs` (issue 3): a batch job's state and progress, and its per-item results, page by page.

Reading needs `credentials:issue` (whoever submits) or `credentials:read`. Another organization's job is 404, as is
an id that is not a UUID.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from issuer.any_scope import any_scope_openapi, require_any_scope
from issuer.dependencies import IssuerContextDep, SessionDep
from issuer.errors import NotFound
from issuer.jobs import progress
from issuer.principal import Principal
from issuer.repositories.jobs import MAX_RESULTS_PAGE, JobRepository
from issuer.routers.batch_json import results_body
from issuer.scopes import Scope
from issuer.wallets.claim_links import current_claim_link
from schemas.batch import ItemState, JobResource, JobResultsPage
from schemas.problem import Problem

JOBS_PREFIX = "/api/v1/jobs"
DEFAULT_RESULTS = 100
MAX_OFFSET = 2**31 - 1
_SCOPES = (Scope.CREDENTIALS_ISSUE, Scope.CREDENTIALS_READ)

Reader = Annotated[Principal, Depends(require_any_scope(*_SCOPES))]


def parse_job_id(value: str) -> uuid.UUID:
    """A job's id; anything that is not a UUID names no job (404, like another organization's)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such job") from None


def get_job(job_id: str, principal: Reader, session: SessionDep) -> JobResource:
    """Issue 3 "a job with progress": status, counters, progress (0 to 1) and timestamps."""
    job = JobRepository(session, principal.organization_id).get(parse_job_id(job_id))
    return JobResource.model_validate(
        {
            "id": job.id,
            "kind": job.kind,
            "status": job.status,
            "total": job.total,
            "succeeded": job.succeeded,
            "failed": job.failed,
            "progress": progress(job),
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "results_url": f"{JOBS_PREFIX}/{job.id}/results",
            "error": Problem.model_validate_json(job.error) if job.error is not None else None,
        }
    )


@dataclass(frozen=True, slots=True)
class JobRoutes:
    """The results handler, bound to the public base URL that claim links are under."""

    base_url: str

    def get_results(
        self,
        job_id: str,
        principal: Reader,
        session: SessionDep,
        context: IssuerContextDep,
        state: Annotated[ItemState | None, Query(description="only items in this state")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_RESULTS_PAGE)] = DEFAULT_RESULTS,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Response:
        """Issue 3 per-item results in index order; the number matching `state` in `total` and X-Total-Count.

        Issue 6: each issued item's credential carries its live claim link, as a single issuance's response does.
        """
        row_id = parse_job_id(job_id)
        repository = JobRepository(session, principal.organization_id)
        page = repository.results(row_id, state=state, limit=limit, offset=offset)
        master, now = context.require_master_key(), context.clock()
        claim_urls = {}
        for row in page.rows:
            if row.credential is not None:
                link = current_claim_link(session, row.credential, master=master, base_url=self.base_url, now=now)
                if link is not None:
                    claim_urls[row.credential.id] = link.url
        body = results_body(row_id, page, offset=offset, limit=limit, claim_urls=claim_urls)
        return Response(body, media_type="application/json", headers={"X-Total-Count": str(page.total)})


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no or an invalid access token"},
    403: {"model": Problem, "description": "the token has neither credentials:issue nor credentials:read"},
    404: {"model": Problem, "description": "no such job in your organization"},
}


def build_jobs_router(*, base_url: str) -> APIRouter:
    routes = JobRoutes(base_url)
    router = APIRouter(prefix=JOBS_PREFIX, tags=["jobs"], responses=_ERRORS)
    security = any_scope_openapi(*_SCOPES)
    router.add_api_route("/{job_id}", get_job, methods=["GET"], summary="Get a job", openapi_extra=security)
    router.add_api_route(
        "/{job_id}/results",
        routes.get_results,
        methods=["GET"],
        summary="Get a job's per-item results",
        responses={200: {"model": JobResultsPage, "description": "one page of results"}},
        openapi_extra=security,
    )
    return router
