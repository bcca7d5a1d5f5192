"""Exchange endpoints under hostile bodies (ARCHITECTURE habit 8): always a 4xx problem, never a 500, and the offer
stays usable afterwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from issuer.wallets.exchange_messages import MAX_MESSAGE_BYTES
from issuer.wallets.offers import Protocol, direct_exchange_url, exchange_url
from support.achievements import BASE_URL
from support.api import PROBLEM_JSON, assert_problem
from support.clock import FakeClock
from support.didauth import Holder, Offered, offer, presentation
from support.issuance import issuing
from support.tenancy import Tenants

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
# Members a presentation or message has, with values of any type: the likeliest way to reach deep code paths.
KEYS = ["@context", "type", "holder", "proof", "verifiablePresentation", "referenceId", "verifiableCredential"]
shaped = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda value: json.dumps(value).encode())
    | shaped.map(lambda value: json.dumps(value).encode())
    | shaped.map(lambda value: json.dumps({"verifiablePresentation": value}).encode())
)
# Refused while parsing, at either endpoint: not one JSON object of sane depth, or a value JSON cannot carry.
MALFORMED = [
    b"",
    # Under the size cap, yet deeper than the JSON parser's recursion limit.
    b"[" * 10_000,
    b'{"a":' * 2_000 + b"1" + b"}" * 2_000,
    b'{"a":' + b"[" * 20 + b'"deep"' + b"]" * 20 + b"}",
    b'{"verifiablePresentation": NaN}',
    b'{"x": 1e999}',
    b'{"x": "\\ud800"}',
    b'{"x": ' + b"9" * 5_000 + b"}",
    b"\xff\xfe{}",
    b'"just a string"',
    b"null",
    b"[]",
]
# Well-formed JSON objects that are not a usable presentation or message.
FIXED = [
    *MALFORMED,
    b'{"verifiablePresentation": []}',
    b'{"verifiablePresentation": {"proof": "x"}}',
    b'{"verifiablePresentation": {"@context": [{"@context": {"@vocab": "http://evil.example/"}}], "proof": {}}}',
    b'{"referenceId": 5}',
    json.dumps({"pad": "x" * MAX_MESSAGE_BYTES}).encode(),
]


def endpoints(offered: dict[str, Offered]) -> list[str]:
    return [direct_exchange_url(BASE_URL, offered["lcw"].handle), exchange_url(BASE_URL, offered["vcapi"].handle)]


def assert_refused(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.headers["cache-control"] == "no-store"


@pytest.fixture
def offered(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> dict[str, Offered]:
    setup = issuing(client, tenants.a)
    return {protocol: offer(app, client, setup, Protocol(protocol), now=clock()) for protocol in ("lcw", "vcapi")}


def still_usable(client: TestClient, offered: dict[str, Offered]) -> None:
    lcw, vcapi = offered["lcw"], offered["vcapi"]
    vp = presentation(Holder(), challenge=lcw.challenge, contexts=lcw.contexts)
    assert client.post(direct_exchange_url(BASE_URL, lcw.handle), json=vp).status_code == 200
    vp = presentation(Holder(), challenge=vcapi.challenge, contexts=vcapi.contexts, domain=BASE_URL)
    response = client.post(exchange_url(BASE_URL, vcapi.handle), json={"verifiablePresentation": vp})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("body", FIXED, ids=range(len(FIXED)))
def test_fixed_garbage(client: TestClient, offered: dict[str, Offered], body: bytes) -> None:
    for url in endpoints(offered):
        assert_refused(client.post(url, content=body, headers={"Content-Type": "application/json"}))


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_messages_are_400(client: TestClient, offered: dict[str, Offered], body: bytes) -> None:
    for url in endpoints(offered):
        assert_problem(client.post(url, content=body), 400, "MALFORMED_EXCHANGE_MESSAGE")


@pytest.mark.parametrize("body", [{"verifiablePresentation": []}, {"verifiablePresentation": "vp"}, {"referenceId": 5}])
def test_malformed_vcapi_messages_are_400(client: TestClient, offered: dict[str, Offered], body: Any) -> None:
    response = client.post(exchange_url(BASE_URL, offered["vcapi"].handle), json=body)
    assert_problem(response, 400, "MALFORMED_EXCHANGE_MESSAGE")


def test_oversized_body_is_413(client: TestClient, offered: dict[str, Offered]) -> None:
    for url in endpoints(offered):
        response = client.post(url, content=b" " * (MAX_MESSAGE_BYTES + 1))
        assert_refused(response)
        assert response.status_code == 413


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_body_is_a_4xx_or_a_start(client: TestClient, offered: dict[str, Offered], body: bytes) -> None:
    for url in endpoints(offered):
        response = client.post(url, content=body, headers={"Content-Type": "application/json"})
        if response.status_code == 200:
            # Only a VCALM message without a presentation starts the exchange; nothing else succeeds.
            parsed: Any = json.loads(body)
            assert url.endswith(offered["vcapi"].handle) and "verifiablePresentation" not in parsed
            assert "verifiablePresentationRequest" in response.json()
        else:
            assert_refused(response)


def test_offers_survive_garbage(client: TestClient, offered: dict[str, Offered]) -> None:
    for body in FIXED:
        for url in endpoints(offered):
            client.post(url, content=body)
    still_usable(client, offered)
