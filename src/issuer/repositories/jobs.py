"""Issue 3 batch jobs of one organization: create a job with its items, read its state, page through its results.

Every query carries the organization filter; another organization's job is NotFound. What workers do to jobs of
any organization (claiming, leases, recording items) is in issuer.repositories.job_leases.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from issuer.errors import InvalidInput, NotFound
from issuer.models import JOB_ITEM_STATUSES, Credential, Job, JobItem

MAX_RESULTS_PAGE = 500


@dataclass(frozen=True, slots=True)
class NewJobItem:
    """An item at submission: sealed when valid (pending), or already failed with its problem (JSON text)."""

    index: int
    idempotency_key: str | None
    sealed_request: bytes | None
    http_status: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item of a results page, with the credential it issued or replayed."""

    item: JobItem
    credential: Credential | None


@dataclass(frozen=True, slots=True)
class ResultsPage:
    rows: list[ItemRow]
    total: int


@dataclass(frozen=True, slots=True)
class JobRepository:
    session: Session
    organization_id: uuid.UUID

    def create(
        self, job_id: uuid.UUID, *, created_by: str, items: Sequence[NewJobItem], now: datetime, kind: str
    ) -> Job:
        """A queued job; items refused at submission count as failed from the start."""
        refused = sum(1 for item in items if item.sealed_request is None)
        job = Job(
            id=job_id,
            organization_id=self.organization_id,
            kind=kind,
            status="queued",
            total=len(items),
            succeeded=0,
            failed=refused,
            created_by=created_by,
            created_at=now,
            takeovers=0,
        )
        self.session.add(job)
        self.session.flush()
        self.session.execute(insert(JobItem), [self._row(job_id, item, now) for item in items])
        return job

    def _row(self, job_id: uuid.UUID, item: NewJobItem, now: datetime) -> dict[str, object]:
        pending = item.sealed_request is not None
        return {
            "job_id": job_id,
            "item_index": item.index,
            "organization_id": self.organization_id,
            "status": "pending" if pending else "failed",
            "idempotency_key": item.idempotency_key,
            "sealed_request": item.sealed_request,
            "http_status": item.http_status,
            "credential_id": None,
            "error": item.error,
            "processed_at": None if pending else now,
        }

    def get(self, job_id: uuid.UUID) -> Job:
        job = self.session.scalar(select(Job).where(Job.organization_id == self.organization_id, Job.id == job_id))
        if job is None:
            raise NotFound(f"no job {job_id}")
        return job

    def results(self, job_id: uuid.UUID, *, state: str | None, limit: int, offset: int) -> ResultsPage:
        """Items in index order with their credentials; `state` filters (pending, succeeded, failed)."""
        if state is not None and state not in JOB_ITEM_STATUSES:
            raise InvalidInput(f"state must be one of {', '.join(JOB_ITEM_STATUSES)}")
        if not 1 <= limit <= MAX_RESULTS_PAGE or offset < 0:
            raise InvalidInput(f"limit must be 1..{MAX_RESULTS_PAGE} and offset at least 0")
        job = self.get(job_id)
        where = [JobItem.job_id == job.id, JobItem.organization_id == self.organization_id]
        if state is not None:
            where.append(JobItem.status == state)
        total = self.session.scalar(select(func.count()).select_from(JobItem).where(*where)) or 0
        query = (
            select(JobItem, Credential)
            .outerjoin(Credential, Credential.id == JobItem.credential_id)
            .where(*where)
            .order_by(JobItem.item_index)
            .limit(limit)
            .offset(offset)
        )
        rows = [ItemRow(item, credential) for item, credential in self.session.execute(query)]
        return ResultsPage(rows, total)
