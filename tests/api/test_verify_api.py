"""`POST /api/v1/verify` (issue 4 "API"): every input form, the recipient options, and the refusals of requests
that cannot be used (problem+json), all without a token and without the network."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from schemas.report import CHECK_IDS
from support.api import assert_problem
from support.verify_inputs import (
    CHALLENGE,
    DOMAIN,
    LEARNER_DID,
    LEARNER_EMAIL,
    PLAIN_PNG,
    baked_png,
    baked_svg,
    presentation,
    signed_credential,
    tampered,
    vc_jwt,
)

VERIFY = "/api/v1/verify"


def report_of(response: httpx.Response) -> dict[str, Any]:
    """A 200 report: every check id in order, never cached."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    report: dict[str, Any] = response.json()
    assert [c["id"] for c in report["checks"]] == list(CHECK_IDS)
    return report


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}


def test_json_credential_verifies(verify_client: TestClient) -> None:
    credential = signed_credential()
    report = report_of(verify_client.post(VERIFY, json=credential))
    assert report["verified"] is True
    assert report["kind"] == "credential"
    assert report["credential"]["format"] == "json"
    assert report["credential"]["id"] == credential["id"]
    assert statuses(report)["proof"] == "passed"
    assert statuses(report)["recipient"] == "skipped"


@pytest.mark.parametrize("media_type", ["application/ld+json", "application/vc+ld+json; charset=utf-8"])
def test_json_media_types(verify_client: TestClient, media_type: str) -> None:
    body = json.dumps(signed_credential()).encode()
    response = verify_client.post(VERIFY, content=body, headers={"Content-Type": media_type})
    assert report_of(response)["verified"] is True


def test_tampered_credential_is_a_report_not_an_error(verify_client: TestClient) -> None:
    report = report_of(verify_client.post(VERIFY, json=tampered(signed_credential())))
    assert report["verified"] is False
    assert statuses(report)["proof"] == "failed"
    assert statuses(report)["status"] == "skipped"


@pytest.mark.parametrize("media_type", ["text/plain", "application/jwt", "application/vc+jwt"])
def test_jwt_as_text(verify_client: TestClient, media_type: str) -> None:
    response = verify_client.post(VERIFY, content=vc_jwt(), headers={"Content-Type": media_type})
    report = report_of(response)
    assert report["verified"] is True
    assert report["credential"]["format"] == "jwt"


def test_jwt_as_json_string(verify_client: TestClient) -> None:
    report = report_of(verify_client.post(VERIFY, json=vc_jwt()))
    assert report["verified"] is True
    assert report["credential"]["format"] == "jwt"


@pytest.mark.parametrize(
    ("recipient", "outcome"),
    [({"email": LEARNER_EMAIL}, "passed"), ({"did": LEARNER_DID}, "passed"), ({"email": "else@example.edu"}, "failed")],
)
def test_wrapper_with_recipient(verify_client: TestClient, recipient: dict[str, str], outcome: str) -> None:
    body = {"credential": signed_credential(), "options": {"recipient": recipient}}
    report = report_of(verify_client.post(VERIFY, json=body))
    assert statuses(report)["recipient"] == outcome
    assert report["verified"] is (outcome == "passed")


def test_wrapper_with_a_jwt(verify_client: TestClient) -> None:
    body = {"jwt": vc_jwt(), "options": {"recipient": {"email": LEARNER_EMAIL.upper()}}}
    report = report_of(verify_client.post(VERIFY, json=body))
    assert report["credential"]["format"] == "jwt"
    assert statuses(report)["recipient"] == "passed"


@pytest.mark.parametrize(
    ("query", "outcome"),
    [
        (f"recipient_email={LEARNER_EMAIL}", "passed"),
        (f"recipient_did={LEARNER_DID}", "passed"),
        ("recipient_did=did:example:someone-else", "failed"),
    ],
)
def test_query_recipient(verify_client: TestClient, query: str, outcome: str) -> None:
    report = report_of(verify_client.post(f"{VERIFY}?{query}", json=signed_credential()))
    assert statuses(report)["recipient"] == outcome


def test_recipient_given_twice_is_refused(verify_client: TestClient) -> None:
    body = {"credential": signed_credential(), "options": {"recipient": {"email": LEARNER_EMAIL}}}
    response = verify_client.post(f"{VERIFY}?recipient_email={LEARNER_EMAIL}", json=body)
    assert_problem(response, 400, "INVALID_REQUEST")


