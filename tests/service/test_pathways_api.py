"""`/api/v1/pathways` (issue 5 "Pathways"): create, versions, validation, scopes and tenancy."""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from issuer.repositories.audit import AuditRepository
from support.api import assert_problem, bearer
from support.competencies import PATHWAYS, create_achievement, create_competency, post_pathway
from support.issuers import create_issuer
from support.tenancy import Tenant, Tenants, assert_isolated

PARTNER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@dataclass(frozen=True)
class Stack:
    """A tenant's issuer, two micro-credentials, a composite and a competency, all through the API."""

    headers: dict[str, str]
    issuer: dict[str, Any]
    micro: list[dict[str, Any]]
    composite: dict[str, Any]
    competency: dict[str, Any]

    def body(self, **changes: Any) -> dict[str, Any]:
        rule = {"all_of": [{"achievement": self.micro[0]["uuid"]}, {"achievement": self.micro[1]["id"]}]}
        body = {
            "issuer_id": self.issuer["id"],
            "composite_achievement_id": self.composite["uuid"],
            "name": "Data Analyst",
            "rule": rule,
        }
        return body | changes


def make_stack(client: TestClient, tenant: Tenant) -> Stack:
    headers = bearer(client, tenant)
    issuer = create_issuer(client, headers)
    micro = [create_achievement(client, headers, issuer["id"], name) for name in ("Data Cleaning", "SQL Basics")]
    composite = create_achievement(client, headers, issuer["id"], "Data Analyst Certificate")
    return Stack(headers, issuer, micro, composite, create_competency(client, headers))


@pytest.fixture
def stack(client: TestClient, tenants: Tenants) -> Stack:
    return make_stack(client, tenants.a)


def created(client: TestClient, stack: Stack, **changes: Any) -> dict[str, Any]:
    response = post_pathway(client, stack.headers, stack.body(**changes))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_then_read_it_back(
    client: TestClient, stack: Stack, sessions: sessionmaker[Session], tenants: Tenants
) -> None:
    equivalence = {"issuer": PARTNER, "alignment_code": "CS-101", "counts_as": stack.micro[1]["uuid"]}
    rule = {"n_of": 1, "of": [{"achievement": stack.micro[0]["uuid"]}, {"credits": 3}]}
    changes = {"trusted_issuers": [PARTNER], "equivalences": [equivalence], "max_age_days": 365, "auto_award": True}
    response = post_pathway(client, stack.headers, stack.body(rule=rule, **changes))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{PATHWAYS}/{body['id']}"
    assert body == {
        "id": body["id"],
        "issuer_id": stack.issuer["id"],
        "composite_achievement_id": stack.composite["uuid"],
        "version": 1,
        "current_version": 1,
        "name": "Data Analyst",
        "rule": {"n_of": 1, "of": [{"achievement": stack.micro[0]["uuid"]}, {"credits": 3.0}]},
        "trusted_issuers": [PARTNER],
        "equivalences": [equivalence],
        "max_age_days": 365,
        "auto_award": True,
        "created_at": "2025-03-01T12:00:00Z",
        "version_created_at": "2025-03-01T12:00:00Z",
    }
    assert client.get(f"{PATHWAYS}/{body['id']}", headers=stack.headers).json() == body
    assert client.get(f"{PATHWAYS}/{body['id']}/versions/1", headers=stack.headers).json() == body
    listed = client.get(PATHWAYS, headers=stack.headers)
    assert (listed.json(), listed.headers["x-total-count"]) == ([body], "1")
    with sessions() as session:
        entries = AuditRepository(session, tenants.a.organization_id).entries()
    assert [(e.action, e.subject) for e in entries if e.action.startswith("pathway.")] == [
        ("pathway.create", f"pathway:{body['id']}/versions/1")
    ]


def test_defaults(client: TestClient, stack: Stack) -> None:
    body = created(client, stack)
    assert (body["trusted_issuers"], body["equivalences"], body["max_age_days"], body["auto_award"]) == (
        [],
        [],
        None,
        False,
    )


