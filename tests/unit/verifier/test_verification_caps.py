"""ARCHITECTURE.md habit 8: the whole-verification deadline (TIMEOUT, never passed) and the JSON depth cap."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from bundle_world import (
    ISSUER_KEY,
    WEB_ISSUER,
    codes,
    ob_credential,
    presentation,
    sign,
    signed_credential,
    statuses,
    verify,
)

from credentials.keys import b64url
from verifier.parse import Limits, UnreadableInput, parse_embedded, parse_input, parse_json_object

AFTER_PARSE = ("conformance", "proof", "proof_purpose", "validity", "status", "recipient", "endorsements")


async def slow(request: httpx.Request) -> httpx.Response:
    """A DID server that answers only after any deadline the tests set."""
    await asyncio.sleep(30)
    return httpx.Response(404)


def did_web_credential() -> dict[str, object]:
    """Signed with a key the did:web issuer's document would have to list: verifying it needs a fetch."""
    return sign(ob_credential(WEB_ISSUER), ISSUER_KEY, method=f"{WEB_ISSUER}#key-1")


async def test_slow_key_fetch_past_the_deadline_is_a_timeout_error_never_a_pass() -> None:
    started = time.monotonic()
    report = await verify(did_web_credential(), handler=slow, deadline_seconds=0.3)
    assert time.monotonic() - started < 5
    assert statuses(report) == {
        "parse": "passed",
        "conformance": "passed",
        "proof": "error",
        "proof_purpose": "error",
        "validity": "error",
        "status": "error",
        "recipient": "error",
        "endorsements": "error",
    }
    assert all(codes(report, check_id) == ["TIMEOUT"] for check_id in AFTER_PARSE[1:])
    assert "time allowed" in report.checks[2].explanation
    assert report.verified is False


async def test_expired_deadline_runs_no_check_at_all() -> None:
    report = await verify(signed_credential(), deadline_seconds=0)
    assert statuses(report) == {"parse": "passed"} | {check_id: "error" for check_id in AFTER_PARSE}
    assert report.verified is False


async def test_deadline_covers_every_credential_of_a_presentation() -> None:
    vp = presentation(did_web_credential(), signed_credential())
    started = time.monotonic()
    report = await verify(vp, handler=slow, deadline_seconds=0.3)
    assert time.monotonic() - started < 5
    assert [codes(r, "proof") for r in report.credentials] == [["TIMEOUT"], ["TIMEOUT"]]
    assert not any(c.status.value == "passed" for r in report.credentials for c in r.checks[2:])
    assert report.verified is False


async def test_generous_deadline_changes_nothing() -> None:
    report = await verify(signed_credential(), deadline_seconds=30)
    assert report.verified is True


def nested(depth: int) -> str:
    """A JSON object whose arrays/objects nest `depth` levels deep in all."""
    return '{"a":' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_json_nested_deeper_than_the_cap_is_unreadable() -> None:
    assert parse_json_object(nested(64))
    with pytest.raises(UnreadableInput, match="nested deeper than 64"):
        parse_json_object(nested(65))
    with pytest.raises(UnreadableInput, match="nested deeper than 5"):
        parse_input(nested(6).encode(), Limits(max_json_depth=5))


def test_json_far_too_deep_for_the_parser_is_unreadable() -> None:
    with pytest.raises(UnreadableInput):
        parse_input(nested(200_000).encode())


async def test_deep_json_is_refused_before_any_check() -> None:
    credential = ob_credential(ISSUER_KEY.did_key)
    credential["credentialSubject"]["deep"] = json.loads(nested(70))
    with pytest.raises(UnreadableInput, match="nested deeper"):
        await verify(json.dumps(credential))


def test_deep_jwt_payload_is_unreadable() -> None:
    header = b64url(json.dumps({"alg": "EdDSA", "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"vc": json.loads(nested(80))}).encode())
    with pytest.raises(UnreadableInput, match="nested deeper"):
        parse_input(f"{header}.{payload}.c2ln".encode())


def test_enveloped_credential_is_depth_checked_too() -> None:
    envelope = {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+ld+json," + nested(80)}
    with pytest.raises(UnreadableInput, match="nested deeper"):
        parse_embedded(envelope)
