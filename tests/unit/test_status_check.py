"""Tests for the `status` check (verifier.checks.status): Bitstring Status List v1.0 §3.2, StatusList2021, VCRL 1.0.

Each scenario serves a status list over httpx.MockTransport through a real StatusListFetcher and names the
CheckResult status and problem codes it expects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from credentials.http import AddressPolicy
from credentials.status.bitstring import StatusList
from credentials.status.fetch import StatusListFetcher
from schemas.report import CheckResult, CheckStatus
from verifier.checks.status import ListVerdict, check_status
from verifier.problems import problem

PUBLIC_IP = "93.184.215.14"
HOST = "issuer.example"
LIST_URL = f"https://{HOST}/status/1"
SUSPENSION_URL = f"https://{HOST}/status/2"
REVOCATIONS_URL = f"https://{HOST}/revocations"
CREDENTIAL_ID = "urn:uuid:2f1c6a3e-0c1e-4c47-9d4e-1b7d0b4f6a11"
ISSUER = "did:web:issuer.example"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
REVOKED_INDEX = 94567

Route = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Server:
    """An httpx.MockTransport handler serving by path on HOST, recording every request."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get(request.url.path) if request.headers["host"] == HOST else None
        if route is None:
            return httpx.Response(404)
        return route(request) if callable(route) else route


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fake_dns(address: str) -> Callable[[str, int], Any]:
    async def resolve(host: str, port: int) -> list[str]:
        return [address]

    return resolve


def fetcher_for(server: Server, *, address: str = PUBLIC_IP, clock: Clock | None = None) -> StatusListFetcher:
    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    return StatusListFetcher(client, policy=AddressPolicy(resolve_host=fake_dns(address)), clock=clock or Clock())


def encoded(set_values: dict[int, int] | None = None, *, size: int = 1, length: int = 131_072) -> str:
    status_list = StatusList.new(length, size, minimum_entries=1)
    for index, value in (set_values or {}).items():
        status_list.set(index, value)
    return status_list.encode()


def bitstring_list(
    encoded_list: str | None = None, *, url: str = LIST_URL, purpose: Any = "revocation", **extra: Any
) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded() if encoded_list is None else encoded_list,
        },
        **extra,
    }


def bsl_entry(
    index: Any = str(REVOKED_INDEX), *, purpose: str = "revocation", url: str = LIST_URL, **extra: Any
) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": index,
        "statusListCredential": url,
        **extra,
    }


def credential(status: Any = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": CREDENTIAL_ID,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": ISSUER,
    }
    if status is not None:
        document["credentialStatus"] = status
    return document


def ok(document: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=document, headers=headers)


def verifier(verdict: ListVerdict) -> Callable[[dict[str, Any]], Any]:
    async def verify(list_credential: dict[str, Any]) -> ListVerdict:
        return verdict

    return verify


VERIFIED = ListVerdict(verified=True, issuer=ISSUER)


async def run(
    status: Any, routes: Mapping[str, Route], *, verdict: ListVerdict = VERIFIED, address: str = PUBLIC_IP
) -> CheckResult:
    fetcher = fetcher_for(Server(routes), address=address)
    return await check_status(credential(status), fetcher=fetcher, verify_list=verifier(verdict), now=NOW)


def codes(result: CheckResult) -> list[str]:
    return [p.code for p in result.problems]


def expect(result: CheckResult, status: CheckStatus, problem_codes: Sequence[str] = ()) -> None:
    assert result.id == "status"
    assert (result.status, codes(result)) == (status, list(problem_codes)), result.explanation
    assert result.explanation


# Bitstring Status List v1.0


async def test_not_revoked() -> None:
    result = await run(bsl_entry(), {"/status/1": ok(bitstring_list())})
    expect(result, CheckStatus.PASSED)
    assert result.explanation.startswith("Not revoked")
    [info] = result.info["entries"]
    assert info == {
        "type": "BitstringStatusListEntry",
        "purpose": "revocation",
        "list": LIST_URL,
        "index": REVOKED_INDEX,
        "list_issuer": ISSUER,
        "value": 0,
    }
    assert result.info["checked_at"] == NOW.isoformat()


