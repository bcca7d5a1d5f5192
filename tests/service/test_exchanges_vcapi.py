"""WALLETS.md §3.3 / §7 item 3: VCALM exchanges, `POST` and `GET /exchanges/{handle}` (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from issuer.models import AuditEntry
from issuer.wallets.offers import Protocol, exchange_url
from support.achievements import BASE_URL
from support.api import assert_problem
from support.clock import FakeClock
from support.didauth import (
    SUITES,
    VCDM1,
    VCDM2,
    Holder,
    Offered,
    Suite,
    offer,
    offer_row,
    presentation,
    stored_copy,
    tampered,
)
from support.issuance import CREDENTIALS, issuing, verify
from support.issuers import issuer_context
from support.tenancy import Tenants

V2 = "https://www.w3.org/ns/credentials/v2"


def vcapi_offer(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock, **changes: Any) -> Offered:
    return offer(app, client, issuing(client, tenants.a), Protocol.VCAPI, now=clock(), **changes)


def post(client: TestClient, offered: Offered, body: Any) -> httpx.Response:
    response: httpx.Response = client.post(exchange_url(BASE_URL, offered.handle), content=json.dumps(body))
    return response


def state(client: TestClient, offered: Offered) -> str:
    response = client.get(exchange_url(BASE_URL, offered.handle))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    value: str = response.json()["state"]
    return value


def expected_request(offered: Offered) -> dict[str, Any]:
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": "DIDAuthentication",
                    "acceptedMethods": [{"method": "key"}, {"method": "jwk"}],
                    "acceptedCryptosuites": [
                        {"cryptosuite": "eddsa-rdfc-2022"},
                        {"cryptosuite": "Ed25519Signature2020"},
                    ],
                }
            ],
            "challenge": offered.challenge,
            "domain": BASE_URL,
        }
    }


def presented(response: httpx.Response) -> list[Any]:
    """The credentials of a VCALM `{"verifiablePresentation"}` answer, checking the presentation's shape."""
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert list(body) == ["verifiablePresentation"]
    vp = body["verifiablePresentation"]
    assert (vp["@context"], vp["type"]) == ([V2], ["VerifiablePresentation"])
    credentials: list[Any] = vp["verifiableCredential"]
    assert len(credentials) == 1
    return credentials


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("base_context", [VCDM1, VCDM2])
async def test_didauth_exchange(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock, suite: Suite, base_context: str
) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    assert state(client, offered) == "pending"
    started = post(client, offered, {})
    assert started.status_code == 200, started.text
    assert started.headers["cache-control"] == "no-store"
    assert started.json() == expected_request(offered)
    assert state(client, offered) == "active"
    assert post(client, offered, {}).json() == expected_request(offered)  # asking again changes nothing
    holder = Holder()
    request = started.json()["verifiablePresentationRequest"]
    vp = presentation(
        holder,
        challenge=request["challenge"],
        domain=request["domain"],
        contexts=offered.contexts,
        suite=suite,
        base_context=base_context,
    )
    response = post(client, offered, {"verifiablePresentation": vp})
    [credential] = presented(response)
    copy = stored_copy(app, offered.offer_id)
    assert copy is not None
    assert copy.document in response.text  # spliced in as stored
    assert credential == json.loads(copy.document)
    assert credential["credentialSubject"]["id"] == holder.did
    assert copy.protocol == "vcapi"
    assert state(client, offered) == "complete"
    report = await verify(app, copy.document)
    assert report.verified, report.model_dump_json(indent=1)


