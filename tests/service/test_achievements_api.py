"""`/api/v1/achievements` (OB 3.0 §B.1.1 Achievement templates): create, versions, validation, scopes, paging."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from issuer.achievement_service import achievement_for_issuance
from issuer.achievements import achievement_document
from issuer.errors import NotFound
from issuer.repositories.audit import AuditRepository
from schemas.achievement import AchievementTemplate
from support.achievements import (
    API,
    BASE_URL,
    FULL_TEMPLATE,
    created,
    issuer_did,
    make_issuer,
    template,
)
from support.achievements import create as post_achievement
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.tenancy import Tenants

WRITE = "achievements:write"


@pytest.fixture
def issuer_a(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> uuid.UUID:
    return make_issuer(sessions, tenants.a, now=clock())


@pytest.fixture
def headers_a(client: TestClient, tenants: Tenants) -> dict[str, str]:
    return bearer(client, tenants.a, WRITE)


def test_create_with_every_ob_member(
    client: TestClient,
    headers_a: dict[str, str],
    issuer_a: uuid.UUID,
    sessions: sessionmaker[Session],
    tenants: Tenants,
    clock: FakeClock,
) -> None:
    response = post_achievement(client, headers_a, issuer_a, FULL_TEMPLATE)
    assert response.status_code == 201, response.text
    body = response.json()
    public_url = f"{BASE_URL}/achievements/{body['uuid']}"
    assert response.headers["location"] == f"{API}/{body['uuid']}"
    assert body["id"] == public_url
    assert (body["issuer_id"], body["version"], body["current_version"]) == (str(issuer_a), 1, 1)
    assert body["version_url"] == f"{public_url}/versions/1"
    assert body["created_at"] == body["version_created_at"] == "2025-03-01T12:00:00Z"
    creator = {"id": issuer_did(sessions, tenants.a, issuer_a), "type": ["Profile"], "name": "Example University"}
    expected = achievement_document(
        AchievementTemplate.model_validate(FULL_TEMPLATE), achievement_id=public_url, creator=creator
    )
    assert body["achievement"] == expected
    achievement = body["achievement"]
    assert achievement["version"] == "2025.1", "the template's own version string is kept"
    assert achievement["resultDescription"][0]["id"] == f"{public_url}#practical"
    assert achievement["resultDescription"][0]["requiredLevel"] == f"{public_url}#pass"
    levels = achievement["resultDescription"][0]["rubricCriterionLevel"]
    assert [level["id"] for level in levels] == [f"{public_url}#pass", f"{public_url}#result-1-level-2"]
    for member in FULL_TEMPLATE:
        assert member in achievement, f"{member} was dropped"


def test_round_trip_through_every_read(client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID) -> None:
    body = created(client, headers_a, issuer_a, FULL_TEMPLATE)
    item = client.get(f"{API}/{body['uuid']}", headers=headers_a)
    assert item.status_code == 200
    assert item.json() == body
    listed = client.get(API, headers=headers_a).json()
    assert listed == [body]
    assert client.get(f"{API}/{body['uuid']}/versions/1", headers=headers_a).json() == body
    public = client.get(body["id"].removeprefix(BASE_URL)).json()
    assert public.pop("@context") == ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert public == body["achievement"]


def test_version_number_is_the_ob_version_when_the_template_has_none(
    client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID
) -> None:
    body = created(client, headers_a, issuer_a)
    assert body["achievement"]["version"] == "1"
    updated = client.put(f"{API}/{body['uuid']}", json=template(name="Intro to Testing II"), headers=headers_a)
    assert updated.json()["achievement"]["version"] == "2"


def test_put_adds_a_version_and_keeps_the_first_unchanged(
    client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID, clock: FakeClock
) -> None:
    first = created(client, headers_a, issuer_a)
    clock.advance(minutes=30)
    response = client.put(f"{API}/{first['uuid']}", json=template(name="Renamed"), headers=headers_a)
    assert response.status_code == 200, response.text
    second = response.json()
    assert (second["id"], second["uuid"], second["version"], second["current_version"]) == (
        first["id"],
        first["uuid"],
        2,
        2,
    )
    assert second["achievement"]["name"] == "Renamed"
    assert second["achievement"]["id"] == first["achievement"]["id"], "the OB id is the same for every version"
    assert second["created_at"] == first["created_at"]
    assert second["version_created_at"] == "2025-03-01T12:30:00Z"

    again = client.get(f"{API}/{first['uuid']}/versions/1", headers=headers_a).json()
    assert again["achievement"] == first["achievement"]
    assert (again["version"], again["current_version"]) == (1, 2)
    assert client.get(f"{API}/{first['uuid']}", headers=headers_a).json() == second

    versions = client.get(f"{API}/{first['uuid']}/versions", headers=headers_a)
    assert versions.headers["x-total-count"] == "2"
    assert [v["version"] for v in versions.json()] == [1, 2]
    assert_problem(client.get(f"{API}/{first['uuid']}/versions/3", headers=headers_a), 404, "NOT_FOUND")


def test_put_of_the_current_content_adds_no_version(
    client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID
) -> None:
    """PUT is idempotent (RFC 9110 §9.2.2): a retried edit does not pile up versions."""
    first = created(client, headers_a, issuer_a, FULL_TEMPLATE)
    for _ in range(2):
        same = client.put(f"{API}/{first['uuid']}", json=FULL_TEMPLATE, headers=headers_a)
        assert same.status_code == 200
        assert same.json() == first
    edited = client.put(f"{API}/{first['uuid']}", json=FULL_TEMPLATE | {"tag": ["data"]}, headers=headers_a)
    assert edited.json()["version"] == 2
    retried = client.put(f"{API}/{first['uuid']}", json=FULL_TEMPLATE | {"tag": ["data"]}, headers=headers_a)
    assert retried.json()["version"] == 2


def test_put_may_repeat_the_issuer_but_not_change_it(
    client: TestClient,
    headers_a: dict[str, str],
    issuer_a: uuid.UUID,
    sessions: sessionmaker[Session],
    tenants: Tenants,
    clock: FakeClock,
) -> None:
    first = created(client, headers_a, issuer_a)
    same_issuer = client.put(
        f"{API}/{first['uuid']}", json=template(name="Two", issuer_id=str(issuer_a)), headers=headers_a
    )
    assert same_issuer.status_code == 200
    other = make_issuer(sessions, tenants.a, now=clock(), name="Other Faculty")
    moved = client.put(f"{API}/{first['uuid']}", json=template(name="Three", issuer_id=str(other)), headers=headers_a)
    body = assert_problem(moved, 422, "VALIDATION_ERROR")
    assert [error["loc"] for error in body["errors"]] == [["body", "issuer_id"]]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"achievementType": "Diploma2"}, ["body", "achievementType"]),
        ({"achievementType": "ext:"}, ["body", "achievementType"]),
        ({"achievementType": "ext:has space"}, ["body", "achievementType"]),
        ({"alignment": [{"targetName": "x", "targetUrl": "https://a.example", "targetType": "Bogus"}]}, None),
        ({"resultDescription": [{"name": "Grade", "resultType": "Mark"}]}, None),
        ({"otherIdentifier": [{"identifier": "1", "identifierType": "passport"}]}, None),
    ],
)
def test_enumeration_values_are_checked(
    client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID, changes: dict[str, Any], loc: list[str] | None
) -> None:
    body = assert_problem(post_achievement(client, headers_a, issuer_a, template(**changes)), 422, "VALIDATION_ERROR")
    assert body["errors"], "the invalid field is named"
    if loc is not None:
        assert [error["loc"] for error in body["errors"]] == [loc]
    assert all(error["loc"][0] == "body" for error in body["errors"])


def test_extension_terms_are_accepted_in_every_enumeration(
    client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID
) -> None:
    """OB 3.0 §B.3: extensible enumerations take `ext:` terms."""
    changes = {
        "achievementType": "ext:Nanodegree",
        "alignment": [{"targetName": "x", "targetUrl": "https://a.example", "targetType": "ext:Outcome"}],
        "resultDescription": [{"name": "Stars", "resultType": "ext:StarRating"}],
        "otherIdentifier": [{"identifier": "1", "identifierType": "ext:catalogId"}],
    }
    achievement = created(client, headers_a, issuer_a, template(**changes))["achievement"]
    assert achievement["achievementType"] == "ext:Nanodegree"
    assert achievement["alignment"][0]["targetType"] == "ext:Outcome"
    assert achievement["resultDescription"][0]["resultType"] == "ext:StarRating"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (template(nmae="typo"), ["body", "nmae"]),
        (template(id="https://elsewhere.example/a"), ["body", "id"]),
        (template(type=["Achievement"]), ["body", "type"]),
        (template(**{"@context": ["https://www.w3.org/ns/credentials/v2"]}), ["body", "@context"]),
        (template(criteria={"narrative": "x", "extra": 1}), ["body", "criteria", "extra"]),
        (template(image={"id": "https://a.example/i.png", "type": "Image"}), ["body", "image", "type"]),
    ],
)
def test_unknown_members_are_refused(
    client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID, body: dict[str, Any], loc: list[str]
) -> None:
    problem = assert_problem(post_achievement(client, headers_a, issuer_a, body), 422, "VALIDATION_ERROR")
    assert loc in [error["loc"] for error in problem["errors"]]


def test_inconsistent_ids_are_field_errors(client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID) -> None:
    """The document-level check (issuer.achievements) reports its fields like request validation does."""
    levels = [{"id": "#same", "name": "One"}, {"id": "#same", "name": "Two"}]
    changes = {
        "resultDescription": [{"name": "R", "resultType": "RubricCriterionLevel", "rubricCriterionLevel": levels}]
    }
    problem = assert_problem(
        post_achievement(client, headers_a, issuer_a, template(**changes)), 422, "VALIDATION_ERROR"
    )
    assert problem["errors"] == [
        {
            "loc": ["body", "resultDescription", "0", "rubricCriterionLevel", "1", "id"],
            "msg": problem["errors"][0]["msg"],
            "type": "value_error",
        }
    ]
    assert "already used" in problem["errors"][0]["msg"]


@pytest.mark.parametrize(
    "raw",
    [b"{", b"[]", b'"text"', b"null", b'{"issuer_id": "not-a-uuid", "name": "x"}', b'{"name": "\\ud800"}'],
)
def test_malformed_bodies_are_422(client: TestClient, headers_a: dict[str, str], raw: bytes) -> None:
    response = client.post(API, content=raw, headers=headers_a | {"Content-Type": "application/json"})
    assert_problem(response, 422, "VALIDATION_ERROR")


def test_issuer_must_belong_to_the_callers_organization(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    issuer_b = make_issuer(sessions, tenants.b, now=clock())
    for issuer_id in (issuer_b, uuid.uuid4()):
        response = post_achievement(client, bearer(client, tenants.a, WRITE), issuer_id)
        problem = assert_problem(response, 422, "VALIDATION_ERROR")
        assert problem["errors"] == [
            {"loc": ["body", "issuer_id"], "msg": "no issuer with this id in your organization", "type": "value_error"}
        ]
    missing = client.post(API, json=template(), headers=bearer(client, tenants.a, WRITE))
    assert ["body", "issuer_id"] in [
        error["loc"] for error in assert_problem(missing, 422, "VALIDATION_ERROR")["errors"]
    ]


def test_unknown_achievement_is_404(client: TestClient, headers_a: dict[str, str]) -> None:
    unknown = uuid.uuid4()
    assert_problem(client.get(f"{API}/{unknown}", headers=headers_a), 404, "NOT_FOUND")
    assert_problem(client.put(f"{API}/{unknown}", json=template(), headers=headers_a), 404, "NOT_FOUND")
    assert_problem(client.get(f"{API}/{unknown}/versions", headers=headers_a), 404, "NOT_FOUND")
    assert_problem(client.get(f"{API}/not-a-uuid", headers=headers_a), 422, "VALIDATION_ERROR")


def test_writes_are_audited(
    client: TestClient,
    headers_a: dict[str, str],
    issuer_a: uuid.UUID,
    sessions: sessionmaker[Session],
    tenants: Tenants,
    clock: FakeClock,
) -> None:
    first = created(client, headers_a, issuer_a)
    clock.advance(seconds=1)  # the log is ordered by time
    client.put(f"{API}/{first['uuid']}", json=template(name="Two"), headers=headers_a)
    with sessions() as session:
        entries = AuditRepository(session, tenants.a.organization_id).entries()
    achievement_entries = [(e.action, e.subject, e.actor) for e in entries if e.action.startswith("achievement.")]
    actor = f"client:{tenants.a.client_id}"
    assert achievement_entries == [
        ("achievement.create", f"achievement:{first['uuid']}/versions/1", actor),
        ("achievement.update", f"achievement:{first['uuid']}/versions/2", actor),
    ]


def test_achievement_for_issuance_gives_the_current_version(
    client: TestClient,
    headers_a: dict[str, str],
    issuer_a: uuid.UUID,
    sessions: sessionmaker[Session],
    tenants: Tenants,
) -> None:
    first = created(client, headers_a, issuer_a, FULL_TEMPLATE)
    second = client.put(f"{API}/{first['uuid']}", json=FULL_TEMPLATE | {"name": "Data Cleaning II"}, headers=headers_a)
    with sessions() as session:
        row, document, issuer = achievement_for_issuance(session, tenants.a.organization_id, uuid.UUID(first["uuid"]))
        assert (row.version, document, issuer.id) == (2, second.json()["achievement"], issuer_a)
        assert document["creator"]["id"] == issuer.did
        with pytest.raises(NotFound):
            achievement_for_issuance(session, tenants.b.organization_id, uuid.UUID(first["uuid"]))


def test_documents_are_stored_as_given(client: TestClient, headers_a: dict[str, str], issuer_a: uuid.UUID) -> None:
    """Values that JSON storage could alter (floats, Unicode, large text) come back byte-for-byte equal."""
    changes = {
        "name": "Ünïcødé ✓ 名前",
        "description": "x" * 60_000,
        "creditsAvailable": 0.1,
        "tag": ["a", "a", "b"],
    }
    body = created(client, headers_a, issuer_a, template(**changes))
    stored = client.get(f"{API}/{body['uuid']}", headers=headers_a).json()["achievement"]
    assert stored == body["achievement"]
    assert stored["creditsAvailable"] == 0.1
    assert stored["tag"] == ["a", "a", "b"]