async def test_revoked_index_94567_set() -> None:
    result = await run(bsl_entry(), {"/status/1": ok(bitstring_list(encoded({REVOKED_INDEX: 1})))})
    expect(result, CheckStatus.FAILED, ["CREDENTIAL_REVOKED"])
    assert result.explanation == "The issuer has revoked this credential."
    assert result.info["entries"][0]["value"] == 1


async def test_neighbouring_index_set_does_not_revoke() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded({REVOKED_INDEX - 1: 1, REVOKED_INDEX + 1: 1})))}
    expect(await run(bsl_entry(), routes), CheckStatus.PASSED)


async def test_suspended() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded({7: 1}), purpose="suspension"))}
    result = await run(bsl_entry("7", purpose="suspension"), routes)
    expect(result, CheckStatus.FAILED, ["CREDENTIAL_SUSPENDED"])
    assert "suspended" in result.explanation


async def test_suspension_cleared_passes() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded({8: 1}), purpose="suspension"))}
    result = await run(bsl_entry("7", purpose="suspension"), routes)
    expect(result, CheckStatus.PASSED)
    assert result.explanation.startswith("Not suspended")


async def test_list_with_several_purposes_serves_the_matching_one() -> None:
    routes = {"/status/1": ok(bitstring_list(purpose=["revocation", "suspension"]))}
    expect(await run(bsl_entry(purpose="suspension"), routes), CheckStatus.PASSED)


async def test_refresh_purpose_is_informational() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded({3: 1}), purpose="refresh"))}
    result = await run(bsl_entry("3", purpose="refresh"), routes)
    expect(result, CheckStatus.PASSED)
    assert "refreshed version" in result.explanation


async def test_list_404_is_a_retrieval_error() -> None:
    result = await run(bsl_entry(), {})
    expect(result, CheckStatus.ERROR, ["STATUS_RETRIEVAL_ERROR"])
    assert "(HTTP 404)" in result.explanation and "unknown" in result.explanation
    assert result.info["entries"][0]["retrieval_error"] == "HTTP_STATUS"


async def test_list_timeout_is_a_retrieval_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    result = await run(bsl_entry(), {"/status/1": slow})
    expect(result, CheckStatus.ERROR, ["STATUS_RETRIEVAL_ERROR"])
    assert result.explanation == (
        "The revocation list could not be fetched (timeout), so whether the credential is revoked is unknown."
    )


async def test_private_address_is_refused() -> None:
    server = Server({"/status/1": ok(bitstring_list())})
    fetcher = fetcher_for(server, address="127.0.0.1")
    result = await check_status(credential(bsl_entry()), fetcher=fetcher, verify_list=verifier(VERIFIED), now=NOW)
    expect(result, CheckStatus.ERROR, ["STATUS_RETRIEVAL_ERROR"])
    assert server.requests == []
    assert result.info["entries"][0]["retrieval_error"] == "ADDRESS_NOT_ALLOWED"


async def test_list_bad_signature_fails_verification() -> None:
    bad = ListVerdict(verified=False, problems=(problem("PROOF_VERIFICATION_ERROR", "Signature does not verify"),))
    result = await run(bsl_entry(), {"/status/1": ok(bitstring_list())}, verdict=bad)
    expect(result, CheckStatus.FAILED, ["STATUS_VERIFICATION_ERROR", "PROOF_VERIFICATION_ERROR"])


async def test_list_signature_not_checkable_now_is_an_error() -> None:
    later = ListVerdict(verified=False, transient=True, problems=(problem("NETWORK_ERROR", "DID did not resolve"),))
    result = await run(bsl_entry(), {"/status/1": ok(bitstring_list())}, verdict=later)
    expect(result, CheckStatus.ERROR, ["STATUS_VERIFICATION_ERROR", "NETWORK_ERROR"])


async def test_verify_list_receives_the_fetched_list_credential() -> None:
    seen: list[dict[str, Any]] = []

    async def verify(list_credential: dict[str, Any]) -> ListVerdict:
        seen.append(list_credential)
        return VERIFIED

    fetcher = fetcher_for(Server({"/status/1": ok(bitstring_list())}))
    await check_status(credential(bsl_entry()), fetcher=fetcher, verify_list=verify, now=NOW)
    assert seen == [bitstring_list()]


