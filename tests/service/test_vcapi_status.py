"""`POST /credentials/status` (VC-API) on SQLite and PostgreSQL: both request dialects flip the bit in the served,
signed list as soon as the call returns; credentials are found by any of their ids; what cannot change is refused.
Also `POST /status-lists/{id}/publish`, which the bsl test suite calls after a change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credstack.app import create_app
from credstack.settings import Settings
from schemas.report import CheckStatus
from support.achievements import API as ACHIEVEMENTS
from support.achievements import MINIMAL_TEMPLATE
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.issuance import check, problem_codes, verify
from support.issuers import create_issuer
from support.tenancy import Tenants
from support.vcapi import STATUS, VcApi, entries, served_bit, vc2, vcapi_service

BSL = "BitstringStatusListEntry"


@pytest.fixture
def vcapi(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> Iterator[VcApi]:
    with vcapi_service(database_url, tmp_path, clock, tenants.a, suspension=True) as service:
        yield service


def _entry(credential: dict[str, Any], purpose: str) -> dict[str, Any]:
    return next(e for e in entries(credential) if e["statusPurpose"] == purpose)


def _vcalm(credential_id: str, purpose: str, status: bool | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"credentialId": credential_id, "credentialStatus": {"type": BSL, "statusPurpose": purpose}}
    if status is not None:
        body["status"] = status
    return body


def _dcc(credential_id: str, status: str) -> dict[str, Any]:
    return {
        "credentialId": credential_id,
        "credentialStatus": [{"type": "BitstringStatusListCredential", "status": status}],
    }


async def test_revocation_as_the_bsl_suite_sends_it(vcapi: VcApi) -> None:
    credential = vcapi.issued(vc2(vcapi.did))
    revocation = _entry(credential, "revocation")
    assert served_bit(vcapi.client, revocation) == 0
    response = vcapi.update(_vcalm(credential["id"], "revocation"))
    assert response.status_code == 200, response.text
    assert response.json() == {"credentialId": credential["id"], "status": "revoked", "changed": True}
    assert served_bit(vcapi.client, revocation) == 1
    report = await verify(vcapi.app, credential)
    assert not report.verified and check(report, "status") is CheckStatus.FAILED
    assert "CREDENTIAL_REVOKED" in problem_codes(report, "status")
    again = vcapi.update(_vcalm(credential["id"], "revocation", True))
    assert again.status_code == 200 and again.json()["changed"] is False
    assert_problem(vcapi.update(_vcalm(credential["id"], "revocation", False)), 409, "CONFLICT")


def test_suspension_both_ways_in_either_dialect(vcapi: VcApi) -> None:
    credential = vcapi.issued(vc2(vcapi.did))
    suspension = _entry(credential, "suspension")
    assert vcapi.update(_dcc(credential["id"], "suspended")).json()["status"] == "suspended"
    assert served_bit(vcapi.client, suspension) == 1
    assert vcapi.update(_dcc(credential["id"], "unsuspended")).json()["status"] == "active"
    assert served_bit(vcapi.client, suspension) == 0
    assert vcapi.update(_vcalm(credential["id"], "suspension", True)).json()["status"] == "suspended"
    assert vcapi.update(_vcalm(credential["id"], "suspension", False)).json()["status"] == "active"
    unchanged = vcapi.update(_vcalm(credential["id"], "suspension", False))
    assert unchanged.json() == {"credentialId": credential["id"], "status": "active", "changed": False}
    assert vcapi.update(_dcc(credential["id"], "revoked")).json()["status"] == "revoked"
    assert served_bit(vcapi.client, _entry(credential, "revocation")) == 1


def test_a_credential_is_found_by_any_of_its_ids(vcapi: VcApi) -> None:
    without_id = vc2(vcapi.did)
    del without_id["id"]
    issued = vcapi.issue(without_id)
    row_id = issued.headers["location"].rsplit("/", 1)[1]
    credential = issued.json()["verifiableCredential"]
    names = [
        _entry(credential, "suspension")["id"],  # a status entry id (DCC's advice)
        f"urn:uuid:{row_id}",  # the id it was stored under
        row_id,  # the credentials API's id
    ]
    for name, value in zip(names, (True, False, True), strict=True):
        response = vcapi.update(_vcalm(name, "suspension", value))
        assert response.status_code == 200, (name, response.text)
        assert response.json()["changed"] is True
    assert served_bit(vcapi.client, _entry(credential, "suspension")) == 1


def test_unknown_credentials(vcapi: VcApi, tenants: Tenants) -> None:
    assert_problem(
        vcapi.update(_vcalm("urn:uuid:00000000-0000-4000-8000-000000000000", "revocation")), 404, "NOT_FOUND"
    )
    assert_problem(vcapi.update(_vcalm("https://example.org/cred/1#5", "revocation")), 404, "NOT_FOUND")


def test_credentials_of_other_issuers_are_not_vcapi_credentials(vcapi: VcApi, tenants: Tenants) -> None:
    other = create_issuer(vcapi.client, vcapi.headers, did_method="key")
    achievement = vcapi.client.post(
        ACHIEVEMENTS, json={"issuer_id": other["id"], **MINIMAL_TEMPLATE}, headers=vcapi.headers
    )
    body = {"achievement_id": achievement.json()["uuid"], "recipient": {"did": "did:example:learner"}}
    issued = vcapi.client.post("/api/v1/credentials", json=body, headers=vcapi.headers)
    assert issued.status_code == 201, issued.text
    ob_id = issued.json()["credential"]["id"]
    assert_problem(vcapi.update(_vcalm(ob_id, "revocation")), 404, "NOT_FOUND")


def test_entries_the_credential_does_not_carry_cannot_change(
    database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants
) -> None:
    with vcapi_service(database_url, tmp_path, clock, tenants.a) as vcapi:  # no suspension
        own = {"type": BSL, "statusPurpose": "revocation", "statusListIndex": "3", "statusListCredential": "urn:x:1"}
        with_own_status = vcapi.issued(vc2(vcapi.did, credentialStatus=own))
        response = vcapi.update(_vcalm(with_own_status["id"], "revocation"))
        assert_problem(response, 409, "STATUS_ENTRY_NOT_EMBEDDED")
        plain = vcapi.issued(vc2(vcapi.did))
        assert_problem(vcapi.update(_dcc(plain["id"], "suspended")), 409, "STATUS_ENTRY_NOT_EMBEDDED")


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"credentialStatus": {"type": BSL, "statusPurpose": "revocation"}}, ["credentialId"]),
        ({"credentialId": 5, "credentialStatus": {"type": BSL, "statusPurpose": "revocation"}}, ["credentialId"]),
        ({"credentialId": "urn:x"}, ["credentialStatus"]),
        ({"credentialId": "urn:x", "credentialStatus": []}, ["credentialStatus"]),
        ({"credentialId": "urn:x", "credentialStatus": [{}, {}]}, ["credentialStatus"]),
        ({"credentialId": "urn:x", "credentialStatus": {"type": "StatusList2021Entry"}}, ["credentialStatus", "type"]),
        (
            {"credentialId": "urn:x", "credentialStatus": {"type": BSL, "statusPurpose": "message"}},
            ["credentialStatus", "statusPurpose"],
        ),
        ({"credentialId": "urn:x", "credentialStatus": {"type": BSL}}, ["credentialStatus", "statusPurpose"]),
        (
            {"credentialId": "urn:x", "credentialStatus": {"type": BSL, "statusPurpose": "revocation"}, "status": "1"},
            ["status"],
        ),
        (
            {"credentialId": "urn:x", "credentialStatus": [{"type": BSL, "status": "expired"}]},
            ["credentialStatus", "0", "status"],
        ),
        (
            {
                "credentialId": "urn:x",
                "credentialStatus": [{"type": BSL, "status": "revoked", "statusPurpose": "suspension"}],
            },
            ["credentialStatus", "0", "statusPurpose"],
        ),
    ],
)
def test_malformed_status_requests(vcapi: VcApi, body: dict[str, Any], loc: list[str]) -> None:
    assert assert_problem(vcapi.update(body), 400, "INVALID_STATUS_REQUEST")["errors"][0]["loc"] == loc


def test_status_changes_need_the_revoke_scope(vcapi: VcApi, tenants: Tenants) -> None:
    credential = vcapi.issued(vc2(vcapi.did))
    body = _vcalm(credential["id"], "revocation")
    assert_problem(vcapi.update(body, headers={}), 401, "AUTHENTICATION_REQUIRED")
    issuing_only = bearer(vcapi.client, tenants.a, "credentials:issue")
    assert_problem(vcapi.update(body, headers=issuing_only), 403, "INSUFFICIENT_SCOPE")
    assert_problem(vcapi.update(body, headers=bearer(vcapi.client, tenants.b)), 403, "FORBIDDEN")
    assert served_bit(vcapi.client, _entry(credential, "revocation")) == 0


def test_open_mode_status_and_publish(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> None:
    with vcapi_service(database_url, tmp_path, clock, tenants.a, open_mode=True) as vcapi:
        credential = vcapi.issued(vc2(vcapi.did))
        response = vcapi.update(_vcalm(credential["id"], "revocation"), headers={})
        assert response.status_code == 200, response.text
        entry = _entry(credential, "revocation")
        published = vcapi.client.post(f"{entry['statusListCredential'].removeprefix('http://127.0.0.1:8000')}/publish")
        assert published.status_code == 204, published.text
        assert served_bit(vcapi.client, entry) == 1


def test_publish(vcapi: VcApi) -> None:
    credential = vcapi.issued(vc2(vcapi.did))
    path = _entry(credential, "revocation")["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    assert_problem(vcapi.client.post(f"{path}/publish"), 401, "AUTHENTICATION_REQUIRED")
    assert vcapi.client.post(f"{path}/publish", headers=vcapi.headers).status_code == 204
    for unknown in ("/status-lists/00000000-0000-4000-8000-000000000000/publish", "/status-lists/nope/publish"):
        assert_problem(vcapi.client.post(unknown, headers=vcapi.headers), 404, "NOT_FOUND")


def test_status_route_not_configured(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, database_url=database_url), clock=clock)) as client:
        response = client.post(STATUS, json=_vcalm("urn:x", "revocation"), headers=bearer(client, tenants.a))
        assert_problem(response, 404, "VCAPI_NOT_CONFIGURED")
