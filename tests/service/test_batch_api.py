"""`POST /api/v1/credentials/batch` (SQLite and PostgreSQL): each item on its own, per-item results, idempotency keys
per item, the envelope's validation, scopes, body size limits, and the switch to a job above 1,000 items."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from credstack.app import create_app
from credstack.settings import Settings
from issuer.models import AuditEntry, Credential
from support.api import assert_problem, bearer
from support.apps import service_app
from support.batch import BATCH, batch, credential_count, job, results
from support.clock import FakeClock
from support.issuance import CREDENTIALS, issue, issuing, verify
from support.tenancy import Tenants


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    """No background worker: jobs submitted here stay queued."""
    settings = Settings(data_dir=tmp_path, database_url=database_url, job_worker=False)
    return service_app(settings, clock=clock)


def _stored(sessions: sessionmaker[Session], row_id: str) -> Credential:
    with sessions() as session:
        row = session.get(Credential, uuid.UUID(row_id))
        assert row is not None
        return row


async def test_mixed_items_each_succeed_or_fail_on_their_own(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    items: list[Any] = [
        setup.body(narrative="first"),
        setup.body(recipient={"email": "not an address"}),
        setup.body(achievement_id=str(uuid.uuid4())),
        setup.body(result=[{"resultDescription": "#nothing-like-this"}]),
        "not an object",
        setup.body(narrative="last", format="jwt"),
    ]
    response = batch(client, setup, items)
    body = response.json()
    assert [r["index"] for r in body["results"]] == list(range(6))
    assert [r["status"] for r in body["results"]] == [201, 422, 404, 422, 422, 201]
    assert (body["succeeded"], body["failed"]) == (2, 4)
    assert credential_count(sessions) == 2
    # Each error is the problem POST /api/v1/credentials answers for that body.
    single = client.post(CREDENTIALS, json=items[1], headers=setup.headers).json()
    assert body["results"][1]["error"] == single
    assert body["results"][1]["error"]["errors"][0]["loc"] == ["body", "recipient", "email"]
    assert body["results"][2]["error"]["code"] == "NOT_FOUND"
    assert body["results"][3]["error"]["errors"][0]["loc"][:2] == ["body", "result"]
    assert body["results"][4]["error"]["errors"][0]["loc"] == ["body"]
    # Successful items carry the credential exactly as stored, which verifies.
    first, last = body["results"][0], body["results"][5]
    assert set(first) == {"index", "status", "id", "claim_url", "credential"}
    assert first["claim_url"].startswith("http://127.0.0.1:8000/claim/")
    assert f'"credential":{_stored(sessions, first["id"]).document}}}'.encode() in response.content
    assert last["credential"] == _stored(sessions, last["id"]).document  # a VC-JWT, as a JSON string
    report = await verify(app, first["credential"])
    assert report.verified, report.model_dump_json(indent=1)


def test_items_are_issued_and_audited_as_the_caller(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    body = batch(client, setup, [setup.body(), setup.body()]).json()
    with sessions() as session:
        audited = session.execute(
            select(AuditEntry.subject, AuditEntry.actor).where(AuditEntry.action == "credential.issue")
        ).all()
    assert sorted(audited) == sorted(
        (f"credential:{r['id']}", f"client:{tenants.a.client_id}") for r in body["results"]
    )


def test_a_retried_batch_with_item_keys_does_not_issue_twice(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    items = [
        setup.body(idempotency_key="enrolment-1"),
        setup.body(idempotency_key="enrolment-2", narrative="two"),
        setup.body(narrative="no key"),
    ]
    first = batch(client, setup, items).json()
    again = batch(client, setup, items).json()
    assert [r["status"] for r in first["results"]] == [201, 201, 201]
    assert [r["status"] for r in again["results"]] == [200, 200, 201]
    assert [r["id"] for r in again["results"][:2]] == [r["id"] for r in first["results"][:2]]
    assert again["results"][0]["credential"] == first["results"][0]["credential"]
    assert credential_count(sessions) == 4
    # An item key is the Idempotency-Key header's counterpart: a single request with it replays the same credential.
    single = issue(client, setup, key="enrolment-1", expect=200)
    assert single.json()["id"] == first["results"][0]["id"]
    # The same key with another request is refused for that item alone.
    changed = batch(client, setup, [setup.body(idempotency_key="enrolment-2"), setup.body()]).json()
    assert [r["status"] for r in changed["results"]] == [409, 201]
    assert changed["results"][0]["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.parametrize("key", ["", "with space", "x" * 201, "ünïcode"])
def test_malformed_item_keys_fail_their_item(client: TestClient, tenants: Tenants, key: str) -> None:
    setup = issuing(client, tenants.a)
    body = batch(client, setup, [setup.body(idempotency_key=key), setup.body()]).json()
    assert [r["status"] for r in body["results"]] == [422, 201]
    assert body["results"][0]["error"]["errors"][0]["loc"] == ["body", "idempotency_key"]


@pytest.mark.parametrize(
    "envelope",
    [{}, {"items": []}, {"items": "x"}, {"items": {}}, {"items": [{}], "extra": 1}, [], "items"],
)
def test_an_invalid_envelope_is_refused_as_a_whole(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], envelope: Any
) -> None:
    setup = issuing(client, tenants.a)
    response = client.post(BATCH, json=envelope, headers=setup.headers)
    problem = assert_problem(response, 422, "VALIDATION_ERROR")
    assert problem["errors"]
    for content in (b"", b"{", b"null"):
        headers = {**setup.headers, "Content-Type": "application/json"}
        assert_problem(client.post(BATCH, content=content, headers=headers), 422, "VALIDATION_ERROR")
    assert credential_count(sessions) == 0


def test_too_many_items_even_for_a_job(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    response = client.post(BATCH, json={"items": [{}] * 100_001}, headers=setup.headers)
    problem = assert_problem(response, 422, "VALIDATION_ERROR")
    assert problem["errors"][0]["loc"] == ["body", "items"]


def test_more_than_a_thousand_items_become_a_job(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    response = batch(client, setup, [setup.body(narrative=f"n{n}") for n in range(1001)], expect=202)
    accepted = response.json()
    assert set(accepted) == {"job_id", "status", "total", "status_url", "results_url"}
    assert (accepted["status"], accepted["total"]) == ("queued", 1001)
    assert response.headers["location"] == accepted["status_url"]
    state = job(client, setup, accepted["job_id"])
    assert (state["status"], state["total"], state["succeeded"], state["failed"], state["progress"]) == (
        "queued",
        1001,
        0,
        0,
        0.0,
    )
    assert state["results_url"] == accepted["results_url"]
    assert results(client, setup, accepted["job_id"], state="pending", limit=1)["total"] == 1001
    assert credential_count(sessions) == 0


def test_scopes(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    reader = bearer(client, tenants.a, "credentials:read")
    assert_problem(client.post(BATCH, json={"items": [setup.body()]}, headers=reader), 403, "INSUFFICIENT_SCOPE")
    assert_problem(client.post(BATCH, json={"items": [setup.body()]}), 401, "AUTHENTICATION_REQUIRED")
    issuer_only = bearer(client, tenants.a, "credentials:issue")
    assert batch(client, setup, [setup.body()]).status_code == 200
    assert client.post(BATCH, json={"items": [setup.body()]}, headers=issuer_only).status_code == 200


@pytest.fixture
def small_limits_client(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, job_worker=False, max_json_bytes=2_000, max_batch_bytes=20_000
    )
    with TestClient(create_app(settings, clock=clock)) as client:
        yield client


def test_batches_have_their_own_body_limit(small_limits_client: TestClient, tenants: Tenants) -> None:
    client = small_limits_client
    setup = issuing(client, tenants.a)
    padded = setup.body(narrative="x" * 3_000)
    assert_problem(client.post(CREDENTIALS, json=padded, headers=setup.headers), 413, "REQUEST_TOO_LARGE")
    assert batch(client, setup, [padded]).json()["results"][0]["status"] == 201
    too_large = client.post(BATCH, json={"items": [padded] * 7}, headers=setup.headers)
    problem = assert_problem(too_large, 413, "REQUEST_TOO_LARGE")
    assert "20000 bytes" in problem["detail"]


def test_streamed_batch_bodies_are_counted(small_limits_client: TestClient, tenants: Tenants) -> None:
    client = small_limits_client
    setup = issuing(client, tenants.a)
    body = json.dumps({"items": [setup.body(narrative="x" * 3_000)] * 7}).encode()
    headers = {**setup.headers, "Content-Type": "application/json"}
    response = client.post(BATCH, content=iter([body[:10_000], body[10_000:]]), headers=headers)
    assert_problem(response, 413, "REQUEST_TOO_LARGE")
