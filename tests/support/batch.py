"""Batch issuance and jobs through the API, and the job runner driven directly (no background worker)."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from issuer.issuance import IssuancePorts
from issuer.job_runner import JobRun, WorkerOptions, process_next_job
from issuer.models import Credential
from support.achievements import BASE_URL
from support.issuance import Issuing
from support.issuers import issuer_context

BATCH = "/api/v1/credentials/batch"
JOBS = "/api/v1/jobs"


def batch(
    client: TestClient, setup: Issuing, items: list[Any], *, run_async: bool = False, expect: int | None = 200
) -> httpx.Response:
    params = {"async": "true"} if run_async else None
    response = client.post(BATCH, json={"items": items}, headers=setup.headers, params=params)
    if expect is not None:
        assert response.status_code == expect, response.text
    return response


def submit_job(client: TestClient, setup: Issuing, items: list[Any]) -> str:
    """POST the batch as a job; its id."""
    response = batch(client, setup, items, run_async=True, expect=202)
    body = response.json()
    assert response.headers["location"] == body["status_url"] == f"{JOBS}/{body['job_id']}"
    return str(body["job_id"])


def job(client: TestClient, setup: Issuing, job_id: str) -> dict[str, Any]:
    response = client.get(f"{JOBS}/{job_id}", headers=setup.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def results(client: TestClient, setup: Issuing, job_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{JOBS}/{job_id}/results", headers=setup.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert response.headers["x-total-count"] == str(body["total"])
    return body


def ports(app: FastAPI) -> IssuancePorts:
    context = issuer_context(app)
    return IssuancePorts(
        contexts=context.require_contexts(),
        master=context.require_master_key(),
        base_url=BASE_URL,
        clock=context.clock,
    )


def run_worker(app: FastAPI, name: str = "worker-a", **options: Any) -> JobRun | None:
    """One `process_next_job` call as worker `name`, as the background worker makes it."""
    context = issuer_context(app)
    return process_next_job(context.sessions, ports(app), WorkerOptions(worker_id=name, **options))


def stop_after(items: int) -> Any:
    """A `should_stop` that turns true after `items` items were processed (it is asked before each one)."""
    asked = 0
    lock = threading.Lock()

    def should_stop() -> bool:
        nonlocal asked
        with lock:
            asked += 1
            return asked > items

    return should_stop


def credential_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Credential)) or 0
