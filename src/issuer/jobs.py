"""Issue 3 "larger imports run as a job with progress": submitting a batch job and reading it back.

Submission validates every item at once, in one transaction with the job: valid items are stored sealed
(issuer.job_sealing) and `pending`, invalid ones `failed` with the 422 problem a single request would have got. A
worker (issuer.job_runner) issues the pending items later, each in its own transaction. The job belongs to the
caller's organization and runs as the submitting API client.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from issuer.batch_items import parse_item, problem_json
from issuer.job_sealing import seal_item
from issuer.keystore import MasterKey
from issuer.models import Job
from issuer.principal import Principal
from issuer.repositories.audit import record_audit
from issuer.repositories.jobs import JobRepository, NewJobItem
from schemas.problem import Problem

CREDENTIAL_BATCH = "credential_batch"


def submit_credential_batch(
    session: Session, principal: Principal, items: Sequence[Any], *, master: MasterKey, now: datetime
) -> Job:
    """Store a `queued` batch job with its items and an audit entry (`job.create`); committed on return."""
    job_id = uuid.uuid4()
    new_items = [_new_item(master, job_id, index, raw) for index, raw in enumerate(items)]
    job = JobRepository(session, principal.organization_id).create(
        job_id, created_by=principal.client_id, items=new_items, now=now, kind=CREDENTIAL_BATCH
    )
    record_audit(
        session,
        organization_id=principal.organization_id,
        actor=principal.actor,
        action="job.create",
        subject=f"job:{job_id}",
        at=now,
    )
    session.commit()
    return job


def _new_item(master: MasterKey, job_id: uuid.UUID, index: int, raw: Any) -> NewJobItem:
    item = parse_item(raw)
    if isinstance(item, Problem):
        return NewJobItem(index, None, None, http_status=item.status, error=problem_json(item))
    # The validated request (defaults in, nulls out) is what the worker validates again and hashes.
    request = item.issue_request().model_dump_json(exclude_none=True).encode()
    return NewJobItem(index, item.idempotency_key, seal_item(master, job_id, index, request))


def progress(job: Job) -> float:
    """Share of items processed, 0 to 1 (a job has at least one item)."""
    return round((job.succeeded + job.failed) / job.total, 4)
