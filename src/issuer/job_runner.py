"""Issue 3 job processing: `process_next_job` claims one batch job and issues its pending items, one transaction each.

The worker loop (issuer.job_worker) calls it repeatedly; tests call it directly. A job is claimed under a lease
(issuer.repositories.job_leases). Its pending items are read in chunks, in index order; each is opened, validated
and issued through issue_credential. A newly stored credential and its item's outcome commit in the same
transaction (the `before_commit` hook), fenced by the lease; replays and failures, which store nothing, are
recorded in a transaction of their own. So a worker that dies leaves every item either pending (nothing stored)
or recorded, and whoever takes the job over later carries on with the pending ones: no item is issued twice.

Between items the worker checks `should_stop` (service shutdown) and hands the job back (`queued`); before each
chunk, that the submitting API client was not revoked (the job then fails, its pending items unprocessed). A job
taken over more than `max_takeovers` times (its items keep killing workers) fails instead of being retried forever.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from issuer.batch_items import ItemOutcome, internal_problem, issue_item, problem_json, validation_problem
from issuer.db import write_session
from issuer.issuance import IssuancePorts
from issuer.job_sealing import SealedItemUnreadable, open_item
from issuer.models import Credential
from issuer.principal import Principal
from issuer.repositories import job_leases as leases
from issuer.repositories.job_leases import ClaimedJob, ItemRecord, LeaseLost, PendingItem
from issuer.scopes import Scope
from schemas.issuance import IssueCredentialRequest
from schemas.problem import Problem, problem_type

logger = logging.getLogger(__name__)


def _never() -> bool:
    return False


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """`worker_id` names the lease holder; unique per worker (host, process, random suffix)."""

    worker_id: str
    lease: timedelta = timedelta(seconds=60)
    chunk_size: int = 100
    max_takeovers: int = 5


@dataclass(frozen=True, slots=True)
class JobRun:
    """How one call ended: `completed`, `failed`, `released` (stopping) or `lost` (the lease was taken over)."""

    job_id: uuid.UUID
    ending: str
    processed: int


@dataclass(frozen=True, slots=True)
class _Work:
    sessions: sessionmaker[Session]
    ports: IssuancePorts
    options: WorkerOptions
    job: ClaimedJob

    @property
    def principal(self) -> Principal:
        """The submitting client, with exactly the scope it needed to submit."""
        return Principal(self.job.organization_id, self.job.created_by, frozenset({Scope.CREDENTIALS_ISSUE}))

    def record(self, session: Session, index: int, record: ItemRecord) -> None:
        """Record an item's outcome in `session`'s transaction, fenced by (and extending) this worker's lease."""
        options = self.options
        now = self.ports.clock()
        leases.record_item(session, self.job.id, index, record, owner=options.worker_id, now=now, lease=options.lease)


def process_next_job(
    sessions: sessionmaker[Session],
    ports: IssuancePorts,
    options: WorkerOptions,
    *,
    should_stop: Callable[[], bool] = _never,
) -> JobRun | None:
    """Claim the oldest claimable job and work it until it ends, the worker stops, or the lease is lost.

    None when no job was claimable. Infrastructure errors propagate after the job was handed back (if the
    database still answers; otherwise the lease runs out and another worker takes the job over).
    """
    job = _claim(sessions, options, ports)
    if job is None:
        return None
    work = _Work(sessions, ports, options, job)
    if job.takeovers > options.max_takeovers:
        detail = f"the job was taken over {job.takeovers} times from workers that died while processing it"
        return _fail(work, _stopped("JOB_ABANDONED", 500, detail))
    try:
        return _run(work, should_stop)
    except LeaseLost:
        logger.warning("job %s: lease lost to another worker", job.id)
        return JobRun(job.id, "lost", 0)
    except Exception:
        _release(work)
        raise


def _claim(sessions: sessionmaker[Session], options: WorkerOptions, ports: IssuancePorts) -> ClaimedJob | None:
    with sessions() as reader:
        if not leases.has_claimable_job(reader, now=ports.clock()):
            return None
    with write_session(sessions) as session:
        job = leases.claim_next(session, owner=options.worker_id, now=ports.clock(), lease=options.lease)
        session.commit()
    return job