async def test_purpose_mismatch() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded({REVOKED_INDEX: 1}), purpose="suspension"))}
    expect(await run(bsl_entry(), routes), CheckStatus.FAILED, ["STATUS_VERIFICATION_ERROR"])


async def test_purpose_is_compared_exactly_for_bitstring_lists() -> None:
    routes = {"/status/1": ok(bitstring_list(purpose="Revocation"))}
    expect(await run(bsl_entry(), routes), CheckStatus.FAILED, ["STATUS_VERIFICATION_ERROR"])


@pytest.mark.parametrize(
    "change",
    [
        {"type": ["VerifiableCredential", "StatusList2021Credential"]},
        {"id": f"https://{HOST}/status/other"},
        {"id": None},
        {"credentialSubject": {"type": "SomethingElse", "statusPurpose": "revocation", "encodedList": encoded()}},
    ],
)
async def test_list_credential_of_the_wrong_shape(change: dict[str, Any]) -> None:
    routes = {"/status/1": ok({**bitstring_list(), **change})}
    expect(await run(bsl_entry(), routes), CheckStatus.FAILED, ["STATUS_VERIFICATION_ERROR"])


async def test_list_id_may_differ_only_by_fragment() -> None:
    routes = {"/status/1": ok(bitstring_list(url=LIST_URL + "#list"))}
    expect(await run(bsl_entry(), routes), CheckStatus.PASSED)


async def test_expired_status_list() -> None:
    routes = {"/status/1": ok(bitstring_list(validUntil="2026-02-01T00:00:00Z"))}
    result = await run(bsl_entry(), routes)
    expect(result, CheckStatus.FAILED, ["STATUS_VERIFICATION_ERROR"])
    assert "expired" in result.explanation


async def test_status_list_not_yet_valid() -> None:
    routes = {"/status/1": ok(bitstring_list(validFrom="2026-04-01T00:00:00Z"))}
    expect(await run(bsl_entry(), routes), CheckStatus.FAILED, ["STATUS_VERIFICATION_ERROR"])


async def test_list_too_short() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded(length=131_064)))}
    result = await run(bsl_entry("5"), routes)
    expect(result, CheckStatus.FAILED, ["STATUS_LIST_LENGTH_ERROR"])


async def test_list_too_short_for_its_status_size() -> None:
    # 131,072 bits hold only 65,536 two-bit entries: §3.2 divides the length by statusSize.
    messages = [{"status": f"0x{n}", "message": f"m{n}"} for n in range(4)]
    routes = {"/status/1": ok(bitstring_list(encoded(length=131_072), purpose="message"))}
    entry = bsl_entry("5", purpose="message", statusSize=2, statusMessage=messages)
    expect(await run(entry, routes), CheckStatus.FAILED, ["STATUS_LIST_LENGTH_ERROR"])


async def test_index_out_of_range() -> None:
    result = await run(bsl_entry("131072"), {"/status/1": ok(bitstring_list())})
    expect(result, CheckStatus.FAILED, ["RANGE_ERROR"])


@pytest.mark.parametrize("index", ["-1", "12a", "", 94567, None, "1" * 100])
async def test_malformed_index(index: Any) -> None:
    result = await run(bsl_entry(index), {"/status/1": ok(bitstring_list())})
    expected = "RANGE_ERROR" if index == "1" * 100 else "MALFORMED_VALUE_ERROR"
    expect(result, CheckStatus.FAILED, [expected])


@pytest.mark.parametrize("encoded_list", [encoded()[1:], "u!!!", "uAAAA", 12])
async def test_undecodable_encoded_list(encoded_list: Any) -> None:
    routes = {"/status/1": ok(bitstring_list(encoded_list))}
    expect(await run(bsl_entry(), routes), CheckStatus.FAILED, ["MALFORMED_VALUE_ERROR"])


