"""OpenID4VCI wallet steps for service tests: an issued award, an offer of it, and the wallet's requests.

Offers are made with issuer.wallets.offers.create_offer in a session of the running app (the offers API is another
module's); everything else goes through HTTP as a wallet would. Proof JWTs come from support.proof_jwts.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from credentials.keys import Ed25519KeyPair
from credentials.proofs.vc_jwt import credential_from_payload, decode_unverified
from issuer.models import Credential, Issuer
from issuer.wallets.offers import CONFIGURATIONS, PRE_AUTHORIZED_GRANT, Protocol, create_offer, handle_of
from issuer.wallets.offers import pre_authorized_code_of as derived_code
from support.achievements import BASE_URL
from support.issuance import Issuing, issue, issuing
from support.issuers import issuer_context, master_key
from support.proof_jwts import conformant_proof
from support.tenancy import Tenant

LDP = "OpenBadgeCredential_ldp_vc"
JWT = "OpenBadgeCredential_jwt_vc_json"
TOKEN = "/oid4vci/token"
NONCE = "/oid4vci/nonce"
CREDENTIAL = "/oid4vci/credential"
NOTIFICATION = "/oid4vci/notification"


@dataclass(frozen=True)
class Award:
    """An issued credential: its API row id, its issuer, and the tenant's API headers."""

    setup: Issuing
    row_id: uuid.UUID
    credential: dict[str, Any]

    @property
    def issuer_id(self) -> str:
        return str(self.setup.issuer["id"])

    @property
    def credential_issuer(self) -> str:
        return f"{BASE_URL}/issuers/{self.issuer_id}"


@dataclass(frozen=True)
class Offer:
    """An OpenID4VCI offer as a wallet gets it: the code, the by-reference handle and the tx_code (if any)."""

    id: uuid.UUID
    code: str
    handle: str
    tx_code: str | None
    offer_uri: str
    by_value_uri: str | None


def award(client: TestClient, tenant: Tenant, **issuing_options: Any) -> Award:
    setup = issuing(client, tenant, **issuing_options)
    body = issue(client, setup).json()
    return Award(setup, uuid.UUID(body["id"]), body["credential"])


def make_offer(
    app: FastAPI,
    given: Award,
    *,
    tx_code: bool = False,
    configuration_ids: tuple[str, ...] = CONFIGURATIONS,
    ttl: timedelta = timedelta(minutes=10),
) -> Offer:
    """issuer.wallets.offers.create_offer, committed."""
    context = issuer_context(app)
    with context.sessions() as session:
        credential = session.get(Credential, given.row_id)
        assert credential is not None
        created = create_offer(
            session,
            credential,
            Protocol.OID4VCI,
            master=master_key(app),
            base_url=BASE_URL,
            now=context.clock(),
            tx_code=tx_code,
            configuration_ids=configuration_ids,
            ttl=ttl,
        )
        session.commit()
        offer_id = created.offer.id
    master = master_key(app)
    return Offer(
        offer_id,
        derived_code(master, offer_id),
        handle_of(master, offer_id),
        created.tx_code,
        created.offer_uri,
        created.offer_by_value_uri,
    )


def set_proof_mode(app: FastAPI, issuer_id: str, mode: str) -> None:
    with issuer_context(app).sessions() as session:
        issuer = session.get(Issuer, uuid.UUID(issuer_id))
        assert issuer is not None
        issuer.wallet_proof_mode = mode
        session.commit()


def request_token(client: TestClient, offer: Offer, **fields: str) -> httpx.Response:
    """§6.1 form request with the offer's code; `fields` add (or, as "", drop) parameters."""
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.code, **fields}
    return client.post(TOKEN, data={name: value for name, value in form.items() if value != ""})


def access_token(client: TestClient, offer: Offer, **fields: str) -> str:
    if offer.tx_code is not None:
        fields.setdefault("tx_code", offer.tx_code)
    response = request_token(client, offer, **fields)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def c_nonce(client: TestClient) -> str:
    response = client.post(NONCE)
    assert response.status_code == 200, response.text
    nonce: str = response.json()["c_nonce"]
    return nonce


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def request_credential(client: TestClient, token: str, body: Any) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {**bearer(token), "Content-Type": "application/json"}
    return client.post(CREDENTIAL, content=content, headers=headers)


def proofs_body(configuration: Any, proof: str) -> dict[str, Any]:
    """The OpenID4VCI 1.0 request shape (@openid4vc): credential_configuration_id + proofs.jwt[]."""
    return {"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}}


def conformant_request(
    client: TestClient, token: str, holder: Ed25519KeyPair, given: Award, configuration: str, now: Any
) -> httpx.Response:
    """A fresh nonce, a conformant proof for the award's issuer, and the 1.0 request."""
    proof = conformant_proof(holder, nonce=c_nonce(client), now=now, audience=given.credential_issuer)
    return request_credential(client, token, proofs_body(configuration, proof))


def copy_subject_id(issued: Any) -> str:
    """credentialSubject.id of an ldp copy (an object) or a VC-JWT copy (a compact JWT string)."""
    if isinstance(issued, str):
        _, payload = decode_unverified(issued)
        credential, _ = credential_from_payload(payload)
        assert credential is not None
        issued = credential
    subject_id: str = issued["credentialSubject"]["id"]
    return subject_id


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """`{"error", "error_description"}` as application/json with Cache-Control: no-store."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["error"] == error, body
    assert isinstance(body["error_description"], str) and body["error_description"].isascii()
    return body
