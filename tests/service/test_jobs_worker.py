"""The job runner under failure (SQLite and PostgreSQL): a worker that dies mid-job, concurrent workers, a worker
whose lease was taken over, a revoked client, and a job that keeps killing its workers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from credstack.settings import Settings
from issuer import issuance
from issuer.api_clients import revoke_client
from issuer.batch_items import issue_item
from issuer.db import write_session
from issuer.models import Credential, Job, JobItem
from issuer.principal import Principal
from issuer.repositories.job_leases import ItemRecord, LeaseLost, claim_next, record_item
from issuer.scopes import Scope
from schemas.issuance import IssueCredentialRequest
from support.apps import service_app
from support.batch import credential_count, job, ports, results, run_worker, submit_job
from support.clock import FakeClock
from support.issuance import Issuing, issuing
from support.issuers import issuer_context
from support.status_lists import run_concurrently
from support.tenancy import Tenants

LEASE = timedelta(seconds=60)


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    settings = Settings(data_dir=tmp_path, database_url=database_url, job_worker=False)
    return service_app(settings, clock=clock)


class Crash(BaseException):
    """Stands for the process dying: nothing of the runner's own error handling runs."""


def _submit(client: TestClient, setup: Issuing, count: int) -> str:
    return submit_job(client, setup, [setup.body(narrative=f"Learner {n}") for n in range(count)])


