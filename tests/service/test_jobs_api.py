"""Batch jobs through the API (SQLite and PostgreSQL): submission, progress, completion, per-item results with paging,
tenancy, scopes, sealed pending requests, and one job run by the app's own background worker."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from credstack.app import create_app
from credstack.settings import Settings
from issuer.job_runner import WorkerOptions, process_next_job
from issuer.models import AuditEntry, Credential, JobItem
from support.api import assert_problem, bearer
from support.apps import service_app
from support.batch import JOBS, credential_count, job, ports, results, run_worker, stop_after, submit_job
from support.clock import FakeClock
from support.dump import dump_database
from support.issuance import Issuing, issue, issuing
from support.issuers import issuer_context
from support.tenancy import Tenants


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    """No background worker: the tests run `process_next_job` themselves."""
    settings = Settings(data_dir=tmp_path, database_url=database_url, job_worker=False)
    return service_app(settings, clock=clock)


def _items(setup: Issuing, count: int) -> list[Any]:
    return [setup.body(narrative=f"Learner {n}") for n in range(count)]


def test_progress_and_completion(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a)
    items = [*_items(setup, 4), {"recipient": {"email": "a@b.c"}}]
    job_id = submit_job(client, setup, items)
    state = job(client, setup, job_id)
    assert (state["status"], state["total"], state["succeeded"], state["failed"], state["progress"]) == (
        "queued",
        5,
        0,
        1,
        0.2,
    )
    assert state["started_at"] is None and state["finished_at"] is None and state["error"] is None
    clock.advance(seconds=5)
    context = issuer_context(app)
    options = WorkerOptions(worker_id="w1", chunk_size=2)
    run = process_next_job(context.sessions, ports(app), options, should_stop=stop_after(2))
    assert run is not None and (run.ending, run.processed) == ("released", 2)
    state = job(client, setup, job_id)
    assert (state["status"], state["succeeded"], state["failed"], state["progress"]) == ("queued", 2, 1, 0.6)
    assert state["started_at"] is not None
    run = process_next_job(context.sessions, ports(app), options)
    assert run is not None and (run.ending, run.processed) == ("completed", 2)
    state = job(client, setup, job_id)
    assert (state["status"], state["succeeded"], state["failed"], state["progress"]) == ("completed", 4, 1, 1.0)
    assert state["finished_at"] is not None
    assert credential_count(sessions) == 4
    assert run_worker(app) is None, "nothing left to claim"


def test_results_pages_and_state_filter(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    job_id = submit_job(client, setup, [*_items(setup, 3), "bad", *_items(setup, 1)])
    pending = results(client, setup, job_id)
    assert [(r["index"], r["state"]) for r in pending["results"]] == [
        (0, "pending"),
        (1, "pending"),
        (2, "pending"),
        (3, "failed"),
        (4, "pending"),
    ]
    assert set(pending["results"][0]) == {"index", "state"}
    assert pending["results"][3]["status"] == 422
    run_worker(app)
    page = results(client, setup, job_id, offset=1, limit=2)
    assert (page["job_id"], page["total"], page["offset"], page["limit"]) == (job_id, 5, 1, 2)
    assert [(r["index"], r["state"], r["status"]) for r in page["results"]] == [
        (1, "succeeded", 201),
        (2, "succeeded", 201),
    ]
    stored = {row.id: row.document for row in _credentials(sessions)}
    for result in page["results"]:
        assert result["credential"]["id"] == f"urn:uuid:{result['id']}"
        assert result["claim_url"].startswith("http://127.0.0.1:8000/claim/")
        assert result["credential"] == json.loads(stored[uuid.UUID(result["id"])])
    failed = results(client, setup, job_id, state="failed")
    assert [(r["index"], r["error"]["code"]) for r in failed["results"]] == [(3, "VALIDATION_ERROR")]
    assert results(client, setup, job_id, state="succeeded", offset=4)["results"] == []
    for params in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"state": "done"}):
        response = client.get(f"{JOBS}/{job_id}/results", headers=setup.headers, params=params)
        assert_problem(response, 422, "VALIDATION_ERROR")


def _credentials(sessions: sessionmaker[Session]) -> list[Credential]:
    with sessions() as session:
        return list(session.scalars(select(Credential)))


def test_item_keys_replay_across_jobs_and_single_requests(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    single = issue(client, setup, key="enrolment-7", narrative="seven")
    items = [setup.body(narrative="seven", idempotency_key="enrolment-7"), setup.body(idempotency_key="enrolment-8")]
    first = submit_job(client, setup, items)
    run_worker(app)
    retried = submit_job(client, setup, items)
    run_worker(app)
    first_results = results(client, setup, first)["results"]
    assert (first_results[0]["status"], first_results[0]["id"]) == (200, single.json()["id"])
    again = results(client, setup, retried)["results"]
    assert [r["status"] for r in again] == [200, 200]
    assert again[1]["id"] == first_results[1]["id"]
    assert credential_count(sessions) == 2


def test_pending_requests_are_sealed_and_erased_once_processed(
    app: FastAPI, client: TestClient, tenants: Tenants, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    job_id = submit_job(client, setup, [setup.body(recipient={"email": "Someone.Private@Example.org"})])
    assert "someone.private" not in dump_database(engine).lower()
    with sessions() as session:
        sealed = session.scalars(select(JobItem.sealed_request)).one()
    assert sealed is not None and b"Example.org" not in sealed
    run_worker(app)
    assert job(client, setup, job_id)["status"] == "completed"
    with sessions() as session:
        assert session.scalars(select(JobItem.sealed_request)).one() is None
    assert "someone.private" not in dump_database(engine).lower()


def test_submission_is_audited(client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]) -> None:
    setup = issuing(client, tenants.a)
    job_id = submit_job(client, setup, _items(setup, 1))
    with sessions() as session:
        entries = session.execute(select(AuditEntry.subject, AuditEntry.actor).where(AuditEntry.action == "job.create"))
        assert entries.all() == [(f"job:{job_id}", f"client:{tenants.a.client_id}")]


def test_other_organizations_see_no_job(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    job_id = submit_job(client, setup, _items(setup, 1))
    intruder = bearer(client, tenants.b)
    for path in (f"{JOBS}/{job_id}", f"{JOBS}/{job_id}/results"):
        assert_problem(client.get(path, headers=intruder), 404, "NOT_FOUND")
        assert client.get(path, headers=setup.headers).status_code == 200
    for path in (f"{JOBS}/{uuid.uuid4()}", f"{JOBS}/not-a-uuid", f"{JOBS}/not-a-uuid/results"):
        assert_problem(client.get(path, headers=setup.headers), 404, "NOT_FOUND")


def test_reading_jobs_needs_issue_or_read(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    job_id = submit_job(client, setup, _items(setup, 1))
    for scope in ("credentials:issue", "credentials:read"):
        assert client.get(f"{JOBS}/{job_id}", headers=bearer(client, tenants.a, scope)).status_code == 200
    other = bearer(client, tenants.a, "issuers:write credentials:revoke")
    assert_problem(client.get(f"{JOBS}/{job_id}", headers=other), 403, "INSUFFICIENT_SCOPE")
    assert_problem(client.get(f"{JOBS}/{job_id}/results", headers=other), 403, "INSUFFICIENT_SCOPE")
    assert_problem(client.get(f"{JOBS}/{job_id}"), 401, "AUTHENTICATION_REQUIRED")


def test_the_app_worker_runs_submitted_jobs(
    database_url: str, tmp_path: Path, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    """The lifespan starts the worker (CREDSTACK_JOB_WORKER defaults on) and stops it on shutdown."""
    app = create_app(Settings(data_dir=tmp_path, database_url=database_url))
    with TestClient(app) as client:
        assert app.state.job_worker is not None
        setup = issuing(client, tenants.a)
        job_id = submit_job(client, setup, _items(setup, 3))
        deadline = time.monotonic() + 30
        while job(client, setup, job_id)["status"] != "completed":
            assert time.monotonic() < deadline, job(client, setup, job_id)
            time.sleep(0.1)
    assert credential_count(sessions) == 3
