"""`POST /credentials/issue` refuses every malformed input of VC-API.md "Rules the tests enforce" with 400 (422 for a
body that is not a JSON object), as problem+json, never 401, 201 or 500, and stores nothing (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from issuer.models import Credential
from support.api import PROBLEM_JSON, assert_problem
from support.clock import FakeClock
from support.tenancy import Tenants
from support.vcapi import ISSUE, VC_V1, VC_V2, VcApi, vc2, vcapi_service

Change = Callable[[dict[str, Any]], None]


def _set(member: str, value: Any) -> Change:
    def change(credential: dict[str, Any]) -> None:
        credential[member] = value

    return change


def _drop(member: str) -> Change:
    def change(credential: dict[str, Any]) -> None:
        del credential[member]

    return change


def _subject(value: Any) -> Change:
    return _set("credentialSubject", value)


# (rule, change to a valid credential, expected first error location, expected error type or None for any)
MALFORMED: list[tuple[str, Change, list[str], str | None]] = [
    ("context missing", _drop("@context"), ["credential", "@context"], "missing"),
    ("context not an array", _set("@context", VC_V2), ["credential", "@context"], None),
    ("context empty", _set("@context", []), ["credential", "@context"], None),
    ("context item not string or object", _set("@context", [VC_V2, 7]), ["credential", "@context", "1"], None),
    ("context first not base", _set("@context", ["https://w3id.org/security/data-integrity/v2", VC_V2]), None, None),
    ("context non-URL", _set("@context", [VC_V2, "not a url"]), ["credential", "@context", "1"], None),
    (
        "context unpinned",
        _set("@context", [VC_V2, "https://example.org/unknown-context"]),
        ["credential"],
        "PROOF_TRANSFORMATION_ERROR",
    ),
    ("type missing", _drop("type"), ["credential", "type"], "missing"),
    ("type not an array", _set("type", "VerifiableCredential"), ["credential", "type"], None),
    ("type items not strings", _set("type", ["VerifiableCredential", 5]), ["credential", "type"], None),
    ("type lacking VerifiableCredential", _set("type", ["ExampleCredential"]), ["credential", "type"], None),
    ("issuer missing", _drop("issuer"), ["credential", "issuer"], "missing"),
    ("issuer null", _set("issuer", None), ["credential", "issuer"], "missing"),
    ("issuer not a URL", _set("issuer", "not a url"), ["credential", "issuer"], None),
    ("issuer number", _set("issuer", 42), ["credential", "issuer"], None),
    ("issuer object id null", _set("issuer", {"id": None}), ["credential", "issuer", "id"], None),
    ("issuer object id not a URL", _set("issuer", {"id": "nope"}), ["credential", "issuer", "id"], None),
    ("issuer object without id", _set("issuer", {"name": "Example"}), ["credential", "issuer", "id"], None),
    ("subject missing", _drop("credentialSubject"), ["credential", "credentialSubject"], "missing"),
    ("subject null", _subject(None), ["credential", "credentialSubject"], "missing"),
    ("subject string", _subject("did:example:1"), ["credential", "credentialSubject"], None),
    ("subject empty array", _subject([]), ["credential", "credentialSubject"], None),
    ("subject without claims", _subject({}), ["credential", "credentialSubject"], None),
    ("subject array with an empty one", _subject([{"id": "did:example:1"}, {}]), None, None),
    (
        "subject id not a URL",
        _subject({"id": "not a url", "name": "x"}),
        ["credential", "credentialSubject", "id"],
        None,
    ),
    ("id not a URL", _set("id", "not a url"), ["credential", "id"], None),
    ("id multi-valued", _set("id", ["urn:uuid:1", "urn:uuid:2"]), ["credential", "id"], None),
    ("status without type", _set("credentialStatus", {"id": "https://s.example/1#1"}), None, "missing_type"),
    ("status string", _set("credentialStatus", "https://s.example/1"), None, "missing_type"),
    ("schema without type", _set("credentialSchema", {"id": "https://schema.example/1"}), None, "missing_type"),
    ("terms of use without type", _set("termsOfUse", [{"id": "https://terms.example/1"}]), None, "missing_type"),
    ("evidence without type", _set("evidence", [{"id": "https://evidence.example/1"}]), None, "missing_type"),
    ("refresh service without type", _set("refreshService", {"id": "https://refresh.example/1"}), None, "missing_type"),
    ("validFrom without time zone", _set("validFrom", "2025-01-01T00:00:00"), ["credential", "validFrom"], None),
    ("validFrom not a date", _set("validFrom", "yesterday"), ["credential", "validFrom"], None),
    ("validUntil not a date", _set("validUntil", "2025-13-01T00:00:00Z"), ["credential", "validUntil"], None),
    ("name a number", _set("name", 3), ["credential", "name"], None),
    ("name language object without @value", _set("name", {"@language": "en"}), ["credential", "name"], None),
    ("description with unknown keys", _set("description", {"@value": "x", "lang": "en"}), None, None),
    ("name empty array", _set("name", []), ["credential", "name"], None),
    ("undefined term", _set("favouriteColour", "blue"), ["credential"], "DATA_LOSS_DETECTION_ERROR"),
    (
        "undefined term in the subject",
        _subject({"id": "did:example:1", "undefinedClaim": True}),
        ["credential"],
        "DATA_LOSS_DETECTION_ERROR",
    ),
    (
        "redefined protected term",
        _set("@context", [VC_V2, {"VerifiableCredential": "https://example.org/NotAVc"}]),
        ["credential"],
        None,
    ),
    (
        "non-URL mapping in a context object",
        _set("@context", [VC_V2, {"ExampleTestCredential": "https ://not-a-url#ExampleTestCredential"}]),
        ["credential"],
        None,
    ),
    ("proof already present", _set("proof", {"type": "DataIntegrityProof"}), ["credential", "proof"], None),
]


@pytest.fixture
def vcapi(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> Iterator[VcApi]:
    with vcapi_service(database_url, tmp_path, clock, tenants.a) as service:
        yield service


def _nothing_stored(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert session.query(Credential).count() == 0


@pytest.mark.parametrize(("rule", "change", "loc", "error_type"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_credentials_are_refused(
    vcapi: VcApi,
    sessions: sessionmaker[Session],
    rule: str,
    change: Change,
    loc: list[str] | None,
    error_type: str | None,
) -> None:
    credential = vc2(vcapi.did)
    change(credential)
    body = assert_problem(vcapi.issue(credential), 400, "INVALID_CREDENTIAL")
    first = body["errors"][0]
    if loc is not None:
        assert first["loc"] == loc, (rule, body["errors"])
    if error_type is not None:
        assert first["type"] == error_type, (rule, body["errors"])
    _nothing_stored(sessions)


@pytest.mark.parametrize(
    ("suite"), ["eddsa-jcs-2022", "Ed25519Signature2020"], ids=["jcs checks before signing", "2020 while signing"]
)
def test_undefined_terms_are_refused_by_every_suite(vcapi: VcApi, suite: str) -> None:
    credential = vc2(vcapi.did, favouriteColour="blue")
    body = assert_problem(vcapi.issue(credential, {"cryptosuite": suite}), 400, "INVALID_CREDENTIAL")
    assert body["errors"][0]["type"] == "DATA_LOSS_DETECTION_ERROR"


def test_vcdm11_terms_are_checked_against_the_11_context(vcapi: VcApi) -> None:
    """`name` is a VCDM 2.0 term: in a VCDM 1.1 credential it is undefined."""
    credential = vc2(vcapi.did)
    credential["@context"] = [VC_V1]
    credential["issuanceDate"] = "2025-01-01T00:00:00Z"
    body = assert_problem(vcapi.issue(credential), 400, "INVALID_CREDENTIAL")
    assert body["errors"][0]["type"] == "DATA_LOSS_DETECTION_ERROR"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"verifiableCredential": {"type": ["VerifiableCredential"]}},
        {"credential": "a string"},
        {"credential": None},
        {"credential": [1]},
    ],
    ids=["empty", "verifiableCredential instead", "credential string", "credential null", "credential array"],
)
def test_missing_credential(vcapi: VcApi, body: dict[str, Any]) -> None:
    response = vcapi.client.post(ISSUE, json=body, headers=vcapi.headers)
    assert assert_problem(response, 400, "INVALID_CREDENTIAL")["errors"][0]["loc"] == ["credential"]


@pytest.mark.parametrize(
    ("options", "loc"),
    [
        ("fast", ["options"]),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, ["options", "cryptosuite"]),
        ({"cryptosuite": 7}, ["options", "cryptosuite"]),
        ({"type": "DataIntegrityProof", "cryptosuite": "Ed25519Signature2020"}, ["options", "cryptosuite"]),
        ({"credentialStatus": {"type": "StatusList2021Entry"}}, ["options", "credentialStatus"]),
        ({"credentialStatus": "yes"}, ["options", "credentialStatus"]),
        (
            {"credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "message"}},
            ["options", "credentialStatus", "statusPurpose"],
        ),
    ],
)
def test_bad_options(vcapi: VcApi, options: Any, loc: list[str]) -> None:
    response = vcapi.client.post(ISSUE, json={"credential": vc2(vcapi.did), "options": options}, headers=vcapi.headers)
    assert assert_problem(response, 400, "INVALID_CREDENTIAL")["errors"][0]["loc"] == loc


def test_status_both_sent_and_requested(vcapi: VcApi) -> None:
    status = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}
    credential = vc2(vcapi.did, credentialStatus={**status, "statusListIndex": "1", "statusListCredential": "urn:x"})
    response = vcapi.issue(credential, {"credentialStatus": {"type": "BitstringStatusListEntry"}})
    assert assert_problem(response, 400, "INVALID_CREDENTIAL")["errors"][0]["loc"] == ["credential", "credentialStatus"]


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'"text"', b"{"])
def test_bodies_that_are_not_json_objects(vcapi: VcApi, content: bytes) -> None:
    headers = {**vcapi.headers, "Content-Type": "application/json"}
    response = vcapi.client.post(ISSUE, content=content, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM_JSON)


def test_refusals_in_open_mode_are_never_401(
    database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants
) -> None:
    with vcapi_service(database_url, tmp_path, clock, tenants.a, open_mode=True) as vcapi:
        for rule, change, _, _ in MALFORMED:
            credential = vc2(vcapi.did)
            change(credential)
            response = vcapi.issue(credential, headers={})
            assert response.status_code == 400, (rule, response.text)