def test_put_adds_a_version_and_keeps_the_first(client: TestClient, stack: Stack) -> None:
    first = created(client, stack)
    path = f"{PATHWAYS}/{first['id']}"
    edit = stack.body(name="Data Analyst II", rule={"achievement": stack.micro[0]["uuid"]})
    second = client.put(path, json=edit, headers=stack.headers)
    assert second.status_code == 200, second.text
    assert (second.json()["version"], second.json()["current_version"], second.json()["name"]) == (
        2,
        2,
        "Data Analyst II",
    )
    assert client.put(path, json=edit, headers=stack.headers).json()["version"] == 2, "PUT is idempotent"
    assert client.get(path, headers=stack.headers).json() == second.json()
    old = client.get(f"{path}/versions/1", headers=stack.headers).json()
    assert {k: v for k, v in old.items() if k != "current_version"} == {
        k: v for k, v in first.items() if k != "current_version"
    }
    versions = client.get(f"{path}/versions", headers=stack.headers)
    assert ([v["version"] for v in versions.json()], versions.headers["x-total-count"]) == ([1, 2], "2")
    assert_problem(client.get(f"{path}/versions/3", headers=stack.headers), 404, "NOT_FOUND")
    without_ids = {k: v for k, v in edit.items() if k not in ("issuer_id", "composite_achievement_id")}
    assert client.put(path, json=without_ids | {"max_age_days": 30}, headers=stack.headers).json()["version"] == 3


def test_put_cannot_change_the_issuer_or_the_composite(client: TestClient, stack: Stack) -> None:
    path = f"{PATHWAYS}/{created(client, stack)['id']}"
    other = create_achievement(client, stack.headers, stack.issuer["id"], "Another Composite")
    moved = client.put(path, json=stack.body(composite_achievement_id=other["uuid"]), headers=stack.headers)
    problem = assert_problem(moved, 422, "VALIDATION_ERROR")
    assert [e["loc"] for e in problem["errors"]] == [["body", "composite_achievement_id"]]
    second_issuer = create_issuer(client, stack.headers)
    moved = client.put(path, json=stack.body(issuer_id=second_issuer["id"]), headers=stack.headers)
    assert [e["loc"] for e in assert_problem(moved, 422, "VALIDATION_ERROR")["errors"]] == [["body", "issuer_id"]]


def test_writes_need_pathways_write(client: TestClient, stack: Stack, tenants: Tenants) -> None:
    pathway = created(client, stack)
    others = bearer(client, tenants.a, "achievements:write issuers:write credentials:issue credentials:read")
    assert_problem(post_pathway(client, others, stack.body()), 403, "INSUFFICIENT_SCOPE")
    put = client.put(f"{PATHWAYS}/{pathway['id']}", json=stack.body(name="X"), headers=others)
    problem = assert_problem(put, 403, "INSUFFICIENT_SCOPE")
    assert 'scope="pathways:write"' in put.headers["www-authenticate"]
    assert "pathways:write" in problem["detail"]
    writer = bearer(client, tenants.a, "pathways:write")
    assert client.put(f"{PATHWAYS}/{pathway['id']}", json=stack.body(name="X"), headers=writer).status_code == 200
    for scope in ("pathways:write", "credentials:issue", "credentials:read"):
        assert client.get(f"{PATHWAYS}/{pathway['id']}", headers=bearer(client, tenants.a, scope)).status_code == 200
    refused = client.get(PATHWAYS, headers=bearer(client, tenants.a, "achievements:write"))
    assert_problem(refused, 403, "INSUFFICIENT_SCOPE")


