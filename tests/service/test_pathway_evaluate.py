"""`POST /api/v1/pathways/{id}/evaluate` (issue 5 "Evaluate and award"): our stack, partners, revoked, tampered and
another learner's credentials, credits and competencies, limits and tenancy; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from jsref import JsReference, available

from support.api import assert_problem, bearer
from support.pathway_awards import (
    CREDENTIALS,
    LEARNER,
    OTHER_LEARNER,
    PARTNER_ACHIEVEMENT,
    PARTNER_SEED,
    Stack,
    entries_by_reason,
    make_stack,
    partner_credential,
    partner_did,
    partner_unsigned,
    tampered,
)
from support.tenancy import Tenants


@pytest.fixture
def stack(client: TestClient, tenants: Tenants) -> Stack:
    return make_stack(client, tenants.a)


def test_a_complete_stack_of_our_own_stored_credentials_satisfies_the_pathway(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)
    issued = [stack.issue(client, index) for index in range(3)]

    evaluation = stack.evaluate(client, pathway)

    assert evaluation["satisfied"] is True
    assert evaluation["pathway"] == {"id": pathway, "version": 1}
    assert evaluation["missing"] == [] and evaluation["missing_text"] == ""
    assert evaluation["progress"]["requirements_met"] == evaluation["progress"]["requirements_total"] == 3
    entries = evaluation["credentials"]
    assert {entry["id"] for entry in entries} == {item["credential"]["id"] for item in issued}
    assert all(entry["stored"] and entry["verified"] and entry["counted"] for entry in entries)
    assert sorted(entry["counts_as"][0]["name"] for entry in entries) == ["Dashboards", "Data Cleaning", "SQL Basics"]
    assert [child["satisfied"] for child in evaluation["rule"]["children"]] == [True, True, True]


def test_without_stored_credentials_nothing_counts_and_everything_is_missing(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)
    stack.issue(client, 0)

    evaluation = stack.evaluate(client, pathway, include_stored=False)

    assert evaluation["satisfied"] is False and evaluation["credentials"] == []
    assert evaluation["missing_text"] == "3 more of: Data Cleaning, SQL Basics, Dashboards"


def test_a_partner_credential_counts_through_an_equivalence_and_not_from_an_untrusted_issuer(
    client: TestClient, stack: Stack
) -> None:
    agreement = {"issuer": partner_did(), "achievement_id": PARTNER_ACHIEVEMENT, "counts_as": stack.micro[2]["id"]}
    trusting = stack.pathway(client, trusted_issuers=[partner_did()], equivalences=[agreement])
    untrusting = stack.pathway(client)
    stack.issue(client, 0)
    stack.issue(client, 1)
    partner = partner_credential()

    accepted = stack.evaluate(client, trusting, credentials=[partner])
    ignored = stack.evaluate(client, untrusting, credentials=[partner])

    assert accepted["satisfied"] is True
    entry = accepted["credentials"][-1]
    assert (entry["stored"], entry["issuer"], entry["reason"]) == (False, partner_did(), "counted")
    assert entry["counts_as"] == [
        {
            "achievement": stack.micro[2]["id"],
            "name": "Dashboards",
            "reason": f"equivalence: {partner_did()} {PARTNER_ACHIEVEMENT}",
        }
    ]
    assert ignored["satisfied"] is False
    assert ignored["credentials"][-1]["verified"] is True
    assert entries_by_reason(ignored)[-1] == ("untrusted_issuer", None)
    assert ignored["missing_text"] == "Dashboards"


def test_a_revoked_component_does_not_count(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)
    issued = [stack.issue(client, index) for index in range(3)]
    revoked = client.post(
        f"{CREDENTIALS}/{issued[1]['id']}/revoke", json={"reason": "withdrawn"}, headers=stack.headers
    )
    assert revoked.status_code == 200, revoked.text

    evaluation = stack.evaluate(client, pathway)

    by_id = {entry["id"]: entry for entry in evaluation["credentials"]}
    entry = by_id[issued[1]["credential"]["id"]]
    assert (entry["reason"], entry["failure"], entry["verified"], entry["counted"]) == (
        "not_verified",
        "revoked",
        False,
        False,
    )
    assert "revoked" in entry["detail"]
    assert evaluation["satisfied"] is False and evaluation["missing_text"] == "SQL Basics"


def test_another_learners_and_a_tampered_component_do_not_count(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)
    theirs = stack.issue(client, 0, email=OTHER_LEARNER)["credential"]
    mine = stack.issue(client, 1)["credential"]

    evaluation = stack.evaluate(client, pathway, credentials=[theirs, tampered(mine)], include_stored=False)

    assert entries_by_reason(evaluation) == [("another_learner", None), ("not_verified", "tampered")]
    assert evaluation["credentials"][0]["verified"] is True
    assert evaluation["satisfied"] is False


def test_credits_short_by_one(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client, {"credits": 5, "of": [{"achievement": micro["id"]} for micro in stack.micro]})
    stack.issue(client, 0)
    stack.issue(client, 1)

    evaluation = stack.evaluate(client, pathway)

    assert evaluation["satisfied"] is False
    assert evaluation["progress"]["credits_earned"] == 4 and evaluation["progress"]["credits_required"] == 5
    assert evaluation["missing"][0]["credits"] == 1
    assert evaluation["missing_text"] == "1 more credit from: Dashboards"


def test_competency_coverage_with_one_competency_missing(client: TestClient, stack: Stack) -> None:
    competencies = [competency["id"] for competency in stack.competencies]
    pathway = stack.pathway(client, {"competencies": [stack.competencies[0]["uuid"], competencies[1]]})
    stack.issue(client, 0)

    evaluation = stack.evaluate(client, pathway)

    assert evaluation["satisfied"] is False
    assert evaluation["rule"]["covered"] == [competencies[0]]
    assert [option["id"] for option in evaluation["missing"][0]["options"]] == [competencies[1]]
    assert evaluation["missing_text"] == "1 more competency of: Competency DS.2"
    stack.issue(client, 2)
    assert stack.evaluate(client, pathway)["satisfied"] is True


def test_presented_and_stored_copies_count_once(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)
    mine = stack.issue(client, 0)["credential"]

    evaluation = stack.evaluate(client, pathway, credentials=[mine])

    assert entries_by_reason(evaluation) == [("counted", None), ("duplicate", None)]
    assert [entry["stored"] for entry in evaluation["credentials"]] == [True, False]


def test_unreadable_input_is_explained_not_refused(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)

    evaluation = stack.evaluate(client, pathway, credentials=["not a credential"], include_stored=False)

    assert entries_by_reason(evaluation) == [("not_verified", "unreadable")]


def test_requests_beyond_the_cap_or_malformed_are_refused(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)

    too_many = stack.post(client, pathway, "evaluate", credentials=[{}] * 101)
    no_learner = client.post(f"/api/v1/pathways/{pathway}/evaluate", json={}, headers=stack.headers)
    two_ids = stack.post(client, pathway, "evaluate", learner={"email": LEARNER, "did": "did:key:z6Mkx"})

    assert_problem(too_many, 422, "VALIDATION_ERROR")
    assert_problem(no_learner, 422, "VALIDATION_ERROR")
    assert_problem(two_ids, 422, "VALIDATION_ERROR")


def test_another_organizations_pathway_is_not_found_and_the_scope_is_required(
    client: TestClient, stack: Stack, tenants: Tenants
) -> None:
    pathway = stack.pathway(client)
    intruder = bearer(client, tenants.b)
    reader = bearer(client, tenants.a, scope="credentials:read")
    body = {"learner": {"email": LEARNER}}

    for action in ("evaluate", "award"):
        url = f"/api/v1/pathways/{pathway}/{action}"
        assert_problem(client.post(url, json=body, headers=intruder), 404, "NOT_FOUND")
        assert_problem(client.post(url, json=body, headers=reader), 403, "INSUFFICIENT_SCOPE")


@pytest.fixture(scope="module")
def js_reference() -> Iterator[JsReference]:
    if not available():
        pytest.fail("the JavaScript reference is not installed: run `make install-node` (npm ci in tests/interop)")
    with JsReference() as reference:
        yield reference


def test_a_partner_credential_signed_by_the_javascript_reference_counts_through_an_alignment_code(
    client: TestClient, stack: Stack, js_reference: JsReference
) -> None:
    code = partner_unsigned()["credentialSubject"]["achievement"]["alignment"][0]["targetCode"]
    agreement = {"issuer": partner_did(), "alignment_code": code, "counts_as": stack.micro[0]["uuid"]}
    pathway = stack.pathway(client, trusted_issuers=[partner_did()], equivalences=[agreement])
    signed = js_reference.sign(partner_unsigned(), "eddsa-rdfc-2022", PARTNER_SEED.hex(), "2024-06-01T12:00:00Z")

    evaluation = stack.evaluate(client, pathway, credentials=[signed, tampered(signed)], include_stored=False)

    assert entries_by_reason(evaluation) == [("counted", None), ("not_verified", "tampered")]
    assert (
        evaluation["credentials"][0]["counts_as"][0]["reason"] == f"equivalence: {partner_did()} alignment code {code}"
    )
    assert evaluation["missing_text"] == "2 more of: SQL Basics, Dashboards"
