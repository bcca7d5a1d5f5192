"""`GET /api/v1/learners/clr` (issue 5, STANDARDS.md §5): a learner's signed CLR 2.0 ClrCredential bundling their
stored credentials with `isParentOf` associations from a composite award to its components, verified by the
service's own verifier; revoked credentials and other organizations' learners left out; SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from support.api import assert_problem, bearer
from support.pathway_awards import CREDENTIALS, LEARNER, OTHER_LEARNER, Stack, make_stack
from support.tenancy import Tenants

CLR = "/api/v1/learners/clr"
VERIFY = "/api/v1/verify"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
LEARNER_DID = "did:example:learner-7"


@pytest.fixture
def stack(client: TestClient, tenants: Tenants) -> Stack:
    return make_stack(client, tenants.a)


def _clr(client: TestClient, headers: dict[str, str], **query: str) -> httpx.Response:
    return client.get(CLR, params=query, headers=headers)


def _stored(client: TestClient, stack: Stack, row_id: str) -> Any:
    response = client.get(f"{CREDENTIALS}/{row_id}", headers=stack.headers)
    assert response.status_code == 200, response.text
    return response.json()["credential"]


def _by_id(credentials: list[Any]) -> list[Any]:
    return sorted(credentials, key=lambda credential: str(credential["id"]))


def _awarded_stack(client: TestClient, stack: Stack) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Two components issued to LEARNER and the composite awarded for them (a pathway of those two)."""
    pathway = stack.pathway(client, {"all_of": [{"achievement": micro["uuid"]} for micro in stack.micro[:2]]})
    components = [stack.issue(client, index) for index in range(2)]
    award = stack.post(client, pathway, "award")
    assert award.status_code == 201, award.text
    return components, award.json()


def test_the_clr_bundles_the_stack_with_its_associations_and_verifies(client: TestClient, stack: Stack) -> None:
    components, award = _awarded_stack(client, stack)
    stack.issue(client, 2, email=OTHER_LEARNER)

    response = _clr(client, stack.headers, email=LEARNER.upper())

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == "application/vc+ld+json"
    clr = response.json()
    assert clr["@context"] == CONTEXTS
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"]["id"] == stack.issuer["did"] and "Profile" in clr["issuer"]["type"]
    assert clr["id"].startswith("urn:uuid:") and clr["name"] and clr["validFrom"]
    assert clr["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"] and "id" not in subject and "partial" not in clr
    identity = subject["identifier"][0]
    digest = hashlib.sha256((LEARNER + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${digest}"
    rows = [item["id"] for item in components] + [award["id"]]
    # The fake clock stands still: all three were issued at one instant, so their order is not asserted.
    assert _by_id(subject["verifiableCredential"]) == _by_id([_stored(client, stack, row) for row in rows])
    micro_ids = [micro["id"] for micro in stack.micro]
    assert sorted(a["id"] for a in subject["achievement"]) == sorted([*micro_ids[:2], stack.composite["id"]])
    association = {"type": "Association", "associationType": "isParentOf", "sourceId": stack.composite["id"]}
    assert sorted(subject["association"], key=lambda link: str(link["targetId"])) == [
        {**association, "targetId": target} for target in sorted(micro_ids[:2])
    ]

    report = client.post(VERIFY, json=clr)

    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["verified"], body["kind"]) == (True, "clr"), report.text
    assert [nested["verified"] for nested in body["credentials"]] == [True, True, True]


def test_revoked_credentials_are_left_out(client: TestClient, stack: Stack) -> None:
    kept, revoked = stack.issue(client, 0), stack.issue(client, 1)
    response = client.post(f"{CREDENTIALS}/{revoked['id']}/revoke", json={"reason": "withdrawn"}, headers=stack.headers)
    assert response.status_code == 200, response.text

    clr = _clr(client, stack.headers, email=LEARNER).json()

    assert clr["credentialSubject"]["verifiableCredential"] == [_stored(client, stack, kept["id"])]
    assert "association" not in clr["credentialSubject"]
    assert client.post(VERIFY, json=clr).json()["verified"] is True


def test_a_did_learner_is_the_subject_id_and_issuer_id_selects_the_signer(client: TestClient, stack: Stack) -> None:
    body = {"achievement_id": stack.micro[0]["uuid"], "recipient": {"did": LEARNER_DID}}
    assert client.post(CREDENTIALS, json=body, headers=stack.headers).status_code == 201

    response = _clr(client, stack.headers, did=LEARNER_DID, issuer_id=stack.issuer["id"])

    assert response.status_code == 200, response.text
    subject = response.json()["credentialSubject"]
    assert subject["id"] == LEARNER_DID and "identifier" not in subject
    assert len(subject["verifiableCredential"]) == 1


def test_a_learner_of_another_organization_is_not_visible(client: TestClient, stack: Stack, tenants: Tenants) -> None:
    stack.issue(client, 0)
    other = bearer(client, tenants.b)

    assert_problem(_clr(client, other, email=LEARNER), 404, "NOT_FOUND")
    assert_problem(_clr(client, stack.headers, email=OTHER_LEARNER), 404, "NOT_FOUND")
    assert_problem(_clr(client, stack.headers, email=LEARNER, issuer_id="not-a-uuid"), 422, "VALIDATION_ERROR")


def test_an_issuer_of_another_organization_is_not_found(client: TestClient, stack: Stack, tenants: Tenants) -> None:
    stack.issue(client, 0)
    other = make_stack(client, tenants.b)
    other.issue(client, 0)

    response = _clr(client, other.headers, email=LEARNER, issuer_id=stack.issuer["id"])

    assert_problem(response, 404, "NOT_FOUND")


@pytest.mark.parametrize("query", [{}, {"email": LEARNER, "did": LEARNER_DID}, {"email": "not-an-address"}])
def test_exactly_one_of_email_and_did(client: TestClient, stack: Stack, query: dict[str, str]) -> None:
    assert_problem(_clr(client, stack.headers, **query), 422, "VALIDATION_ERROR")


def test_it_needs_the_read_scope(client: TestClient, stack: Stack, tenants: Tenants) -> None:
    stack.issue(client, 0)
    headers = bearer(client, tenants.a, scope="credentials:issue")

    assert_problem(_clr(client, headers, email=LEARNER), 403, "INSUFFICIENT_SCOPE")


def test_a_vc_jwt_credential_is_bundled_as_its_compact_jws(client: TestClient, stack: Stack) -> None:
    body = {"achievement_id": stack.micro[0]["uuid"], "recipient": {"email": LEARNER}, "format": "jwt"}
    issued = client.post(CREDENTIALS, json=body, headers=stack.headers)
    assert issued.status_code == 201, issued.text

    clr = _clr(client, stack.headers, email=LEARNER).json()

    assert clr["credentialSubject"]["verifiableCredential"] == [issued.json()["credential"]]
    assert [a["id"] for a in clr["credentialSubject"]["achievement"]] == [stack.micro[0]["id"]]
    report = client.post(VERIFY, json=clr).json()
    assert report["verified"] is True and report["credentials"][0]["verified"] is True
