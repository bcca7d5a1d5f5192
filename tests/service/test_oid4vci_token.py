"""OpenID4VCI 1.0 §6 Token Endpoint refusals (SQLite and PostgreSQL), WALLETS.md §2.6 and §7 item 1: the
transaction code (missing, unexpected, wrong, five wrong kill the code), single use (also under concurrency),
expiry, and malformed requests; every error `{"error"}` with Cache-Control: no-store."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from issuer.db import write_session
from issuer.models import WalletOffer
from issuer.wallets.offers import PRE_AUTHORIZED_GRANT
from issuer.wallets.oid4vci.errors import Oid4vciError
from issuer.wallets.oid4vci.token import PreAuthorizedCodeRequest, exchange_pre_authorized_code
from support.clock import FakeClock
from support.issuers import issuer_context
from support.oid4vci import JWT, LDP, TOKEN, Offer, assert_oauth_error, award, make_offer, request_token
from support.tenancy import Tenants


def _wrong(offer: Offer) -> str:
    assert offer.tx_code is not None
    return f"{(int(offer.tx_code) + 1) % 1_000_000:06d}"


def _state(app: FastAPI, offer: Offer) -> tuple[str, int]:
    with issuer_context(app).sessions() as session:
        row = session.get(WalletOffer, offer.id)
        assert row is not None
        return row.state, row.tx_code_attempts


def test_wrong_tx_code_is_invalid_grant_and_counted(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    offer = make_offer(app, award(client, tenants.a), tx_code=True)
    assert_oauth_error(request_token(client, offer, tx_code=_wrong(offer)), 400, "invalid_grant")
    assert _state(app, offer) == ("pending", 1)
    assert offer.tx_code is not None
    assert request_token(client, offer, tx_code=offer.tx_code).status_code == 200  # 1 wrong of 5: still usable
    assert _state(app, offer) == ("active", 1)


def test_five_wrong_tx_codes_kill_the_code(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    offer = make_offer(app, award(client, tenants.a), tx_code=True)
    for attempt in range(1, 6):
        assert_oauth_error(request_token(client, offer, tx_code=_wrong(offer)), 400, "invalid_grant")
        assert _state(app, offer) == ("dead" if attempt == 5 else "pending", attempt)
    assert offer.tx_code is not None
    assert_oauth_error(request_token(client, offer, tx_code=offer.tx_code), 400, "invalid_grant")
    assert client.get(f"/oid4vci/offers/{offer.handle}").status_code == 404


def test_missing_and_unexpected_tx_code_are_invalid_request(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    given = award(client, tenants.a)
    with_code = make_offer(app, given, tx_code=True)
    assert_oauth_error(request_token(client, with_code), 400, "invalid_request")
    assert_oauth_error(request_token(client, with_code, tx_code=""), 400, "invalid_request")  # blank = omitted
    assert _state(app, with_code) == ("pending", 0)  # not an attempt
    without = make_offer(app, given)
    assert_oauth_error(request_token(client, without, tx_code="123456"), 400, "invalid_request")
    assert request_token(client, without).status_code == 200


def test_reused_code_is_invalid_grant(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    offer = make_offer(app, award(client, tenants.a))
    first = request_token(client, offer)
    assert first.status_code == 200, first.text
    assert_oauth_error(request_token(client, offer), 400, "invalid_grant")
    assert client.get(f"/oid4vci/offers/{offer.handle}").status_code == 404  # no longer served


def test_expired_and_unknown_codes(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offer = make_offer(app, award(client, tenants.a), ttl=timedelta(minutes=10))
    clock.advance(minutes=10)
    assert_oauth_error(request_token(client, offer), 400, "invalid_grant")
    assert client.get(f"/oid4vci/offers/{offer.handle}").status_code == 404
    unknown = Offer(offer.id, "A" * 43, offer.handle, None, "", None)
    assert_oauth_error(request_token(client, unknown), 400, "invalid_grant")
    huge = Offer(offer.id, "A" * 5000, offer.handle, None, "", None)
    assert_oauth_error(request_token(client, huge), 400, "invalid_grant")


def test_grant_type_and_form(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    offer = make_offer(app, award(client, tenants.a))
    assert_oauth_error(request_token(client, offer, grant_type="authorization_code"), 400, "unsupported_grant_type")
    assert_oauth_error(request_token(client, offer, grant_type=""), 400, "invalid_request")
    assert_oauth_error(client.post(TOKEN, data={"grant_type": PRE_AUTHORIZED_GRANT}), 400, "invalid_request")
    as_json = client.post(TOKEN, json={"grant_type": "x", "pre-authorized_code": offer.code})
    assert_oauth_error(as_json, 400, "invalid_request")
    repeated = f"grant_type=a&grant_type=b&pre-authorized_code={offer.code}"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert_oauth_error(client.post(TOKEN, content=repeated, headers=headers), 400, "invalid_request")
    assert_oauth_error(client.post(TOKEN, content=b"\xff\xfe", headers=headers), 400, "invalid_request")
    assert request_token(client, offer).status_code == 200  # none of that used the code


def test_authorization_details(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    offer = make_offer(app, award(client, tenants.a), configuration_ids=(LDP,))
    for bad in ("not json", "{}", "[]", '[{"type": "x"}]', json.dumps([{"type": "openid_credential"}])):
        assert_oauth_error(
            request_token(client, offer, authorization_details=bad), 400, "invalid_authorization_details"
        )
    not_offered = json.dumps([{"type": "openid_credential", "credential_configuration_id": JWT}])
    assert_oauth_error(
        request_token(client, offer, authorization_details=not_offered), 400, "invalid_authorization_details"
    )
    wanted = [{"type": "openid_credential", "credential_configuration_id": LDP, "extra": 1}]
    granted = request_token(client, offer, authorization_details=json.dumps(wanted))
    assert granted.status_code == 200, granted.text
    (detail,) = granted.json()["authorization_details"]
    assert {k: v for k, v in detail.items() if k != "credential_identifiers"} == wanted[0]


def test_concurrent_exchanges_give_one_token(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    """Single use under concurrency: two transactions exchange one code at once; exactly one gets a token."""
    offer = make_offer(app, award(client, tenants.a))
    sessions = issuer_context(app).sessions
    request = PreAuthorizedCodeRequest(offer.code, None, None)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def exchange() -> None:
        barrier.wait()
        with write_session(sessions) as session:
            try:
                exchange_pre_authorized_code(session, request, now=clock())
                outcomes.append("token")
            except Oid4vciError as error:
                outcomes.append(error.error)

    threads = [threading.Thread(target=exchange) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["invalid_grant", "token"]