def _crash_on_item(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Kill the worker inside the `number`-th issuing transaction, after its credential was stored, before commit."""
    original, calls = issuance.record_audit, [0]

    def audit_then_crash(*args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == number:
            raise Crash
        original(*args, **kwargs)

    monkeypatch.setattr(issuance, "record_audit", audit_then_crash)


def _item_credentials(sessions: sessionmaker[Session], job_id: str) -> dict[int, uuid.UUID | None]:
    with sessions() as session:
        rows = session.execute(
            select(JobItem.item_index, JobItem.credential_id).where(JobItem.job_id == uuid.UUID(job_id))
        )
        return {index: credential_id for index, credential_id in rows}


def test_a_job_resumes_after_its_worker_died_without_duplicates(
    app: FastAPI,
    client: TestClient,
    tenants: Tenants,
    sessions: sessionmaker[Session],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup = issuing(client, tenants.a)
    job_id = _submit(client, setup, 6)
    with monkeypatch.context() as patch:
        _crash_on_item(patch, 3)
        with pytest.raises(Crash):
            run_worker(app, "dies")
    state = job(client, setup, job_id)
    assert (state["status"], state["succeeded"]) == ("running", 2)
    before = _item_credentials(sessions, job_id)
    assert credential_count(sessions) == 2
    assert run_worker(app, "survivor") is None, "the dead worker's lease has not run out yet"
    clock.advance(seconds=61)
    run = run_worker(app, "survivor")
    assert run is not None and (run.ending, run.processed) == ("completed", 4)
    state = job(client, setup, job_id)
    assert (state["status"], state["succeeded"], state["failed"]) == ("completed", 6, 0)
    after = _item_credentials(sessions, job_id)
    assert {index: after[index] for index in (0, 1)} == {index: before[index] for index in (0, 1)}
    assert credential_count(sessions) == 6 == len(set(after.values()))
    with sessions() as session:
        assert session.scalar(select(Job.takeovers)) == 1


def test_concurrent_workers_claim_a_job_once(client: TestClient, tenants: Tenants, app: FastAPI) -> None:
    setup = issuing(client, tenants.a)
    jobs = {_submit(client, setup, 1) for _ in range(2)}
    sessions, now = issuer_context(app).sessions, issuer_context(app).clock()

    def claim(number: int) -> str:
        with write_session(sessions) as session:
            claimed = claim_next(session, owner=f"w{number}", now=now, lease=LEASE)
            session.commit()
        return str(claimed.id) if claimed is not None else ""

    claims = [claimed for claimed in run_concurrently(6, claim) if claimed]
    assert sorted(claims) == sorted(jobs)


def test_concurrent_runners_issue_every_item_once(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    job_ids = [_submit(client, setup, 4) for _ in range(3)]
    runs = run_concurrently(3, lambda n: run_worker(app, f"w{n}") or "idle")
    worked = [run.job_id for run in runs if not isinstance(run, str)]
    assert worked and len(set(worked)) == len(worked), "no job was worked by two runners"
    while run_worker(app) is not None:
        pass
    assert [job(client, setup, job_id)["status"] for job_id in job_ids] == ["completed"] * 3
    assert credential_count(sessions) == 12


def test_a_worker_that_lost_its_lease_stores_nothing(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a)
    job_id = uuid.UUID(_submit(client, setup, 2))
    context = issuer_context(app)
    with write_session(context.sessions) as session:
        assert claim_next(session, owner="zombie", now=clock(), lease=LEASE) is not None
        session.commit()
    clock.advance(seconds=61)
    with write_session(context.sessions) as session:
        assert claim_next(session, owner="successor", now=clock(), lease=LEASE) is not None
        session.commit()

    def record_as_zombie(session: Session, credential: Credential) -> None:
        record_item(session, job_id, 0, ItemRecord(201, credential.id, None), owner="zombie", now=clock(), lease=LEASE)

    principal = Principal(tenants.a.organization_id, tenants.a.client_id, frozenset({Scope.CREDENTIALS_ISSUE}))
    request = IssueCredentialRequest.model_validate(setup.body())
    with pytest.raises(LeaseLost):
        issue_item(
            context.sessions, principal, request, idempotency_key=None, ports=ports(app), before_commit=record_as_zombie
        )
    assert credential_count(sessions) == 0, "the zombie's credential was rolled back with its record"
    run = run_worker(app, "successor")
    assert run is None, "the successor holds a live lease; only it may carry on"
    with write_session(context.sessions) as session:
        record_item(session, job_id, 0, ItemRecord(422, None, "{}"), owner="successor", now=clock(), lease=LEASE)
        session.commit()
    with write_session(context.sessions) as session, pytest.raises(LeaseLost):
        record_item(session, job_id, 1, ItemRecord(422, None, "{}"), owner="zombie", now=clock(), lease=LEASE)


def test_a_revoked_client_stops_its_job(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a)
    _submit(client, setup, 3)
    with sessions() as session:
        revoke_client(session, tenants.a.client_id, actor="cli", reason="leaked", now=clock())
    run = run_worker(app)
    assert run is not None and run.ending == "failed"
    with sessions() as session:
        failed = session.scalars(select(Job)).one()
        pending = session.scalar(select(func.count()).where(JobItem.status == "pending"))
    assert (failed.status, failed.succeeded, pending) == ("failed", 0, 3)
    assert failed.error is not None and "CLIENT_REVOKED" in failed.error
    assert credential_count(sessions) == 0


def test_a_job_that_keeps_killing_workers_fails(
    app: FastAPI,
    client: TestClient,
    tenants: Tenants,
    sessions: sessionmaker[Session],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    setup = issuing(client, tenants.a)
    job_id = _submit(client, setup, 1)
    _crash_on_item(monkeypatch, 1)
    with pytest.raises(Crash):
        run_worker(app, "first", max_takeovers=1)
    clock.advance(seconds=61)
    _crash_on_item(monkeypatch, 1)
    with pytest.raises(Crash):
        run_worker(app, "second", max_takeovers=1)  # the first takeover: still allowed
    clock.advance(seconds=61)
    run = run_worker(app, "third", max_takeovers=1)
    assert run is not None and run.ending == "failed"
    state = job(client, setup, job_id)
    assert state["status"] == "failed" and state["error"]["code"] == "JOB_ABANDONED"
    assert [r["state"] for r in results(client, setup, job_id)["results"]] == ["pending"]
    assert credential_count(sessions) == 0
