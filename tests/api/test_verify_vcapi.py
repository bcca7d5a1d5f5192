"""VC-API verification routes (VC-API.md §3.2, §3.3): 200 when verified, 422 with the result when not, 400 for a
malformed request; `options.checks` chooses which optional checks decide; no token needed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.api import assert_problem
from support.verify_inputs import CHALLENGE, DOMAIN, presentation, signed_credential, tampered, vc_jwt

CREDENTIALS_VERIFY = "/credentials/verify"
PRESENTATIONS_VERIFY = "/presentations/verify"
RESULT_MEMBERS = {"verified", "checks", "errors", "warnings", "problemDetails", "report"}
EXPIRED = "2025-01-01T00:00:00Z"  # before the fake clock's 2025-03-01


def result(client: TestClient, path: str, body: dict[str, Any], status: int) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    payload: dict[str, Any] = response.json()
    assert set(payload) == RESULT_MEMBERS
    assert payload["verified"] is (status == 200)
    assert payload["problemDetails"] == payload["errors"] + payload["warnings"]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [p["code"] for p in payload["errors"]]


@pytest.mark.parametrize("options", [None, {}, {"checks": ["proof"]}])
def test_verified_credential(verify_client: TestClient, options: dict[str, Any] | None) -> None:
    body: dict[str, Any] = {"verifiableCredential": signed_credential()}
    if options is not None:
        body["options"] = options
    payload = result(verify_client, CREDENTIALS_VERIFY, body, 200)
    assert payload["errors"] == []
    assert {"parse", "conformance", "proof", "proof_purpose"} <= set(payload["checks"])
    assert payload["report"]["verified"] is True


def test_jwt_credential(verify_client: TestClient) -> None:
    payload = result(verify_client, CREDENTIALS_VERIFY, {"verifiableCredential": vc_jwt()}, 200)
    assert payload["report"]["credential"]["format"] == "jwt"


def test_tampered_credential(verify_client: TestClient) -> None:
    body = {"verifiableCredential": tampered(signed_credential()), "options": {"checks": ["proof"]}}
    payload = result(verify_client, CREDENTIALS_VERIFY, body, 422)
    assert "PROOF_VERIFICATION_ERROR" in codes(payload)
    assert payload["report"]["verified"] is False


def test_malformed_credential_fails_whatever_the_checks(verify_client: TestClient) -> None:
    credential = signed_credential()
    del credential["credentialSubject"]
    body = {"verifiableCredential": credential, "options": {"checks": ["proof"]}}
    payload = result(verify_client, CREDENTIALS_VERIFY, body, 422)
    assert "conformance" in payload["checks"]


def test_checks_choose_what_decides(verify_client: TestClient) -> None:
    expired = signed_credential(validUntil=EXPIRED)
    only_proof = result(
        verify_client, CREDENTIALS_VERIFY, {"verifiableCredential": expired, "options": {"checks": ["proof"]}}, 200
    )
    assert "validity" not in only_proof["checks"]
    assert only_proof["report"]["verified"] is False  # the full report still tells the whole truth
    everything = result(verify_client, CREDENTIALS_VERIFY, {"verifiableCredential": expired}, 422)
    assert "validity" in everything["checks"]
    with_expiry = {"verifiableCredential": expired, "options": {"checks": ["proof", "expiration"]}}
    assert result(verify_client, CREDENTIALS_VERIFY, with_expiry, 422)["errors"]


def test_unreadable_credential_is_a_failed_parse(verify_client: TestClient) -> None:
    payload = result(verify_client, CREDENTIALS_VERIFY, {"verifiableCredential": "not a jwt"}, 422)
    assert payload["checks"] == ["parse"]
    assert payload["report"]["checks"][0]["status"] == "failed"


def test_presentation(verify_client: TestClient) -> None:
    body = {
        "verifiablePresentation": presentation(signed_credential()),
        "options": {"challenge": CHALLENGE, "domain": DOMAIN},
    }
    payload = result(verify_client, PRESENTATIONS_VERIFY, body, 200)
    assert payload["report"]["kind"] == "presentation"


@pytest.mark.parametrize(
    "options",
    [{"challenge": "another", "domain": DOMAIN}, {"challenge": CHALLENGE, "domain": "else.example"}],
)
def test_presentation_challenge_and_domain_must_match(verify_client: TestClient, options: dict[str, Any]) -> None:
    body = {"verifiablePresentation": presentation(signed_credential()), "options": options}
    payload = result(verify_client, PRESENTATIONS_VERIFY, body, 422)
    assert payload["errors"]


def test_presentation_with_a_tampered_credential(verify_client: TestClient) -> None:
    body = {
        "verifiablePresentation": presentation(tampered(signed_credential())),
        "options": {"challenge": CHALLENGE, "domain": DOMAIN, "checks": ["proof"]},
    }
    payload = result(verify_client, PRESENTATIONS_VERIFY, body, 422)
    assert "PROOF_VERIFICATION_ERROR" in codes(payload)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (CREDENTIALS_VERIFY, {"credential": {"@context": []}}),
        (CREDENTIALS_VERIFY, {"verifiableCredential": None}),
        (CREDENTIALS_VERIFY, {"verifiableCredential": 7}),
        (CREDENTIALS_VERIFY, {"verifiableCredential": {"@context": []}, "options": "all"}),
        (CREDENTIALS_VERIFY, {"verifiableCredential": {"@context": []}, "options": {"checks": "proof"}}),
        (CREDENTIALS_VERIFY, {"verifiableCredential": {"@context": []}, "options": {"checks": ["teleport"]}}),
        (CREDENTIALS_VERIFY, {"verifiableCredential": {"@context": [], "type": ["VerifiablePresentation"]}}),
        (PRESENTATIONS_VERIFY, {"verifiablePresentation": {"@context": [], "type": ["VerifiableCredential"]}}),
        (PRESENTATIONS_VERIFY, {"verifiablePresentation": {"@context": []}, "options": {"challenge": 5}}),
        (PRESENTATIONS_VERIFY, {"verifiableCredential": {}}),
    ],
)
def test_malformed_request(verify_client: TestClient, path: str, body: dict[str, Any]) -> None:
    assert_problem(verify_client.post(path, json=body), 400, "INVALID_REQUEST")


@pytest.mark.parametrize("content", [b"{", b"[]", b'"text"', b"\xff"])
def test_body_not_a_json_object(verify_client: TestClient, content: bytes) -> None:
    response = verify_client.post(CREDENTIALS_VERIFY, content=content, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "INVALID_REQUEST")


def test_refusals_of_the_request_itself(verify_client: TestClient) -> None:
    assert_problem(
        verify_client.post(CREDENTIALS_VERIFY, content=b"<x/>", headers={"Content-Type": "application/xml"}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    empty = verify_client.post(PRESENTATIONS_VERIFY, content=b"", headers={"Content-Type": "application/json"})
    assert_problem(empty, 400, "EMPTY_REQUEST")
