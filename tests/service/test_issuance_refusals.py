"""What `POST /api/v1/credentials` refuses (SQLite and PostgreSQL): invalid requests, requests that do not fit the
achievement, credentials the gate refuses (strict JSON-LD, the 1EdTech schema), another organization's achievement.
Every refusal is problem+json, never a 500, and leaves nothing behind: no credential, no consumed status entry."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from issuer.models import AchievementVersion, Credential, StatusList
from support.api import assert_problem
from support.issuance import CREDENTIALS, Issuing, issue, issuing
from support.tenancy import Tenants

GRADED = {
    "name": "Practical",
    "description": "Graded practical.",
    "criteria": {"narrative": "Pass the practical."},
    "resultDescription": [
        {
            "id": "#grade",
            "name": "Grade",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [{"id": "#pass", "name": "Pass"}],
            "allowedValue": ["Pass", "Fail"],
        },
        {"id": "#done", "name": "Done", "resultType": "Status"},
    ],
}


def nothing_stored(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        credentials = session.scalar(select(func.count()).select_from(Credential))
        allocated = session.scalar(select(func.coalesce(func.sum(StatusList.allocated), 0)))
    return credentials == 0 and allocated == 0


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"recipient": {"email": "not-an-address"}}, ["body", "recipient", "email"]),
        ({"recipient": {"email": "a@b.example", "did": "did:example:1"}}, ["body", "recipient"]),
        ({"recipient": {}}, ["body", "recipient"]),
        ({"format": "cbor"}, ["body", "format"]),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, ["body", "cryptosuite"]),
        ({"achievement_id": "not-a-uuid"}, ["body", "achievement_id"]),
        ({"unknown": 1}, ["body", "unknown"]),
        ({"validFrom": "2025-01-01T00:00:00"}, ["body", "validFrom"]),
        ({"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"}, ["body"]),
        ({"evidence": [{}]}, ["body", "evidence", "0"]),
    ],
)
def test_invalid_requests(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], changes: dict[str, Any], loc: list[str]
) -> None:
    setup = issuing(client, tenants.a)
    body = assert_problem(issue(client, setup, expect=None, **changes), 422, "VALIDATION_ERROR")
    assert loc in [error["loc"] for error in body["errors"]]
    assert nothing_stored(sessions)


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b"", b'{"achievement_id": '])
def test_bodies_that_are_not_a_request_object(client: TestClient, tenants: Tenants, content: bytes) -> None:
    setup = issuing(client, tenants.a)
    headers = {**setup.headers, "Content-Type": "application/json"}
    assert_problem(client.post(CREDENTIALS, content=content, headers=headers), 422, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("result", "loc"),
    [
        ({"resultDescription": "#nope"}, ["body", "result", "0", "resultDescription"]),
        ({"resultDescription": "#grade", "achievedLevel": "#merit"}, ["body", "result", "0", "achievedLevel"]),
        ({"resultDescription": "#grade", "value": "Merit"}, ["body", "result", "0", "value"]),
        ({"resultDescription": "#done"}, ["body", "result", "0", "status"]),
    ],
)
def test_results_that_do_not_fit_the_achievement(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], result: dict[str, Any], loc: list[str]
) -> None:
    setup = issuing(client, tenants.a, template=GRADED)
    body = assert_problem(issue(client, setup, expect=None, result=[result]), 422, "VALIDATION_ERROR")
    assert [error["loc"] for error in body["errors"]] == [loc]
    assert nothing_stored(sessions)


def test_valid_until_before_the_default_valid_from(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    body = assert_problem(issue(client, setup, expect=None, validUntil="2020-01-01T00:00:00Z"), 422, "VALIDATION_ERROR")
    assert [error["loc"] for error in body["errors"]] == [["body", "validUntil"]]


def _corrupt_achievement(sessions: sessionmaker[Session], setup: Issuing, change: dict[str, Any], drop: str) -> None:
    """Stored data the API would never write (say, from an older release): what only the gate can catch."""
    with sessions() as session:
        version = session.scalars(
            select(AchievementVersion).where(AchievementVersion.achievement_id == uuid.UUID(setup.achievement_id))
        ).one()
        document = copy.deepcopy(version.document)
        document.pop(drop, None)
        version.document = {**document, **change}
        session.commit()


def test_the_gate_refuses_data_loss(client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]) -> None:
    setup = issuing(client, tenants.a)
    _corrupt_achievement(sessions, setup, {"undefinedTerm": "silently dropped by JSON-LD"}, "")
    body = assert_problem(issue(client, setup, expect=None), 422, "CREDENTIAL_NOT_ISSUABLE")
    assert any(error["type"] == "DATA_LOSS_DETECTION_ERROR" for error in body["errors"]), body
    assert all(error["loc"][0] == "credential" for error in body["errors"])
    assert nothing_stored(sessions)


def test_the_gate_refuses_what_the_1edtech_schema_refuses(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    _corrupt_achievement(sessions, setup, {}, "criteria")
    body = assert_problem(issue(client, setup, expect=None), 422, "CREDENTIAL_NOT_ISSUABLE")
    locs = [error["loc"] for error in body["errors"]]
    assert ["credential", "credentialSubject", "achievement"] in locs, body
    assert {error["type"] for error in body["errors"]} == {"json_schema"}
    assert nothing_stored(sessions)


def test_another_organizations_achievement_is_not_found(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    theirs = issuing(client, tenants.b)
    mine = issuing(client, tenants.a)
    response = client.post(CREDENTIALS, json=theirs.body(), headers=mine.headers)
    assert_problem(response, 404, "NOT_FOUND")
    unknown = client.post(CREDENTIALS, json={**mine.body(), "achievement_id": str(uuid.uuid4())}, headers=mine.headers)
    assert_problem(unknown, 404, "NOT_FOUND")
    assert nothing_stored(sessions)


@pytest.mark.parametrize("key", [b"", b"x" * 201, b"with space", b'""', "caf\u00e9".encode()])
def test_malformed_idempotency_keys(client: TestClient, tenants: Tenants, key: bytes) -> None:
    setup = issuing(client, tenants.a)
    headers: dict[str, str | bytes] = {**setup.headers, "Idempotency-Key": key}
    body = assert_problem(client.post(CREDENTIALS, json=setup.body(), headers=headers), 422, "VALIDATION_ERROR")
    assert body["errors"][0]["loc"] == ["header", "Idempotency-Key"]