@pytest.mark.parametrize(
    "change",
    [
        {"statusPurpose": None},
        {"statusPurpose": ""},
        {"statusListCredential": "not a url"},
        {"statusListCredential": None},
        {"statusSize": 0},
        {"statusSize": "2"},
        {"statusSize": 17},
        {"statusSize": 2},  # statusMessage is required when statusSize > 1
        {"statusSize": 2, "statusMessage": [{"status": "0x0", "message": "ok"}]},
        {"statusMessage": [{"status": "zero", "message": "a"}, {"status": "0x1", "message": "b"}]},
    ],
)
async def test_malformed_entry(change: dict[str, Any]) -> None:
    server = Server({"/status/1": ok(bitstring_list())})
    entry = {**bsl_entry(), **change}
    result = await check_status(credential(entry), fetcher=fetcher_for(server), verify_list=verifier(VERIFIED), now=NOW)
    expect(result, CheckStatus.FAILED, ["MALFORMED_VALUE_ERROR"])
    assert server.requests == []


async def test_status_size_2_with_messages() -> None:
    messages = [
        {"status": "0x0", "message": "pending_review"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "undefined"},
    ]
    list_credential = bitstring_list(encoded({REVOKED_INDEX: 2}, size=2, length=131_072 * 2), purpose="message")
    entry = bsl_entry(purpose="message", statusSize=2, statusMessage=messages)
    result = await run(entry, {"/status/1": ok(list_credential)})
    expect(result, CheckStatus.PASSED)
    [info] = result.info["entries"]
    assert (info["value"], info["message"]) == (2, "rejected")
    assert "rejected" in result.explanation


async def test_status_size_2_revocation_with_nonzero_value_revokes() -> None:
    messages = [{"status": hex(n), "message": f"m{n}"} for n in range(4)]
    list_credential = bitstring_list(encoded({REVOKED_INDEX: 3}, size=2, length=131_072 * 2))
    entry = bsl_entry(statusSize=2, statusMessage=messages)
    result = await run(entry, {"/status/1": ok(list_credential)})
    expect(result, CheckStatus.FAILED, ["CREDENTIAL_REVOKED"])
    assert result.info["entries"][0]["message"] == "m3"


async def test_unknown_purpose_with_value_set_is_an_error() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded({1: 1}), purpose="custom"))}
    result = await run(bsl_entry("1", purpose="custom"), routes)
    expect(result, CheckStatus.ERROR, ["UNSUPPORTED_STATUS_PURPOSE"])


# StatusList2021 (W3C CCG)


def sl2021_list(encoded_list: str, *, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"],
        "id": "https://elsewhere.example/lists/1",  # StatusList2021 does not bind the list id, so it is not compared
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": ISSUER,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": "StatusList2021", "statusPurpose": purpose, "encodedList": encoded_list},
    }


def sl2021_entry(index: Any = str(REVOKED_INDEX)) -> dict[str, Any]:
    return {
        "id": f"{LIST_URL}#{index}",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": LIST_URL,
    }


async def test_statuslist2021_unprefixed_revoked() -> None:
    routes = {"/status/1": ok(sl2021_list(encoded({REVOKED_INDEX: 1})[1:]))}
    expect(await run(sl2021_entry(), routes), CheckStatus.FAILED, ["CREDENTIAL_REVOKED"])


async def test_statuslist2021_integer_index_and_capitalised_purpose_are_accepted() -> None:
    routes = {"/status/1": ok(sl2021_list(encoded()[1:], purpose="Revocation"))}
    expect(await run(sl2021_entry(REVOKED_INDEX), routes), CheckStatus.PASSED)


async def test_statuslist2021_list_type_is_required() -> None:
    routes = {"/status/1": ok(bitstring_list())}
    expect(await run(sl2021_entry(), routes), CheckStatus.FAILED, ["STATUS_VERIFICATION_ERROR"])


# 1EdTech Revocation List Status Method 1.0


def revocation_entry() -> dict[str, Any]:
    return {"id": REVOCATIONS_URL, "type": "1EdTechRevocationList"}


def revocation_list(*revoked: dict[str, Any], key: str = "revokedCredentials") -> dict[str, Any]:
    return {"id": REVOCATIONS_URL, "issuer": ISSUER, key: list(revoked)}