def test_domain_is_required_and_must_be_ours(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    post(client, offered, {})
    holder, contexts = Holder(), offered.contexts
    for domain in (None, "https://elsewhere.example", BASE_URL + "/"):
        vp = presentation(holder, challenge=offered.challenge, domain=domain, contexts=contexts)
        body = assert_problem(post(client, offered, {"verifiablePresentation": vp}), 401, "DID_AUTHENTICATION_FAILED")
        assert body["errors"][0]["type"] == "domain_mismatch"
    for vp in (
        presentation(holder, challenge="another", domain=BASE_URL, contexts=contexts),
        tampered(presentation(holder, challenge=offered.challenge, domain=BASE_URL, contexts=contexts)),
    ):
        assert_problem(post(client, offered, {"verifiablePresentation": vp}), 401, "DID_AUTHENTICATION_FAILED")
    assert (stored_copy(app, offered.offer_id), state(client, offered)) == (None, "active")


def test_replay_is_refused(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    post(client, offered, {})
    vp = presentation(Holder(), challenge=offered.challenge, domain=BASE_URL, contexts=offered.contexts)
    presented(post(client, offered, {"verifiablePresentation": vp}))
    assert_problem(post(client, offered, {"verifiablePresentation": vp}), 409, "OFFER_ALREADY_REDEEMED")
    assert_problem(post(client, offered, {}), 409, "OFFER_ALREADY_REDEEMED")


def test_unbound_offer_hands_out_the_credential_as_issued(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered = vcapi_offer(app, client, tenants, clock, holder_binding=False)
    response = post(client, offered, {"referenceId": "urn:uuid:0f6c4b2e-1d8f-4c55-9d0e-4b3c4d2e1f00"})
    [credential] = presented(response)
    assert credential == offered.credential
    assert json.dumps(offered.credential, separators=(",", ":"), ensure_ascii=False) in response.text
    row = offer_row(app, offered.offer_id)
    assert (row.state, row.redeemed_at) == ("redeemed", clock())
    assert stored_copy(app, offered.offer_id) is None  # nothing new was signed
    with issuer_context(app).sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "credential.claim")).all()
    assert [(entry.actor, entry.subject) for entry in audit] == [("wallet:vcapi", f"credential:{offered.row_id}")]
    assert state(client, offered) == "complete"
    assert_problem(post(client, offered, {}), 409, "OFFER_ALREADY_REDEEMED")


def test_unbound_offer_asks_for_no_presentation(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered = vcapi_offer(app, client, tenants, clock, holder_binding=False)
    vp = presentation(Holder(), challenge=offered.challenge, domain=BASE_URL, contexts=offered.contexts)
    assert_problem(post(client, offered, {"verifiablePresentation": vp}), 400, "PRESENTATION_NOT_EXPECTED")
    assert offer_row(app, offered.offer_id).state == "pending"


def test_unbound_vc_jwt_is_enveloped(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = vcapi_offer(app, client, tenants, clock, holder_binding=False, format="jwt")
    assert isinstance(offered.credential, str)
    [credential] = presented(post(client, offered, {}))
    assert credential == {
        "@context": V2,
        "id": f"data:application/vc+jwt,{offered.credential}",
        "type": "EnvelopedVerifiableCredential",
    }


def test_expired_and_unknown_exchanges_are_404(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    lcw = offer(app, client, issuing(client, tenants.a), Protocol.LCW, now=clock())
    assert_problem(post(client, lcw, {}), 404, "NOT_FOUND")  # another protocol's handle
    clock.advance(minutes=10)
    for response in (post(client, offered, {}), client.get(exchange_url(BASE_URL, offered.handle))):
        assert_problem(response, 404, "NOT_FOUND")
        assert response.headers["cache-control"] == "no-store"


def test_revoked_award(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    offered = offer(app, client, setup, Protocol.VCAPI, now=clock())
    post(client, offered, {})
    assert client.post(f"{CREDENTIALS}/{offered.row_id}/revoke", headers=setup.headers).status_code == 200
    assert state(client, offered) == "invalid"
    assert_problem(post(client, offered, {}), 409, "CREDENTIAL_NOT_CLAIMABLE")
    vp = presentation(Holder(), challenge=offered.challenge, domain=BASE_URL, contexts=offered.contexts)
    assert_problem(post(client, offered, {"verifiablePresentation": vp}), 409, "CREDENTIAL_NOT_CLAIMABLE")
    assert stored_copy(app, offered.offer_id) is None


def test_exchange_state_document(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = vcapi_offer(app, client, tenants, clock)
    response = client.get(exchange_url(BASE_URL, offered.handle))
    assert response.json() == {"id": offered.handle, "state": "pending", "expires": "2025-03-01T12:10:00Z"}
