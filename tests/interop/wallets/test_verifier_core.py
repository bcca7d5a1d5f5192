"""What LCW shows for a Credstack credential: @digitalcredentials/verifier-core 1.0.0-beta.11 (the verifier LCW 2.2.10
and VerifierPlus run) on credentials issued by a real `credstack serve` over TLS, with a did:key issuer.

The status list is fetched by verifier-core from the server (loopback TLS); the OB JSON schema is answered from
Credstack's pinned copy; nothing else is reached (the driver refuses non-loopback connections).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from wallets.wallet_server import DriverRun, Provisioned, run_driver

HOLDER = "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z"


def verify(provisioned: Provisioned, credential: dict[str, Any]) -> DriverRun:
    return run_driver("verifier_core.mjs", ["--file", "-"], server=provisioned.server, stdin=json.dumps(credential))


def verify_step(run: DriverRun) -> dict[str, Any]:
    steps = run.steps_named("verify")
    assert len(steps) == 1, run.explain()
    return steps[0]


def assert_offline(run: DriverRun, provisioned: Provisioned) -> None:
    """Every request went to the server; none was refused for leaving loopback."""
    assert run.steps_named("blocked") == [], run.explain()
    for request in run.steps_named("http"):
        assert request["url"].startswith(provisioned.server.base_url + "/"), run.explain()


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_issued_credential_verifies(provisioned: Provisioned, cryptosuite: str) -> None:
    issued = provisioned.issue(did=HOLDER, cryptosuite=cryptosuite)
    credential = issued["credential"]
    assert credential["issuer"]["id"].startswith("did:key:z6Mk")
    run = verify(provisioned, credential)
    assert run.returncode == 0, run.explain()
    result = verify_step(run)
    assert result["errors"] == [], run.explain()
    assert result["log"] == {
        "valid_signature": True,
        "revocation_status": True,
        "expiration": True,
        # no DCC registry lists a Credstack issuer: LCW shows a warning, not a failure
        "registered_issuer": False,
    }, run.explain()
    (schema_check,) = [entry for entry in result["additionalInformation"] if entry["id"] == "schema_check"]
    assert [entry["result"]["valid"] for entry in schema_check["results"]] == [True], run.explain()
    assert run.steps_named("schema"), "the OB schema was not answered from the pinned copy"
    status_url = credential["credentialStatus"]["statusListCredential"]
    assert [request["url"] for request in run.steps_named("http")] == [status_url], run.explain()
    assert_offline(run, provisioned)


def test_email_recipient_credential_verifies(provisioned: Provisioned) -> None:
    credential = provisioned.issue(email="learner@example.com")["credential"]
    run = verify(provisioned, credential)
    assert run.returncode == 0, run.explain()
    assert verify_step(run)["log"]["valid_signature"] is True


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "achievement", "name"), "Something Else"),
        (("credentialSubject", "id"), "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
        (("validFrom",), "2001-01-01T00:00:00Z"),
    ],
)
def test_tampered_copy_has_an_invalid_signature(provisioned: Provisioned, path: tuple[str, ...], value: str) -> None:
    credential = provisioned.issue(did=HOLDER)["credential"]
    tampered = copy.deepcopy(credential)
    target = tampered
    for key in path[:-1]:
        target = target[key]
    assert target[path[-1]] != value
    target[path[-1]] = value
    run = verify(provisioned, tampered)
    assert run.returncode == 1, run.explain()
    result = verify_step(run)
    assert result["valid_signature"] is False
    assert [error["name"] for error in result["errors"]] == ["invalid_signature"], run.explain()


def test_revoked_credential_shows_revoked(provisioned: Provisioned) -> None:
    issued = provisioned.issue(did=HOLDER)
    with provisioned.api() as api:
        response = api.post(f"/api/v1/credentials/{issued['id']}/revoke", json={"reason": "wallet interop test"})
    assert response.status_code == 200, response.text
    run = verify(provisioned, issued["credential"])
    result = verify_step(run)
    # the signature is still valid; verifier-core reports the revocation as a failed step
    assert result["log"]["valid_signature"] is True, run.explain()
    assert result["log"]["revocation_status"] is False, run.explain()