def test_presentation_with_challenge_and_domain(verify_client: TestClient) -> None:
    body = {
        "presentation": presentation(signed_credential(), vc_jwt()),
        "options": {"challenge": CHALLENGE, "domain": DOMAIN, "recipient": {"email": LEARNER_EMAIL}},
    }
    response = verify_client.post(VERIFY, json=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["kind"] == "presentation"
    assert report["verified"] is True, response.text
    assert [inner["verified"] for inner in report["credentials"]] == [True, True]
    assert [statuses(inner)["recipient"] for inner in report["credentials"]] == ["passed", "passed"]


def test_presentation_with_a_wrong_challenge_does_not_verify(verify_client: TestClient) -> None:
    body = {"presentation": presentation(signed_credential()), "options": {"challenge": "other", "domain": DOMAIN}}
    report = verify_client.post(VERIFY, json=body).json()
    assert report["verified"] is False
    assert statuses(report)["proof"] == "failed"


def test_bare_presentation(verify_client: TestClient) -> None:
    response = verify_client.post(VERIFY, json=presentation(signed_credential()))
    assert response.status_code == 200
    assert response.json()["kind"] == "presentation"


@pytest.mark.parametrize(
    ("name", "content", "media_type", "container"),
    [
        ("badge.png", lambda: baked_png(signed_credential()), "image/png", "png"),
        ("badge.svg", lambda: baked_svg(signed_credential()), "image/svg+xml", "svg"),
        ("badge.png", lambda: baked_png(vc_jwt()), "image/png", "png"),
        ("credential.json", lambda: json.dumps(signed_credential()).encode(), "application/json", "json"),
        ("credential.jwt", lambda: vc_jwt().encode(), "text/plain", "jwt"),
    ],
)
def test_multipart_upload(verify_client: TestClient, name: str, content: Any, media_type: str, container: str) -> None:
    files = {"file": (name, content(), media_type)}
    report = report_of(verify_client.post(f"{VERIFY}?recipient_email={LEARNER_EMAIL}", files=files))
    assert report["verified"] is True
    assert report["credential"]["format"] == container
    assert statuses(report)["recipient"] == "passed"


def test_multipart_text_field_and_form_recipient(verify_client: TestClient) -> None:
    form = {"file": vc_jwt(), "recipient_did": LEARNER_DID}
    report = report_of(verify_client.post(VERIFY, data=form, files={"unused": ("x", b"", "text/plain")}))
    assert statuses(report)["recipient"] == "passed"


@pytest.mark.parametrize(
    ("content", "media_type"),
    [(lambda: baked_png(signed_credential()), "image/png"), (lambda: baked_svg(vc_jwt()), "image/svg+xml")],
)
def test_raw_image_body(verify_client: TestClient, content: Any, media_type: str) -> None:
    response = verify_client.post(VERIFY, content=content(), headers={"Content-Type": media_type})
    assert report_of(response)["verified"] is True


# Requests that cannot be used


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"credential": {}, "jwt": "a.b.c"}, "INVALID_REQUEST"),
        ({"credential": {"@context": []}, "extra": 1}, "INVALID_REQUEST"),
        ({"options": {"recipient": {"email": LEARNER_EMAIL}}}, "INVALID_REQUEST"),
        ({"credential": {"@context": []}, "options": []}, "INVALID_REQUEST"),
        ({"credential": {"@context": []}, "options": {"recipient": {"phone": "1"}}}, "INVALID_REQUEST"),
        ({"credential": {"@context": []}, "options": {"recipient": {"email": ""}}}, "INVALID_REQUEST"),
        ({"credential": {"@context": []}, "options": {"checks": ["proof"]}}, "INVALID_REQUEST"),
        ({"jwt": {"not": "a string"}}, "INVALID_REQUEST"),
        ({"credential": 42}, "INVALID_REQUEST"),
        ({"presentation": {"@context": [], "type": ["VerifiableCredential"]}}, "INVALID_REQUEST"),
    ],
)
def test_malformed_wrapper(verify_client: TestClient, body: dict[str, Any], code: str) -> None:
    assert_problem(verify_client.post(VERIFY, json=body), 400, code)


def test_credential_member_holding_a_presentation(verify_client: TestClient) -> None:
    body = {"credential": presentation(signed_credential())}
    assert_problem(verify_client.post(VERIFY, json=body), 400, "INVALID_REQUEST")


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"certainly not a credential", "text/plain"),
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"not.a-jwt!"', "application/json"),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
        (b"eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln", "text/plain"),
        (b"{" * 30 + b"}" * 30, "application/json"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "application/json"),
        (b'{"@context": 1, "@context": 2}', "application/json"),
        (b"   ", "text/plain"),
    ],
)
def test_unreadable_input(verify_client: TestClient, content: bytes, media_type: str) -> None:
    response = verify_client.post(VERIFY, content=content, headers={"Content-Type": media_type})
    assert_problem(response, 422, "UNREADABLE_CREDENTIAL")


