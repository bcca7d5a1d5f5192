"""Revoke, suspend, reinstate (SQLite and PostgreSQL) and the public `GET /status-lists/{id}` they change: the bit is
set in the served, signed list as soon as the call returns, the service's verifier reports it, and every change is
recorded (status history and audit log)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credentials.status.bitstring import StatusList
from issuer.repositories.audit import AuditRepository
from schemas.report import CheckStatus
from support.api import assert_problem
from support.clock import FakeClock
from support.issuance import (
    CREDENTIALS,
    check,
    issue,
    issued_credential,
    issuing,
    problem_codes,
    status_urls,
    verify,
)
from support.issuers import ISSUERS
from support.tenancy import Tenants


def served_bit(client: TestClient, credential: dict[str, Any], purpose: str) -> int:
    entries = credential["credentialStatus"]
    entry = next(e for e in (entries if isinstance(entries, list) else [entries]) if e["statusPurpose"] == purpose)
    response = client.get(entry["statusListCredential"].removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200, response.text
    subject = response.json()["credentialSubject"]
    assert subject["statusPurpose"] == purpose
    return StatusList.decode(subject["encodedList"]).get(int(entry["statusListIndex"]))


def change(client: TestClient, headers: dict[str, str], row_id: str, action: str, reason: str | None = None) -> Any:
    body = {"reason": reason} if reason is not None else None
    return client.post(f"{CREDENTIALS}/{row_id}/{action}", json=body, headers=headers)


async def test_revocation(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a)
    issued = issue(client, setup)
    row_id, credential = issued.json()["id"], issued_credential(issued)
    assert served_bit(client, credential, "revocation") == 0
    clock.advance(minutes=5)
    response = change(client, setup.headers, row_id, "revoke", "issued in error")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["status_reason"], body["revoked_at"]) == (
        "revoked",
        "issued in error",
        "2025-03-01T12:05:00Z",
    )
    actor = f"client:{tenants.a.client_id}"
    assert body["status_history"] == [
        {
            "action": "revoke",
            "from_status": "active",
            "to_status": "revoked",
            "actor": actor,
            "reason": "issued in error",
            "at": "2025-03-01T12:05:00Z",
        }
    ]
    assert body["credential"] == credential  # the credential itself never changes
    assert served_bit(client, credential, "revocation") == 1
    report = await verify(app, credential)
    assert not report.verified
    assert check(report, "status") is CheckStatus.FAILED
    assert problem_codes(report, "status") == ["CREDENTIAL_REVOKED"]
    with sessions() as session:
        entries = AuditRepository(session, tenants.a.organization_id).entries()
    audit = [entry for entry in entries if entry.action == "credential.revoke"]
    assert [(e.action, e.subject, e.actor, e.reason) for e in audit] == [
        ("credential.revoke", f"credential:{row_id}", actor, "issued in error")
    ]


def test_revocation_is_final(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, suspension=True)
    row_id = issue(client, setup).json()["id"]
    assert change(client, setup.headers, row_id, "revoke").status_code == 200
    for action in ("revoke", "suspend", "reinstate"):
        assert_problem(change(client, setup.headers, row_id, action), 409, "CONFLICT")


async def test_suspension_and_reinstatement(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a, suspension=True)
    issued = issue(client, setup)
    row_id, credential = issued.json()["id"], issued_credential(issued)
    assert change(client, setup.headers, row_id, "suspend", "under review").json()["status"] == "suspended"
    assert (served_bit(client, credential, "suspension"), served_bit(client, credential, "revocation")) == (1, 0)
    report = await verify(app, credential)
    assert problem_codes(report, "status") == ["CREDENTIAL_SUSPENDED"]
    assert_problem(change(client, setup.headers, row_id, "suspend"), 409, "CONFLICT")
    clock.advance(seconds=1)  # the history is in time order
    reinstated = change(client, setup.headers, row_id, "reinstate", "cleared")
    assert reinstated.json()["status"] == "active"
    assert [(h["action"], h["reason"]) for h in reinstated.json()["status_history"]] == [
        ("suspend", "under review"),
        ("reinstate", "cleared"),
    ]
    assert served_bit(client, credential, "suspension") == 0
    report = await verify(app, credential)
    assert report.verified, report.model_dump_json(indent=1)
    assert_problem(change(client, setup.headers, row_id, "reinstate"), 409, "CONFLICT")


def test_suspension_needs_the_issuer_to_opt_in(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    assert_problem(change(client, setup.headers, row_id, "suspend"), 409, "SUSPENSION_NOT_ENABLED")
    assert_problem(change(client, setup.headers, row_id, "reinstate"), 409, "SUSPENSION_NOT_ENABLED")
    # Opting in applies to credentials issued from then on.
    patched = client.patch(f"{ISSUERS}/{setup.issuer['id']}", json={"suspension_enabled": True}, headers=setup.headers)
    assert patched.status_code == 200 and patched.json()["suspension_enabled"] is True
    assert_problem(change(client, setup.headers, row_id, "suspend"), 409, "SUSPENSION_NOT_ENABLED")
    later = issue(client, setup)
    assert set(status_urls(issued_credential(later))) == {"revocation", "suspension"}
    assert change(client, setup.headers, later.json()["id"], "suspend").status_code == 200


@pytest.mark.parametrize("reason", ["", " ", "x" * 501])
def test_invalid_reasons(client: TestClient, tenants: Tenants, reason: str) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    assert_problem(change(client, setup.headers, row_id, "revoke", reason), 422, "VALIDATION_ERROR")


def test_the_served_list(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    credential = issued_credential(issue(client, setup))
    path = status_urls(credential)["revocation"].removeprefix("http://127.0.0.1:8000")
    first = client.get(path)
    assert first.headers["content-type"] == "application/vc+ld+json"
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["access-control-allow-origin"] == "*"
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    document = first.json()
    assert document["id"] == status_urls(credential)["revocation"]
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == setup.issuer["did"]
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    # Cached per list version: the same bytes and ETag until a bit changes.
    assert client.get(path).content == first.content
    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert (not_modified.status_code, not_modified.content, not_modified.headers["etag"]) == (304, b"", etag)
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert (as_json.headers["content-type"], as_json.content) == ("application/json", first.content)
    assert change(client, setup.headers, credential["id"].removeprefix("urn:uuid:"), "revoke").status_code == 200
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag


@pytest.mark.parametrize("list_id", ["not-a-uuid", "6a3a2a6e-7c1b-4b53-9d7e-2c1f0f8f0a11"])
def test_unknown_lists_are_not_found(client: TestClient, list_id: str) -> None:
    assert_problem(client.get(f"/status-lists/{list_id}"), 404, "NOT_FOUND")


def test_issuer_suspension_setting_through_the_api(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, suspension=True)
    issuer_url = f"{ISSUERS}/{setup.issuer['id']}"
    assert setup.issuer["suspension_enabled"] is True
    assert "suspension_enabled" not in setup.issuer["profile"]
    # PUT without the member leaves the setting alone; with it, sets it.
    replaced = client.put(issuer_url, json={"name": "Renamed"}, headers=setup.headers)
    assert replaced.json()["suspension_enabled"] is True
    replaced = client.put(issuer_url, json={"name": "Renamed", "suspension_enabled": False}, headers=setup.headers)
    assert replaced.json()["suspension_enabled"] is False
    assert "suspension_enabled" not in replaced.json()["profile"]
    bad = client.patch(issuer_url, json={"suspension_enabled": "yes"}, headers=setup.headers)
    assert assert_problem(bad, 422, "VALIDATION_ERROR")["errors"][0]["loc"] == ["body", "suspension_enabled"]
    unchanged = client.patch(issuer_url, json={"suspension_enabled": None}, headers=setup.headers)
    assert unchanged.json()["suspension_enabled"] is False


async def test_lists_are_signed_again_after_a_key_retirement(
    app: FastAPI, client: TestClient, tenants: Tenants
) -> None:
    """A list cached with a key that is then retired would never verify again: retiring drops the signed copies."""
    setup = issuing(client, tenants.a)
    path = status_urls(issued_credential(issue(client, setup))).popitem()[1].removeprefix("http://127.0.0.1:8000")
    assert client.get(path).json()["proof"]["verificationMethod"].endswith("#key-1")
    keys = f"{ISSUERS}/{setup.issuer['id']}/keys"
    assert client.post(f"{keys}/rotate", headers=setup.headers).status_code == 201
    assert client.get(path).json()["proof"]["verificationMethod"].endswith("#key-1")  # key-1 still verifies
    assert client.post(f"{keys}/key-1/retire", headers=setup.headers).status_code == 200
    assert client.get(path).json()["proof"]["verificationMethod"].endswith("#key-2")
    report = await verify(app, issued_credential(issue(client, setup)))
    assert report.verified, report.model_dump_json(indent=1)
