"""WALLETS.md §3.3 step 1 / §7 item 3: VCALM interaction URLs, `GET /interactions/{handle}?iuv=1` (both databases)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from issuer.models import WalletOffer
from issuer.wallets.interactions import wants_json
from issuer.wallets.offers import (
    Protocol,
    exchange_url,
    handle_of,
    interaction_url,
    offer_reference_url,
    offer_uri_by_reference,
)
from support.achievements import BASE_URL
from support.api import assert_problem
from support.clock import FakeClock
from support.didauth import Offered, offer, offer_row
from support.issuance import issuing
from support.issuers import issuer_context, master_key
from support.tenancy import Tenants

WALLET = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"}


def vcapi_offer(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock, **changes: Any) -> Offered:
    return offer(app, client, issuing(client, tenants.a), Protocol.VCAPI, now=clock(), **changes)


def get(client: TestClient, offered: Offered, headers: dict[str, str]) -> httpx.Response:
    response: httpx.Response = client.get(offered.offer_uri, headers=headers)
    return response


def test_offer_uri_is_a_short_interaction_url(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    assert offered.offer_uri == interaction_url(BASE_URL, offered.handle)
    assert urlsplit(offered.offer_uri).query == "iuv=1"
    assert len(offered.offer_uri) <= 400  # VCALM: SHOULD, for a comfortable QR code


def test_wallet_gets_the_protocols(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    companion_id = offer_row(app, offered.offer_id).companion_offer_id
    assert companion_id is not None
    response = get(client, offered, WALLET)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["vary"] == "Accept"
    reference = offer_reference_url(BASE_URL, handle_of(master_key(app), companion_id))
    assert response.json() == {
        "protocols": {
            "vcapi": exchange_url(BASE_URL, offered.handle),
            "OID4VCI": offer_uri_by_reference(reference),
        }
    }
    # The vcapi protocol URL is the exchange itself.
    started = client.post(response.json()["protocols"]["vcapi"], json={})
    assert started.json()["verifiablePresentationRequest"]["challenge"] == offered.challenge


def test_used_companion_is_not_listed(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    with issuer_context(app).sessions() as session:
        row = session.get(WalletOffer, offered.offer_id)
        assert row is not None and row.companion_offer_id is not None
        companion = session.get(WalletOffer, row.companion_offer_id)
        assert companion is not None
        companion.state = "redeemed"
        session.commit()
    assert get(client, offered, WALLET).json() == {"protocols": {"vcapi": exchange_url(BASE_URL, offered.handle)}}


def test_browser_gets_a_page(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    for headers in (BROWSER, {}, {"Accept": "*/*"}):
        response = get(client, offered, headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        page = response.text
        assert "Learner Credential Wallet" in page
        assert offered.offer_uri.replace("&", "&amp;") in page
        oid4vci = get(client, offered, WALLET).json()["protocols"]["OID4VCI"]
        assert f'href="{oid4vci}"' in page  # percent-encoded already: nothing for html.escape to change
        assert "<script" not in page


def test_unknown_and_expired_are_404(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    lcw = offer(app, client, issuing(client, tenants.a), Protocol.LCW, now=clock())
    for headers in (WALLET, BROWSER):
        assert_problem(client.get(interaction_url(BASE_URL, lcw.handle), headers=headers), 404, "NOT_FOUND")
        assert_problem(client.get(interaction_url(BASE_URL, "B" * 43), headers=headers), 404, "NOT_FOUND")
    clock.advance(minutes=10)
    response = get(client, offered, WALLET)
    assert_problem(response, 404, "NOT_FOUND")
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/json", True),
        ("application/json, text/plain, */*", True),
        ("APPLICATION/JSON; charset=utf-8", True),
        ("text/html, application/json;q=0.5", False),
        ("text/html;q=0.4, application/json;q=0.5", True),
        ("application/json;q=0", False),
        ("application/json;q=abc", False),
        ("text/html,application/xhtml+xml,*/*;q=0.8", False),
        ("*/*", False),
        ("", False),
        (None, False),
    ],
)
def test_wants_json(accept: str | None, expected: bool) -> None:
    assert wants_json(accept) is expected