def test_image_without_a_credential(verify_client: TestClient) -> None:
    files = {"file": ("plain.png", PLAIN_PNG.read_bytes(), "image/png")}
    assert_problem(verify_client.post(VERIFY, files=files), 422, "UNREADABLE_CREDENTIAL")


@pytest.mark.parametrize("media_type", ["text/plain", "application/json", None])
def test_empty_body(verify_client: TestClient, media_type: str | None) -> None:
    headers = {"Content-Type": media_type} if media_type else {}
    assert_problem(verify_client.post(VERIFY, content=b"", headers=headers), 400, "EMPTY_REQUEST")


@pytest.mark.parametrize("media_type", ["application/xml", "application/x-www-form-urlencoded", None])
def test_unsupported_media_type(verify_client: TestClient, media_type: str | None) -> None:
    body = json.dumps(signed_credential()).encode()
    headers = {"Content-Type": media_type} if media_type else {}
    body_problem = assert_problem(
        verify_client.post(VERIFY, content=body, headers=headers), 415, "UNSUPPORTED_MEDIA_TYPE"
    )
    assert "multipart/form-data" in body_problem["detail"]


@pytest.mark.parametrize(
    "files",
    [
        {"other": ("x.json", b"{}", "application/json")},
        [("file", ("a.json", b"{}", "application/json")), ("file", ("b.json", b"{}", "application/json"))],
    ],
)
def test_multipart_without_exactly_one_file(verify_client: TestClient, files: Any) -> None:
    assert_problem(verify_client.post(VERIFY, files=files), 400, "INVALID_REQUEST")


def test_multipart_without_boundary(verify_client: TestClient) -> None:
    response = verify_client.post(VERIFY, content=b"--x\r\n", headers={"Content-Type": "multipart/form-data"})
    assert_problem(response, 400, "INVALID_REQUEST")


def test_query_recipient_too_long(verify_client: TestClient) -> None:
    response = verify_client.post(f"{VERIFY}?recipient_email={'a' * 400}@example.edu", json=signed_credential())
    assert_problem(response, 400, "INVALID_REQUEST")


# Size caps


@pytest.fixture
def small_caps_client(make_verify_app: Any) -> Any:
    with TestClient(make_verify_app(max_json_bytes=20_000, max_image_bytes=40_000)) as client:
        yield client


def _padded(size: int) -> dict[str, Any]:
    credential = signed_credential()
    credential["description"] = "x" * size
    return credential


def test_json_over_the_cap(small_caps_client: TestClient) -> None:
    body = json.dumps(_padded(25_000)).encode()
    response = small_caps_client.post(VERIFY, content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 413, "REQUEST_TOO_LARGE")
    response = small_caps_client.post(VERIFY, content=body, headers={"Content-Type": "text/plain"})
    assert_problem(response, 413, "REQUEST_TOO_LARGE")


def test_json_upload_over_the_json_cap(small_caps_client: TestClient) -> None:
    files = {"file": ("big.json", json.dumps(_padded(25_000)).encode(), "application/json")}
    assert_problem(small_caps_client.post(VERIFY, files=files), 413, "REQUEST_TOO_LARGE")


def test_images_may_be_larger_than_json(small_caps_client: TestClient) -> None:
    image = baked_png(signed_credential(description="x" * 25_000))
    assert 20_000 < len(image) < 40_000
    files = {"file": ("badge.png", image, "image/png")}
    assert report_of(small_caps_client.post(VERIFY, files=files))["verified"] is True


def test_image_over_the_image_cap(small_caps_client: TestClient) -> None:
    image = baked_png(_padded(15_000)) + b"\x00" * 30_000  # sniffed as a PNG: the image cap applies
    files = {"file": ("badge.png", image, "image/png")}
    assert_problem(small_caps_client.post(VERIFY, files=files), 413, "REQUEST_TOO_LARGE")


def test_body_over_the_route_limit(small_caps_client: TestClient) -> None:
    response = small_caps_client.post(VERIFY, content=b"x" * 200_000, headers={"Content-Type": "image/png"})
    assert_problem(response, 413, "REQUEST_TOO_LARGE")


def test_openapi_documents_the_routes(verify_client: TestClient) -> None:
    paths = verify_client.get("/openapi.json").json()["paths"]
    assert set(paths[VERIFY]["post"]["requestBody"]["content"]) >= {"application/json", "multipart/form-data"}
    assert "post" in paths["/credentials/verify"] and "post" in paths["/presentations/verify"]