@dataclass
class PathwayApiProbe:
    """The tenancy probe over HTTP; `bodies` holds a valid PUT body for each tenant's own stack."""

    client: TestClient
    bodies: dict[str, dict[str, Any]]

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        response = self.client.get(f"{PATHWAYS}/{row_id}", headers=bearer(self.client, tenant))
        return None if response.status_code == 404 else response.json()

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        return [item["id"] for item in self.client.get(PATHWAYS, headers=bearer(self.client, tenant)).json()]

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        body = self.bodies[tenant.name] | {"name": f"edited by {tenant.name}"}
        response = self.client.put(f"{PATHWAYS}/{row_id}", json=body, headers=bearer(self.client, tenant))
        if response.status_code == 404:
            assert_problem(response, 404, "NOT_FOUND")
            return False
        assert response.status_code == 200, response.text
        return True


def test_pathways_are_isolated_between_organizations(client: TestClient, stack: Stack, tenants: Tenants) -> None:
    mine = created(client, stack)
    theirs = make_stack(client, tenants.b)
    created(client, theirs)
    strip = ("issuer_id", "composite_achievement_id")
    bodies = {
        tenants.a.name: {k: v for k, v in stack.body().items() if k not in strip},
        tenants.b.name: {k: v for k, v in theirs.body().items() if k not in strip},
    }
    assert_isolated(PathwayApiProbe(client, bodies), owner=tenants.a, intruder=tenants.b, row_id=mine["id"])
    for path in ("versions", "versions/1", "coverage"):
        assert_problem(client.get(f"{PATHWAYS}/{mine['id']}/{path}", headers=theirs.headers), 404, "NOT_FOUND")


def test_another_organizations_data_cannot_be_referenced(client: TestClient, stack: Stack, tenants: Tenants) -> None:
    theirs = make_stack(client, tenants.b)
    own_issuer_did = theirs.issuer["did"]
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"issuer_id": stack.issuer["id"]}, ["body", "issuer_id"]),
        ({"composite_achievement_id": stack.composite["uuid"]}, ["body", "composite_achievement_id"]),
        ({"rule": {"achievement": stack.micro[0]["uuid"]}}, ["body", "rule", "achievement"]),
        ({"rule": {"achievement": stack.micro[0]["id"]}}, ["body", "rule", "achievement"]),
        ({"rule": {"competencies": [stack.competency["id"]]}}, ["body", "rule", "competencies", "0"]),
        (
            {
                "rule": {"achievement": theirs.micro[0]["uuid"]},
                "equivalences": [
                    {"issuer": own_issuer_did, "achievement_id": "urn:x:1", "counts_as": stack.micro[0]["uuid"]}
                ],
            },
            ["body", "equivalences", "0", "counts_as"],
        ),
    ]
    for changes, loc in cases:
        problem = assert_problem(post_pathway(client, theirs.headers, theirs.body(**changes)), 422, "VALIDATION_ERROR")
        assert [e["loc"] for e in problem["errors"]] == [loc], changes
    assert client.get(PATHWAYS, headers=theirs.headers).json() == []


@pytest.mark.parametrize(
    ("changes", "locs"),
    [
        ({"rule": []}, [["body", "rule"]]),
        ({"rule": {"all_of": []}}, [["body", "rule", "all_of"]]),
        ({"rule": {"achievement": "x", "n": 1}}, [["body", "rule", "n"]]),
        ({"rule": {"achievement": "00000000-0000-4000-8000-000000000000"}}, [["body", "rule", "achievement"]]),
        ({"name": " "}, [["body", "name"]]),
        ({"trusted_issuers": ["https://partner.example"]}, [["body", "trusted_issuers", 0]]),
        ({"trusted_issuers": ["did:web:partner.example#key-1"]}, [["body", "trusted_issuers", 0]]),
        ({"trusted_issuers": [PARTNER, PARTNER]}, [["body", "trusted_issuers", "1"]]),
        ({"max_age_days": 0}, [["body", "max_age_days"]]),
        ({"max_age_days": "30"}, [["body", "max_age_days"]]),
        ({"max_age_days": 1.5}, [["body", "max_age_days"]]),
        ({"auto_award": "yes"}, [["body", "auto_award"]]),
        ({"unknown": 1}, [["body", "unknown"]]),
    ],
)
def test_invalid_definitions_are_refused(
    client: TestClient, stack: Stack, changes: dict[str, Any], locs: list[list[Any]]
) -> None:
    problem = assert_problem(post_pathway(client, stack.headers, stack.body(**changes)), 422, "VALIDATION_ERROR")
    assert [e["loc"][: len(loc)] for e, loc in zip(problem["errors"], locs, strict=True)] == [
        [str(part) for part in loc] for loc in locs
    ]
    assert client.get(PATHWAYS, headers=stack.headers).json() == []


