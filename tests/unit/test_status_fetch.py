"""Tests for status list retrieval and caching (credentials.status.fetch, Bitstring Status List v1.0 §3.2, §2.2)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest

from credentials.http import AddressPolicy
from credentials.status.fetch import StatusListFetcher, StatusRetrievalError, strip_fragment

PUBLIC_IP = "93.184.215.14"
HOST = "issuer.example"
URL = f"https://{HOST}/status/1"

Route = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Server:
    """An httpx.MockTransport handler serving by (Host header, path), recording every request."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get(request.url.path) if request.headers["host"] == HOST else None
        if route is None:
            return httpx.Response(404)
        return route(request) if callable(route) else route


def fake_dns(address: str) -> Callable[[str, int], Any]:
    async def resolve(host: str, port: int) -> list[str]:
        return [address]

    return resolve


def list_credential(ttl: Any = None) -> dict[str, Any]:
    subject: dict[str, Any] = {"id": f"{URL}#list", "type": "BitstringStatusList", "statusPurpose": "revocation"}
    if ttl is not None:
        subject["ttl"] = ttl
    return {"id": URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"], "credentialSubject": subject}


def ok(document: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=document, headers=headers)


def make_fetcher(
    server: Server, clock: Clock | None = None, address: str = PUBLIC_IP, **kwargs: Any
) -> StatusListFetcher:
    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    policy = AddressPolicy(resolve_host=fake_dns(address))
    return StatusListFetcher(client, policy=policy, clock=clock or Clock(), **kwargs)


async def test_fetch_returns_the_list_credential_object() -> None:
    server = Server({"/status/1": ok(list_credential())})
    assert await make_fetcher(server).fetch(URL) == list_credential()
    request = server.requests[0]
    assert request.url.host == PUBLIC_IP and request.headers["host"] == HOST
    assert "application/vc+ld+json" in request.headers["accept"]


async def test_fragment_is_stripped_and_shares_the_cache_entry() -> None:
    server = Server({"/status/1": ok(list_credential())})
    fetcher = make_fetcher(server)
    await fetcher.fetch(URL + "#list")
    await fetcher.fetch(URL + "#other")
    assert len(server.requests) == 1 and server.requests[0].url.fragment == ""
    assert strip_fragment("https://a.example/x#y") == "https://a.example/x"


async def test_results_are_copies_callers_cannot_corrupt_the_cache() -> None:
    fetcher = make_fetcher(Server({"/status/1": ok(list_credential())}))
    first = await fetcher.fetch(URL)
    first["credentialSubject"]["statusPurpose"] = "tampered"
    assert (await fetcher.fetch(URL))["credentialSubject"]["statusPurpose"] == "revocation"


async def test_second_fetch_within_default_ttl_makes_no_request_and_refetches_after() -> None:
    server, clock = Server({"/status/1": ok(list_credential())}), Clock()
    fetcher = make_fetcher(server, clock, default_ttl=300)
    await fetcher.fetch(URL)
    clock.now += 299
    await fetcher.fetch(URL)
    assert len(server.requests) == 1
    clock.now += 2
    await fetcher.fetch(URL)
    assert len(server.requests) == 2


async def test_cache_control_max_age_is_honoured() -> None:
    server, clock = Server({"/status/1": ok(list_credential(), **{"Cache-Control": "max-age=60"})}), Clock()
    fetcher = make_fetcher(server, clock)
    await fetcher.fetch(URL)
    clock.now += 59
    await fetcher.fetch(URL)
    assert len(server.requests) == 1
    clock.now += 2
    await fetcher.fetch(URL)
    assert len(server.requests) == 2


async def test_credential_subject_ttl_in_milliseconds_is_honoured() -> None:
    server, clock = Server({"/status/1": ok(list_credential(ttl=10_000))}), Clock()
    fetcher = make_fetcher(server, clock)
    await fetcher.fetch(URL)
    clock.now += 9
    await fetcher.fetch(URL)
    assert len(server.requests) == 1
    clock.now += 2
    await fetcher.fetch(URL)
    assert len(server.requests) == 2


async def test_shortest_stated_lifetime_wins_and_max_ttl_caps_it() -> None:
    headers = {"Cache-Control": "max-age=100000"}
    server, clock = Server({"/status/1": ok(list_credential(ttl=200_000_000), **headers)}), Clock()
    fetcher = make_fetcher(server, clock, max_ttl=3600)
    await fetcher.fetch(URL)
    clock.now += 3599
    await fetcher.fetch(URL)
    assert len(server.requests) == 1
    clock.now += 2
    await fetcher.fetch(URL)
    assert len(server.requests) == 2


@pytest.mark.parametrize("ttl", [-5, "600000", True, None])
async def test_unusable_ttl_values_fall_back_to_the_default(ttl: Any) -> None:
    server, clock = Server({"/status/1": ok(list_credential(ttl=ttl))}), Clock()
    fetcher = make_fetcher(server, clock, default_ttl=50)
    await fetcher.fetch(URL)
    clock.now += 49
    await fetcher.fetch(URL)
    clock.now += 2
    await fetcher.fetch(URL)
    assert len(server.requests) == 2


async def test_no_store_is_not_cached() -> None:
    server = Server({"/status/1": ok(list_credential(), **{"Cache-Control": "no-store"})})
    fetcher = make_fetcher(server)
    await fetcher.fetch(URL)
    await fetcher.fetch(URL)
    assert len(server.requests) == 2


async def test_cache_is_lru_bounded() -> None:
    server = Server({f"/status/{n}": ok(list_credential()) for n in range(3)})
    fetcher = make_fetcher(server, max_entries=2)
    for n in (0, 1, 0, 2):  # 0 is used again before 2 arrives, so 1 is the least recently used
        await fetcher.fetch(f"https://{HOST}/status/{n}")
    assert len(server.requests) == 3
    await fetcher.fetch(f"https://{HOST}/status/0")
    await fetcher.fetch(f"https://{HOST}/status/2")
    assert len(server.requests) == 3
    await fetcher.fetch(f"https://{HOST}/status/1")
    assert len(server.requests) == 4


async def test_concurrent_fetches_of_one_url_share_a_request() -> None:
    server = Server({"/status/1": ok(list_credential())})
    fetcher = make_fetcher(server)
    results = await asyncio.gather(*(fetcher.fetch(URL) for _ in range(5)))
    assert len(server.requests) == 1 and all(r == list_credential() for r in results)
    assert len({id(r) for r in results}) == 5


async def test_failures_are_not_cached() -> None:
    responses = iter([httpx.Response(503), ok(list_credential())])
    server = Server({"/status/1": lambda request: next(responses)})
    fetcher = make_fetcher(server)
    with pytest.raises(StatusRetrievalError):
        await fetcher.fetch(URL)
    assert await fetcher.fetch(URL) == list_credential()


@pytest.mark.parametrize(
    ("status_code", "transient"),
    [(404, False), (410, False), (429, True), (500, True), (503, True)],
)
async def test_http_status_errors_wrap_with_transience(status_code: int, transient: bool) -> None:
    fetcher = make_fetcher(Server({"/status/1": httpx.Response(status_code)}))
    with pytest.raises(StatusRetrievalError) as caught:
        await fetcher.fetch(URL)
    error = caught.value
    assert error.code == "STATUS_RETRIEVAL_ERROR" and error.reason == "HTTP_STATUS"
    assert error.transient is transient and error.summary == f"HTTP {status_code}" and error.url == URL


async def test_timeout_is_transient() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(StatusRetrievalError) as caught:
        await make_fetcher(Server({"/status/1": slow})).fetch(URL)
    assert caught.value.reason == "TIMEOUT" and caught.value.transient and caught.value.summary == "timeout"


async def test_network_error_is_transient() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(StatusRetrievalError) as caught:
        await make_fetcher(Server({"/status/1": refused})).fetch(URL)
    assert caught.value.reason == "NETWORK_ERROR" and caught.value.transient


async def test_private_address_is_refused_without_a_request() -> None:
    server = Server({"/status/1": ok(list_credential())})
    with pytest.raises(StatusRetrievalError) as caught:
        await make_fetcher(server, address="127.0.0.1").fetch(URL)
    assert caught.value.reason == "ADDRESS_NOT_ALLOWED" and not caught.value.transient
    assert server.requests == []


async def test_http_url_is_refused() -> None:
    with pytest.raises(StatusRetrievalError) as caught:
        await make_fetcher(Server({})).fetch(f"http://{HOST}/status/1")
    assert caught.value.reason == "INSECURE_URL"


async def test_response_over_the_byte_cap_is_refused() -> None:
    server = Server({"/status/1": ok({"padding": "x" * 5000})})
    with pytest.raises(StatusRetrievalError) as caught:
        await make_fetcher(server, max_bytes=1000).fetch(URL)
    assert caught.value.reason == "RESPONSE_TOO_LARGE"


async def test_vc_jwt_list_is_reported_as_unsupported() -> None:
    jws = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2lnbmF0dXJl"
    server = Server({"/status/1": httpx.Response(200, text=jws, headers={"Content-Type": "application/vc+jwt"})})
    with pytest.raises(StatusRetrievalError) as caught:
        await make_fetcher(server).fetch(URL)
    assert caught.value.reason == "UNSUPPORTED_FORMAT" and "VC-JWT" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        (b"<html>not json</html>", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"a": NaN}', "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (json.dumps([1, 2]).encode(), "not a JSON object"),
    ],
)
async def test_bodies_that_are_not_a_json_object_are_refused(body: bytes, summary: str) -> None:
    server = Server({"/status/1": httpx.Response(200, content=body)})
    with pytest.raises(StatusRetrievalError) as caught:
        await make_fetcher(server).fetch(URL)
    assert caught.value.reason == "INVALID_JSON" and caught.value.summary == summary
    assert not caught.value.transient


async def test_local_lists_are_answered_without_a_request_and_never_cached() -> None:
    """The `local` port: the caller's own lists (even at plain-http URLs) come from it, fresh on every call."""
    server = Server({"/status/1": ok(list_credential())})
    own_url = "http://127.0.0.1:8000/status-lists/1"
    answers = iter([list_credential(ttl=60_000), list_credential(ttl=1)])
    calls: list[str] = []

    def local(url: str) -> dict[str, Any] | None:
        calls.append(url)
        return next(answers) if url == own_url else None

    fetcher = make_fetcher(server, local=local)
    assert (await fetcher.fetch(f"{own_url}#7"))["credentialSubject"]["ttl"] == 60_000
    assert (await fetcher.fetch(own_url))["credentialSubject"]["ttl"] == 1
    assert server.requests == []
    # Anything else is fetched as usual.
    assert await fetcher.fetch(URL) == list_credential()
    assert calls == [own_url, own_url, URL]
    assert len(server.requests) == 1
