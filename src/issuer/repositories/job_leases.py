"""Issue 3 job workers in the database: claim a job under a lease, record items fenced by it, finish or release.

Claiming. A job is claimable when it is `queued`, or `running` under a lease that has run out (its worker died).
The claim is one write transaction: on PostgreSQL the candidate is selected `FOR UPDATE SKIP LOCKED` (concurrent
workers pass over each other's candidates instead of queueing on them); on SQLite the transaction holds the
database write lock (BEGIN IMMEDIATE). The UPDATE repeats the claimable condition, so even without the lock a job
goes to exactly one worker: under READ COMMITTED the second UPDATE re-checks the condition on the row the first
one committed, which is no longer claimable.

Fencing. Every write a worker makes for a job (an item's outcome, finishing, releasing) first updates the job row
on the condition that the worker still holds the lease, extending the lease as it goes (the heartbeat). A worker
whose lease was taken over finds no row, raises LeaseLost and rolls back, together with the credential it was
about to commit: an item is recorded, and its credential stored, exactly once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, or_, select, update
from sqlalchemy.orm import Session

from issuer.models import ApiClient, Job, JobItem


class LeaseLost(Exception):
    """The worker no longer holds the job's lease (another worker took it over); its transaction must roll back."""


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: uuid.UUID
    organization_id: uuid.UUID
    created_by: str
    takeovers: int


@dataclass(frozen=True, slots=True)
class PendingItem:
    index: int
    idempotency_key: str | None
    sealed_request: bytes


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """An item's outcome as stored: the HTTP status, the credentials row (on success), the problem JSON (on error)."""

    http_status: int
    credential_id: uuid.UUID | None
    error: str | None


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(Job.status == "queued", and_(Job.status == "running", Job.lease_expires_at < now))


def has_claimable_job(session: Session, *, now: datetime) -> bool:
    """A cheap read, so that idle workers do not take the SQLite write lock just to find nothing."""
    return session.scalar(select(exists().where(_claimable(now)))) is True


def claim_next(session: Session, *, owner: str, now: datetime, lease: timedelta) -> ClaimedJob | None:
    """Take the oldest claimable job under a lease for `owner`; the caller commits. None when there is none."""
    oldest = select(Job.id).where(_claimable(now)).order_by(Job.created_at, Job.id).limit(1)
    candidate = session.scalar(oldest.with_for_update(skip_locked=True))
    if candidate is None:
        return None
    claimed = session.execute(
        update(Job)
        .where(Job.id == candidate, _claimable(now))
        .values(
            status="running",
            lease_owner=owner,
            lease_expires_at=now + lease,
            started_at=case((Job.started_at.is_(None), now), else_=Job.started_at),
            takeovers=Job.takeovers + case((Job.status == "running", 1), else_=0),
        )
        .returning(Job.id, Job.organization_id, Job.created_by, Job.takeovers)
        .execution_options(synchronize_session=False)
    ).first()
    return ClaimedJob(*claimed) if claimed is not None else None


def fence(
    session: Session, job_id: uuid.UUID, *, owner: str, now: datetime, lease: timedelta, succeeded: int, failed: int
) -> None:
    """Count recorded items and extend the lease, if `owner` still holds it; LeaseLost otherwise."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_owner == owner, Job.status == "running")
        .values(succeeded=Job.succeeded + succeeded, failed=Job.failed + failed, lease_expires_at=now + lease)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).first()
    if result is None:
        raise LeaseLost(f"job {job_id} is no longer leased to {owner}")


def pending_items(session: Session, job_id: uuid.UUID, *, after: int, limit: int) -> list[PendingItem]:
    """The next pending items after index `after`, in index order."""
    query = (
        select(JobItem.item_index, JobItem.idempotency_key, JobItem.sealed_request)
        .where(JobItem.job_id == job_id, JobItem.status == "pending", JobItem.item_index > after)
        .order_by(JobItem.item_index)
        .limit(limit)
    )
    return [PendingItem(index, key, sealed) for index, key, sealed in session.execute(query) if sealed is not None]


def record_item(
    session: Session, job_id: uuid.UUID, index: int, record: ItemRecord, *, owner: str, now: datetime, lease: timedelta
) -> None:
    """Store a pending item's outcome and erase its sealed request, fenced by the lease; the caller commits."""
    succeeded = record.credential_id is not None
    fence(session, job_id, owner=owner, now=now, lease=lease, succeeded=int(succeeded), failed=int(not succeeded))
    result = session.execute(
        update(JobItem)
        .where(JobItem.job_id == job_id, JobItem.item_index == index, JobItem.status == "pending")
        .values(
            status="succeeded" if succeeded else "failed",
            http_status=record.http_status,
            credential_id=record.credential_id,
            error=record.error,
            sealed_request=None,
            processed_at=now,
        )
        .returning(JobItem.item_index)
        .execution_options(synchronize_session=False)
    ).first()
    if result is None:
        raise LeaseLost(f"item {index} of job {job_id} was already recorded")


def _end(session: Session, job_id: uuid.UUID, owner: str, **values: object) -> bool:
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_owner == owner, Job.status == "running")
        .values(lease_owner=None, lease_expires_at=None, **values)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).first()
    return result is not None


def finish(session: Session, job_id: uuid.UUID, *, owner: str, now: datetime) -> bool:
    """`completed`, once no item is pending; False when the lease was lost meanwhile."""
    return _end(session, job_id, owner, status="completed", finished_at=now)


def fail(session: Session, job_id: uuid.UUID, *, owner: str, now: datetime, error: str) -> bool:
    """`failed` with the problem (JSON text) that stopped the job; pending items stay unprocessed."""
    return _end(session, job_id, owner, status="failed", finished_at=now, error=error)


def release(session: Session, job_id: uuid.UUID, *, owner: str) -> bool:
    """Back to `queued` (the worker is stopping): the next worker carries on at once, without waiting for the lease."""
    return _end(session, job_id, owner, status="queued")


def client_revoked(session: Session, client_id: str) -> bool:
    """Whether the API client that submitted a job has been revoked since (its job stops then)."""
    revoked_at = session.scalar(select(ApiClient.revoked_at).where(ApiClient.client_id == client_id))
    return revoked_at is not None