@pytest.mark.parametrize("key", ["revokedCredentials", "revokedCredential"])
async def test_1edtech_revocation_list_revoked(key: str) -> None:
    listed = revocation_list({"id": CREDENTIAL_ID, "revocationReason": "Issued in error"}, key=key)
    result = await run(revocation_entry(), {"/revocations": ok(listed)})
    expect(result, CheckStatus.FAILED, ["CREDENTIAL_REVOKED"])
    assert result.info["entries"][0]["reason"] == "Issued in error"


async def test_1edtech_revocation_list_not_listed() -> None:
    listed = revocation_list({"id": "urn:uuid:someone-else"}, {"id": CREDENTIAL_ID, "revoked": False})
    result = await run(revocation_entry(), {"/revocations": ok(listed)})
    expect(result, CheckStatus.PASSED)
    assert result.info["entries"][0]["value"] == 0


async def test_1edtech_revocation_list_fetch_failed() -> None:
    result = await run(revocation_entry(), {"/revocations": httpx.Response(500)})
    expect(result, CheckStatus.ERROR, ["STATUS_RETRIEVAL_ERROR"])
    assert "HTTP 500" in result.explanation


async def test_1edtech_revocation_list_needs_a_credential_id() -> None:
    document = credential(revocation_entry())
    del document["id"]
    fetcher = fetcher_for(Server({"/revocations": ok(revocation_list())}))
    result = await check_status(document, fetcher=fetcher, verify_list=verifier(VERIFIED), now=NOW)
    expect(result, CheckStatus.FAILED, ["MALFORMED_VALUE_ERROR"])


# Skips, combination and bounds


async def test_offline_is_skipped_and_not_required() -> None:
    result = await check_status(credential(bsl_entry()), fetcher=None, verify_list=verifier(VERIFIED), now=NOW)
    assert (result.status, result.required) == (CheckStatus.SKIPPED, False)
    assert "NOT checked" in result.explanation


@pytest.mark.parametrize("status", [None, []])
async def test_no_status_is_skipped(status: Any) -> None:
    fetcher = fetcher_for(Server({}))
    result = await check_status(credential(status), fetcher=fetcher, verify_list=verifier(VERIFIED), now=NOW)
    assert (result.status, result.required) == (CheckStatus.SKIPPED, False)
    assert "no status entry" in result.explanation


async def test_two_entries_revocation_clear_suspension_set() -> None:
    routes = {
        "/status/1": ok(bitstring_list()),
        "/status/2": ok(bitstring_list(encoded({11: 1}), url=SUSPENSION_URL, purpose="suspension")),
    }
    entries = [bsl_entry(), bsl_entry("11", purpose="suspension", url=SUSPENSION_URL)]
    result = await run(entries, routes)
    expect(result, CheckStatus.FAILED, ["CREDENTIAL_SUSPENDED"])
    assert result.explanation == "The issuer has suspended this credential."
    assert [e["value"] for e in result.info["entries"]] == [0, 1]


async def test_two_entries_both_clear_pass() -> None:
    routes = {
        "/status/1": ok(bitstring_list()),
        "/status/2": ok(bitstring_list(url=SUSPENSION_URL, purpose="suspension")),
    }
    entries = [bsl_entry(), bsl_entry("11", purpose="suspension", url=SUSPENSION_URL)]
    result = await run(entries, routes)
    expect(result, CheckStatus.PASSED)
    assert "Not revoked" in result.explanation and "Not suspended" in result.explanation


async def test_failure_outranks_error() -> None:
    routes = {"/status/1": ok(bitstring_list(encoded({REVOKED_INDEX: 1})))}
    entries = [bsl_entry(), bsl_entry("11", purpose="suspension", url=SUSPENSION_URL)]
    result = await run(entries, routes)
    expect(result, CheckStatus.FAILED, ["CREDENTIAL_REVOKED", "STATUS_RETRIEVAL_ERROR"])
    assert result.explanation == "The issuer has revoked this credential."


async def test_unknown_type_is_an_error() -> None:
    entry = {"id": "https://issuer.example/rl#1", "type": "RevocationList2020Status"}
    result = await run(entry, {})
    expect(result, CheckStatus.ERROR, ["UNSUPPORTED_STATUS_TYPE"])
    assert "RevocationList2020Status" in result.explanation


