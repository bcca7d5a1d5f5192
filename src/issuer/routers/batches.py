"""`POST /api/v1/credentials/batch` (issue 3): issue up to 1,000 credentials in one request, each on its own, or
submit a larger batch as a job (`GET /api/v1/jobs/{id}`).

Needs `credentials:issue`. The handler is plain `def` (FastAPI's thread pool): items are issued one after another,
each in its own write transaction through issue_credential, so the event loop never blocks and other writers
interleave between items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from issuer.batch_items import issue_batch
from issuer.db import write_session
from issuer.dependencies import IssuerContextDep, SessionDep, require_scope
from issuer.issuance import IssuancePorts
from issuer.jobs import submit_credential_batch
from issuer.principal import Principal
from issuer.routers.batch_json import batch_body
from issuer.routers.jobs import JOBS_PREFIX
from issuer.scopes import Scope
from schemas.batch import MAX_JOB_ITEMS, MAX_SYNC_ITEMS, BatchRequest, BatchResponse, JobAccepted
from schemas.problem import Problem

BATCH_PATH = "/api/v1/credentials/batch"
JSON = "application/json"

Issuing = Annotated[Principal, Depends(require_scope(Scope.CREDENTIALS_ISSUE))]
AsyncFlag = Annotated[
    bool,
    Query(alias="async", description=f"run as a job even with {MAX_SYNC_ITEMS} items or fewer"),
]


@dataclass(frozen=True, slots=True)
class BatchRoutes:
    """The handler, bound to the public base URL that status list URLs are published under."""

    base_url: str

    def submit(
        self,
        body: BatchRequest,
        principal: Issuing,
        session: SessionDep,
        context: IssuerContextDep,
        run_async: AsyncFlag = False,
    ) -> Response:
        """Issue 3: up to 1,000 items answered here (200, a result per item); more, or `?async=true`, a job (202)."""
        # Authentication's read transaction ends here: its connection goes back to the pool for the item writers.
        session.rollback()
        if run_async or len(body.items) > MAX_SYNC_ITEMS:
            return self._job(body, principal, context)
        ports = IssuancePorts.of(context, self.base_url)
        outcomes = issue_batch(context.sessions, principal, body.items, ports=ports)
        return Response(batch_body(outcomes), media_type=JSON)

    def _job(self, body: BatchRequest, principal: Principal, context: IssuerContextDep) -> Response:
        with write_session(context.sessions) as session:
            job = submit_credential_batch(
                session, principal, body.items, master=context.require_master_key(), now=context.clock()
            )
        status_url = f"{JOBS_PREFIX}/{job.id}"
        accepted = JobAccepted(
            job_id=job.id, status="queued", total=job.total, status_url=status_url, results_url=f"{status_url}/results"
        )
        return Response(accepted.model_dump_json(), status_code=202, media_type=JSON, headers={"Location": status_url})


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": BatchResponse, "description": "every item's result (issued, replayed or its problem), in order"},
    202: {"model": JobAccepted, "description": f"more than {MAX_SYNC_ITEMS} items, or `?async=true`: a job"},
    401: {"model": Problem, "description": "no or an invalid access token"},
    403: {"model": Problem, "description": "the token lacks credentials:issue"},
    413: {"model": Problem, "description": "the body exceeds CREDSTACK_MAX_BATCH_BYTES"},
    422: {"model": Problem, "description": f"no `items`, or not 1 to {MAX_JOB_ITEMS} of them"},
}


def build_batches_router(*, base_url: str) -> APIRouter:
    """The batch issuance API; status list URLs in issued credentials are under `base_url`."""
    routes = BatchRoutes(base_url)
    router = APIRouter(tags=["credentials"])
    router.add_api_route(
        BATCH_PATH,
        routes.submit,
        methods=["POST"],
        status_code=200,
        summary="Issue a batch of credentials",
        responses=_RESPONSES,
        response_class=Response,
    )
    return router