def test_the_rule_cannot_require_the_composite(client: TestClient, stack: Stack) -> None:
    rule = {"any_of": [{"achievement": stack.micro[0]["uuid"]}, {"achievement": stack.composite["id"]}]}
    problem = assert_problem(post_pathway(client, stack.headers, stack.body(rule=rule)), 422, "VALIDATION_ERROR")
    assert [e["loc"] for e in problem["errors"]] == [["body", "rule", "any_of", "1", "achievement"]]


def test_min_result_must_name_a_result_description_and_level(client: TestClient, stack: Stack) -> None:
    result = {"name": "Grade", "resultType": "RubricCriterionLevel", "rubricCriterionLevel": [{"name": "Pass"}]}
    graded = create_achievement(client, stack.headers, stack.issuer["id"], "Graded", resultDescription=[result])
    description = graded["achievement"]["resultDescription"][0]
    level = description["rubricCriterionLevel"][0]["id"]
    ok = {"achievement": graded["uuid"], "min_result": {"result_description": description["id"], "level": level}}
    assert post_pathway(client, stack.headers, stack.body(rule=ok)).status_code == 201
    wrong = {"achievement": graded["uuid"], "min_result": {"result_description": description["id"], "level": "#x"}}
    problem = assert_problem(post_pathway(client, stack.headers, stack.body(rule=wrong)), 422, "VALIDATION_ERROR")
    assert [e["loc"] for e in problem["errors"]] == [["body", "rule", "min_result", "level"]]


@pytest.mark.parametrize(
    ("equivalence", "loc"),
    [
        ({"issuer": PARTNER, "counts_as": "MICRO"}, ["body", "equivalences", "0"]),
        ({"issuer": PARTNER, "achievement_id": "urn:x:1", "alignment_code": "C", "counts_as": "MICRO"}, None),
        (
            {"issuer": "partner", "achievement_id": "urn:x:1", "counts_as": "MICRO"},
            ["body", "equivalences", "0", "issuer"],
        ),
        ({"issuer": PARTNER, "achievement_id": "not a uri", "counts_as": "MICRO"}, None),
        (
            {"issuer": PARTNER, "alignment_url": "https://p.example/c", "counts_as": "nothing"},
            ["body", "equivalences", "0", "counts_as"],
        ),
        (
            {"issuer": "did:key:z6MkUntrusted", "alignment_code": "C", "counts_as": "MICRO"},
            ["body", "equivalences", "0", "issuer"],
        ),
    ],
)
def test_equivalences_are_checked(
    client: TestClient, stack: Stack, equivalence: dict[str, Any], loc: list[str] | None
) -> None:
    item = {key: stack.micro[0]["uuid"] if value == "MICRO" else value for key, value in equivalence.items()}
    body = stack.body(trusted_issuers=[PARTNER], equivalences=[item])
    problem = assert_problem(post_pathway(client, stack.headers, body), 422, "VALIDATION_ERROR")
    assert problem["errors"]
    if loc is not None:
        assert [e["loc"] for e in problem["errors"]] == [loc]


def test_an_own_issuer_needs_no_listing_to_have_an_equivalence(client: TestClient, stack: Stack) -> None:
    item = {"issuer": stack.issuer["did"], "alignment_url": "https://p.example/c", "counts_as": stack.micro[0]["id"]}
    body = created(client, stack, equivalences=[item])
    assert (body["trusted_issuers"], body["equivalences"]) == ([], [item])