async def test_entry_that_is_not_an_object_is_malformed() -> None:
    expect(await run(["not an object"], {}), CheckStatus.FAILED, ["MALFORMED_VALUE_ERROR"])


async def test_more_than_eight_entries_is_malformed() -> None:
    server = Server({"/status/1": ok(bitstring_list())})
    fetcher = fetcher_for(server)
    entries = [bsl_entry(str(n)) for n in range(9)]
    result = await check_status(credential(entries), fetcher=fetcher, verify_list=verifier(VERIFIED), now=NOW)
    expect(result, CheckStatus.FAILED, ["MALFORMED_VALUE_ERROR"])
    assert server.requests == []


async def test_entries_sharing_a_list_fetch_it_once() -> None:
    server = Server({"/status/1": ok(bitstring_list(purpose=["revocation", "suspension"]))})
    entries = [bsl_entry("1"), bsl_entry("2", purpose="suspension")]
    result = await check_status(
        credential(entries), fetcher=fetcher_for(server), verify_list=verifier(VERIFIED), now=NOW
    )
    expect(result, CheckStatus.PASSED)
    assert len(server.requests) == 1


async def test_cache_second_check_within_ttl_makes_no_request_and_refetches_after() -> None:
    server, clock = Server({"/status/1": ok(bitstring_list(), **{"Cache-Control": "max-age=120"})}), Clock()
    fetcher = fetcher_for(server, clock=clock)

    async def check() -> CheckResult:
        return await check_status(credential(bsl_entry()), fetcher=fetcher, verify_list=verifier(VERIFIED), now=NOW)

    expect(await check(), CheckStatus.PASSED)
    clock.now += 119
    expect(await check(), CheckStatus.PASSED)
    assert len(server.requests) == 1
    clock.now += 2
    expect(await check(), CheckStatus.PASSED)
    assert len(server.requests) == 2


async def test_revocation_published_after_ttl_is_seen() -> None:
    lists = iter([bitstring_list(), bitstring_list(encoded({REVOKED_INDEX: 1}))])
    server, clock = Server({"/status/1": lambda request: ok(next(lists))}), Clock()
    fetcher = fetcher_for(server, clock=clock)
    results = []
    for _ in range(2):
        results.append(
            await check_status(credential(bsl_entry()), fetcher=fetcher, verify_list=verifier(VERIFIED), now=NOW)
        )
        clock.now += 301
    assert [r.status for r in results] == [CheckStatus.PASSED, CheckStatus.FAILED]


async def test_entries_are_checked_concurrently() -> None:
    release = asyncio.Event()
    started = 0

    async def verify(list_credential: dict[str, Any]) -> ListVerdict:
        nonlocal started
        started += 1
        if started == 2:
            release.set()
        await asyncio.wait_for(release.wait(), 1)
        return VERIFIED

    routes = {
        "/status/1": ok(bitstring_list()),
        "/status/2": ok(bitstring_list(url=SUSPENSION_URL, purpose="suspension")),
    }
    entries = [bsl_entry(), bsl_entry("11", purpose="suspension", url=SUSPENSION_URL)]
    result = await check_status(credential(entries), fetcher=fetcher_for(Server(routes)), verify_list=verify, now=NOW)
    expect(result, CheckStatus.PASSED)


@pytest.mark.parametrize(
    "change",
    [
        {"validUntil": "2026-13-45T00:00:00Z"},
        {"validFrom": "yesterday"},
        {"expirationDate": 1717793619},
    ],
)
async def test_unreadable_list_dates_are_malformed(change: dict[str, Any]) -> None:
    routes = {"/status/1": ok(bitstring_list(**change))}
    expect(await run(bsl_entry(), routes), CheckStatus.FAILED, ["MALFORMED_VALUE_ERROR"])


async def test_deeply_nested_bad_values_are_reported_briefly() -> None:
    nested: Any = "x" * 10_000
    for _ in range(2000):
        nested = [nested]
    result = await run({**bsl_entry(), "statusPurpose": nested}, {})
    expect(result, CheckStatus.FAILED, ["MALFORMED_VALUE_ERROR"])
    assert len(result.problems[0].detail) < 300
