"""`/api/v1/competencies` and the public competency URL (issue 5 "Competencies and curriculum mapping")."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from issuer.repositories.audit import AuditRepository
from support.achievements import BASE_URL
from support.api import assert_problem, bearer
from support.competencies import COMPETENCIES, DATA_SKILLS, competency_body, create_competency
from support.tenancy import Tenants

WRITE = "achievements:write"


@pytest.fixture
def headers_a(client: TestClient, tenants: Tenants) -> dict[str, str]:
    return bearer(client, tenants.a, WRITE)


def test_create_returns_the_public_url_and_the_alignment(
    client: TestClient, headers_a: dict[str, str], sessions: sessionmaker[Session], tenants: Tenants
) -> None:
    response = client.post(COMPETENCIES, json=competency_body("DS.1"), headers=headers_a)
    assert response.status_code == 201, response.text
    body = response.json()
    url = f"{BASE_URL}/competencies/{body['uuid']}"
    assert response.headers["location"] == f"{COMPETENCIES}/{body['uuid']}"
    assert body == {
        "id": url,
        "uuid": body["uuid"],
        "framework": DATA_SKILLS,
        "code": "DS.1",
        "name": "Competency DS.1",
        "description": "What DS.1 means.",
        "level": "EQF 5",
        "alignment": {
            "type": ["Alignment"],
            "targetName": "Competency DS.1",
            "targetUrl": url,
            "targetDescription": "What DS.1 means.",
            "targetCode": "DS.1",
            "targetFramework": DATA_SKILLS,
            "targetType": "ceasn:Competency",
        },
        "created_at": "2025-03-01T12:00:00Z",
    }
    assert client.get(f"{COMPETENCIES}/{body['uuid']}", headers=headers_a).json() == body
    with sessions() as session:
        entries = AuditRepository(session, tenants.a.organization_id).entries()
    assert [(e.action, e.subject) for e in entries if e.action.startswith("competency.")] == [
        ("competency.create", f"competency:{body['uuid']}")
    ]


def test_optional_members_may_be_left_out(client: TestClient, headers_a: dict[str, str]) -> None:
    body = {"framework": "F", "code": "C", "name": "N"}
    created = client.post(COMPETENCIES, json=body, headers=headers_a).json()
    assert (created["description"], created["level"]) == (None, None)
    assert set(created["alignment"]) == {
        "type",
        "targetName",
        "targetUrl",
        "targetCode",
        "targetFramework",
        "targetType",
    }


def test_list_by_framework_then_code_with_a_filter(client: TestClient, headers_a: dict[str, str]) -> None:
    for framework, code in [("B", "2"), ("A", "9"), ("B", "1")]:
        create_competency(client, headers_a, code, framework=framework)
    listed = client.get(COMPETENCIES, headers=headers_a)
    assert listed.headers["x-total-count"] == "3"
    assert [(c["framework"], c["code"]) for c in listed.json()] == [("A", "9"), ("B", "1"), ("B", "2")]
    only_b = client.get(COMPETENCIES, params={"framework": "B", "limit": 1, "offset": 1}, headers=headers_a)
    assert only_b.headers["x-total-count"] == "2"
    assert [(c["framework"], c["code"]) for c in only_b.json()] == [("B", "2")]
    assert client.get(COMPETENCIES, params={"framework": "C"}, headers=headers_a).json() == []


def test_a_code_is_unique_within_its_framework_and_organization(
    client: TestClient, headers_a: dict[str, str], tenants: Tenants
) -> None:
    create_competency(client, headers_a, "DS.1")
    duplicate = client.post(COMPETENCIES, json=competency_body("DS.1", name="Other"), headers=headers_a)
    assert "DS.1" in assert_problem(duplicate, 409, "CONFLICT")["detail"]
    create_competency(client, headers_a, "DS.1", framework="Another Framework")
    create_competency(client, bearer(client, tenants.b, WRITE), "DS.1")
    assert client.get(COMPETENCIES, headers=headers_a).headers["x-total-count"] == "2"


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"name": None}, ["body", "name"]),
        ({"code": "   "}, ["body", "code"]),
        ({"code": "x" * 201}, ["body", "code"]),
        ({"framework": "a\u0000b"}, ["body", "framework"]),
        ({"description": ""}, ["body", "description"]),
        ({"targetUrl": "https://elsewhere.example"}, ["body", "targetUrl"]),
    ],
)
def test_invalid_competencies_are_refused(
    client: TestClient, headers_a: dict[str, str], changes: dict[str, Any], loc: list[str]
) -> None:
    body = {key: value for key, value in (competency_body() | changes).items() if value is not None}
    problem = assert_problem(client.post(COMPETENCIES, json=body, headers=headers_a), 422, "VALIDATION_ERROR")
    assert [error["loc"] for error in problem["errors"]] == [loc]


def test_writes_need_achievements_write_and_reads_a_read_scope(client: TestClient, tenants: Tenants) -> None:
    reader = bearer(client, tenants.a, "credentials:read")
    refused = client.post(COMPETENCIES, json=competency_body(), headers=reader)
    assert_problem(refused, 403, "INSUFFICIENT_SCOPE")
    created = create_competency(client, bearer(client, tenants.a, WRITE))
    for scope in ("credentials:read", "credentials:issue", WRITE):
        headers = bearer(client, tenants.a, scope)
        assert client.get(f"{COMPETENCIES}/{created['uuid']}", headers=headers).status_code == 200
    outsider = bearer(client, tenants.a, "pathways:write issuers:write")
    assert_problem(client.get(COMPETENCIES, headers=outsider), 403, "INSUFFICIENT_SCOPE")
    assert_problem(client.get(COMPETENCIES), 401, "AUTHENTICATION_REQUIRED")


def test_another_organizations_competencies_are_invisible(client: TestClient, tenants: Tenants) -> None:
    mine = create_competency(client, bearer(client, tenants.a, WRITE))
    headers_b = bearer(client, tenants.b, WRITE)
    assert_problem(client.get(f"{COMPETENCIES}/{mine['uuid']}", headers=headers_b), 404, "NOT_FOUND")
    listed = client.get(COMPETENCIES, headers=headers_b)
    assert (listed.json(), listed.headers["x-total-count"]) == ([], "0")
    assert_problem(client.get(f"{COMPETENCIES}/not-a-uuid", headers=headers_b), 422, "VALIDATION_ERROR")


def test_the_public_url_serves_the_competency_to_anyone(client: TestClient, headers_a: dict[str, str]) -> None:
    created = create_competency(client, headers_a)
    path = created["id"].removeprefix(BASE_URL)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.json() == {
        "id": created["id"],
        "type": "Competency",
        "framework": DATA_SKILLS,
        "code": "DS.1",
        "name": "Competency DS.1",
        "description": "What DS.1 means.",
        "level": "EQF 5",
        "alignment": created["alignment"],
    }
    etag = response.headers["etag"]
    assert etag.startswith('"')
    cached = client.get(path, headers={"If-None-Match": etag})
    assert (cached.status_code, cached.content, cached.headers["etag"]) == (304, b"", etag)
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert_problem(client.get(path, headers={"Accept": "text/html"}), 406, "NOT_ACCEPTABLE")


@pytest.mark.parametrize("tail", ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "UPPER"])
def test_the_public_url_of_nothing_is_404(client: TestClient, headers_a: dict[str, str], tail: str) -> None:
    created = create_competency(client, headers_a)
    path = f"/competencies/{created['uuid'].upper() if tail == 'UPPER' else tail}"
    assert_problem(client.get(path), 404, "NOT_FOUND")