def _run(work: _Work, should_stop: Callable[[], bool]) -> JobRun:
    processed, after = 0, -1
    while True:
        with work.sessions() as session:
            if leases.client_revoked(session, work.job.created_by):
                detail = "the API client that submitted the job was revoked; its pending items were not issued"
                return _fail(work, _stopped("CLIENT_REVOKED", 403, detail), processed)
            chunk = leases.pending_items(session, work.job.id, after=after, limit=work.options.chunk_size)
        if not chunk and after < 0:
            return _finish(work, processed)
        if not chunk:  # one more pass from the start before finishing: nothing may be left pending
            after = -1
            continue
        for item in chunk:
            if should_stop():
                _release(work)
                return JobRun(work.job.id, "released", processed)
            _process(work, item)
            processed, after = processed + 1, item.index


def _process(work: _Work, item: PendingItem) -> None:
    request = _open(work, item)
    if isinstance(request, Problem):
        _record(work, item.index, ItemOutcome(request.status, problem=request))
        return

    def record_with_credential(session: Session, credential: Credential) -> None:
        work.record(session, item.index, ItemRecord(201, credential.id, None))

    try:
        outcome = issue_item(
            work.sessions,
            work.principal,
            request,
            idempotency_key=item.idempotency_key,
            ports=work.ports,
            before_commit=record_with_credential,
        )
    except (LeaseLost, OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("job %s: item %d failed unexpectedly", work.job.id, item.index)
        outcome = ItemOutcome(500, problem=internal_problem())
    if outcome.status != 201:  # 201: stored, and recorded by the hook in the same transaction
        _record(work, item.index, outcome)


def _open(work: _Work, item: PendingItem) -> IssueCredentialRequest | Problem:
    try:
        plaintext = open_item(work.ports.master, work.job.id, item.index, item.sealed_request)
    except SealedItemUnreadable:
        logger.error("job %s: item %d does not open under the loaded master key", work.job.id, item.index)
        return internal_problem()
    try:
        return IssueCredentialRequest.model_validate_json(plaintext)
    except ValidationError as exc:  # validated at submission; only a changed request model gets here
        return validation_problem(exc)


def _record(work: _Work, index: int, outcome: ItemOutcome) -> None:
    credential_id = outcome.credential.id if outcome.credential is not None else None
    error = problem_json(outcome.problem) if outcome.problem is not None else None
    with write_session(work.sessions) as session:
        work.record(session, index, ItemRecord(outcome.status, credential_id, error))
        session.commit()


def _finish(work: _Work, processed: int) -> JobRun:
    with write_session(work.sessions) as session:
        ended = leases.finish(session, work.job.id, owner=work.options.worker_id, now=work.ports.clock())
        session.commit()
    return JobRun(work.job.id, "completed" if ended else "lost", processed)


def _stopped(code: str, status: int, detail: str) -> Problem:
    """The job-level problem (RFC 9457) of a job that failed as a whole."""
    return Problem(type=problem_type(code), title="The job was stopped", status=status, detail=detail, code=code)


def _fail(work: _Work, problem: Problem, processed: int = 0) -> JobRun:
    with write_session(work.sessions) as session:
        ended = leases.fail(
            session, work.job.id, owner=work.options.worker_id, now=work.ports.clock(), error=problem_json(problem)
        )
        session.commit()
    logger.warning("job %s failed: %s", work.job.id, problem.detail)
    return JobRun(work.job.id, "failed" if ended else "lost", processed)


def _release(work: _Work) -> None:
    """Best effort: when the database is gone, the lease simply runs out."""
    try:
        with write_session(work.sessions) as session:
            leases.release(session, work.job.id, owner=work.options.worker_id)
            session.commit()
    except Exception:
        logger.exception("job %s: could not hand the job back; it resumes when the lease runs out", work.job.id)
