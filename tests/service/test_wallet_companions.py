"""Issue 6: an interaction URL lists a VC-API exchange and an OpenID4VCI offer of the same credential; whichever
the learner's wallet redeems first ends the other, so one interaction URL yields one claim (SQLite, PostgreSQL)."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from credentials.keys import Ed25519KeyPair
from issuer.models import Credential
from issuer.wallets.offers import (
    Protocol,
    exchange_url,
    handle_of,
    offer_reference_url,
    offer_uri_by_reference,
    pre_authorized_code_of,
)
from support.achievements import BASE_URL
from support.api import assert_problem
from support.clock import FakeClock
from support.didauth import Holder, Offered, offer, offer_row, presentation, stored_copy
from support.issuance import issuing
from support.issuers import issuer_context, master_key
from support.oid4vci import LDP, Offer, access_token, c_nonce, proofs_body, request_credential
from support.proof_jwts import conformant_proof
from support.tenancy import Tenants


def _exchange(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> tuple[Offered, uuid.UUID]:
    offered = offer(app, client, issuing(client, tenants.a), Protocol.VCAPI, now=clock())
    companion = offer_row(app, offered.offer_id).companion_offer_id
    assert companion is not None
    return offered, companion


def _companion_offer(app: FastAPI, companion: uuid.UUID) -> Offer:
    master = master_key(app)
    handle = handle_of(master, companion)
    reference = offer_uri_by_reference(offer_reference_url(BASE_URL, handle))
    return Offer(companion, pre_authorized_code_of(master, companion), handle, None, reference, None)


def test_completing_the_exchange_ends_the_openid4vci_offer(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered, companion = _exchange(app, client, tenants, clock)
    url = exchange_url(BASE_URL, offered.handle)
    request = client.post(url, json={}).json()["verifiablePresentationRequest"]
    vp = presentation(Holder(), challenge=request["challenge"], domain=request["domain"], contexts=offered.contexts)
    assert client.post(url, json={"verifiablePresentation": vp}).status_code == 200
    assert offer_row(app, companion).state == "dead"
    assert client.get(f"/oid4vci/offers/{_companion_offer(app, companion).handle}").status_code == 404
    token = client.post(
        "/oid4vci/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": _companion_offer(app, companion).code,
        },
    )
    assert (token.status_code, token.json()["error"]) == (400, "invalid_grant")


def test_redeeming_the_openid4vci_offer_ends_the_exchange(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered, companion = _exchange(app, client, tenants, clock)
    token = access_token(client, _companion_offer(app, companion))
    with issuer_context(app).sessions() as session:
        credential = session.get(Credential, uuid.UUID(offered.row_id))
        assert credential is not None
        audience = f"{BASE_URL}/issuers/{credential.issuer_id}"
    holder = Ed25519KeyPair.generate()
    proof = conformant_proof(holder, nonce=c_nonce(client), now=clock(), audience=audience)
    issued = request_credential(client, token, proofs_body(LDP, proof))
    assert issued.status_code == 200, issued.text
    assert offer_row(app, offered.offer_id).state == "dead"
    assert stored_copy(app, offered.offer_id) is None
    assert_problem(client.post(exchange_url(BASE_URL, offered.handle), json={}), 404, "NOT_FOUND")
