"""OpenID4VCI 1.0 §8 Credential Endpoint and §11 Notification Endpoint refusals (SQLite and PostgreSQL),
WALLETS.md §2.8/§2.9 and §7 item 1: wrong aud, stale, used or unknown nonces, missing or extra proofs, configurations
that were not offered, expired and missing tokens, redeemed offers and revoked awards, concurrent redemption."""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from credentials.keys import Ed25519KeyPair
from issuer.issuance import IssuancePorts
from issuer.wallets.oid4vci.credential import credential_endpoint
from issuer.wallets.oid4vci.errors import Oid4vciError
from support.achievements import BASE_URL
from support.clock import FakeClock
from support.issuance import CREDENTIALS
from support.issuers import issuer_context
from support.oid4vci import (
    CREDENTIAL,
    JWT,
    LDP,
    NOTIFICATION,
    Award,
    access_token,
    assert_oauth_error,
    award,
    bearer,
    c_nonce,
    conformant_request,
    make_offer,
    proofs_body,
    request_credential,
)
from support.proof_jwts import conformant_proof
from support.tenancy import Tenants

HOLDER = Ed25519KeyPair.generate()


def _ready(app: FastAPI, client: TestClient, tenants: Tenants, **offer: Any) -> tuple[Award, str]:
    given = award(client, tenants.a)
    return given, access_token(client, make_offer(app, given, **offer))


def _proof(client: TestClient, given: Award, clock: FakeClock, **options: Any) -> str:
    if "nonce" not in options:
        options["nonce"] = c_nonce(client)
    options.setdefault("audience", given.credential_issuer)
    return conformant_proof(HOLDER, now=clock(), **options)


def _refused_with_nonce(response: Any, error: str) -> str:
    body = assert_oauth_error(response, 400, error)
    assert isinstance(body["c_nonce"], str) and len(body["c_nonce"]) >= 22
    nonce: str = body["c_nonce"]
    return nonce


def test_wrong_audience_is_invalid_proof(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    given, token = _ready(app, client, tenants)
    other = award(client, tenants.a)  # another issuer of the same service
    for audience in (other.credential_issuer, BASE_URL, f"{given.credential_issuer}/"):
        proof = _proof(client, given, clock, audience=audience)
        _refused_with_nonce(request_credential(client, token, proofs_body(LDP, proof)), "invalid_proof")
    assert conformant_request(client, token, HOLDER, given, LDP, clock()).status_code == 200


def test_stale_nonce_is_invalid_nonce_with_a_fresh_one(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    given, token = _ready(app, client, tenants)
    nonce = c_nonce(client)
    clock.advance(minutes=5)  # the nonce's lifetime
    stale = _proof(client, given, clock, nonce=nonce)
    fresh = _refused_with_nonce(request_credential(client, token, proofs_body(LDP, stale)), "invalid_nonce")
    retry = _proof(client, given, clock, nonce=fresh)
    assert request_credential(client, token, proofs_body(LDP, retry)).status_code == 200


def test_used_and_unknown_nonces_are_invalid_nonce(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    given, token = _ready(app, client, tenants)
    nonce = c_nonce(client)
    proof = _proof(client, given, clock, nonce=nonce)
    assert request_credential(client, token, proofs_body(LDP, proof)).status_code == 200
    second = access_token(client, make_offer(app, given))
    replayed = request_credential(client, second, proofs_body(LDP, proof))  # same proof, same (used) nonce
    _refused_with_nonce(replayed, "invalid_nonce")
    unknown = _proof(client, given, clock, nonce="n" * 22)
    _refused_with_nonce(request_credential(client, second, proofs_body(LDP, unknown)), "invalid_nonce")


def test_missing_or_unusable_proofs_are_invalid_proof(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    given, token = _ready(app, client, tenants)
    proof = _proof(client, given, clock)
    bodies: list[dict[str, Any]] = [
        {"credential_configuration_id": LDP},
        {"credential_configuration_id": LDP, "proofs": {}},
        {"credential_configuration_id": LDP, "proofs": {"jwt": []}},
        {"credential_configuration_id": LDP, "proofs": {"jwt": [proof, proof]}},
        {"credential_configuration_id": LDP, "proofs": {"di_vp": [{}]}},
        {"credential_configuration_id": LDP, "proofs": {"jwt": ["not.a.jwt"]}},
        {"credential_configuration_id": LDP, "proofs": {"jwt": [42]}},
        {"credential_configuration_id": LDP, "proof": {"proof_type": "cwt", "cwt": "x"}},
        {"credential_configuration_id": LDP, "proof": {"proof_type": "jwt"}},
    ]
    for body in bodies:
        _refused_with_nonce(request_credential(client, token, body), "invalid_proof")
    malformed: list[dict[str, Any]] = [
        {"credential_configuration_id": LDP, "proofs": "x"},
        {"credential_configuration_id": LDP, "proofs": {"jwt": proof}},
        {"credential_configuration_id": LDP, "proofs": {"jwt": [proof], "di_vp": []}},
        {"credential_configuration_id": LDP, "proof": [], "proofs": {"jwt": [proof]}},
        {"credential_configuration_id": LDP, "credential_identifier": "x", "proofs": {"jwt": [proof]}},
        {"proofs": {"jwt": [proof]}},
    ]
    for body in malformed:
        assert "c_nonce" not in assert_oauth_error(
            request_credential(client, token, body), 400, "invalid_credential_request"
        )
    assert request_credential(client, token, proofs_body(LDP, proof)).status_code == 200  # nonce never consumed


def test_configuration_not_offered(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    given, token = _ready(app, client, tenants, configuration_ids=(LDP,))
    proof = _proof(client, given, clock)
    for configuration in (JWT, "Nope", 7):
        response = request_credential(client, token, proofs_body(configuration, proof))
        assert_oauth_error(response, 400, "unknown_credential_configuration")
    draft13 = {"format": "jwt_vc_json", "proofs": {"jwt": [proof]}}
    assert_oauth_error(request_credential(client, token, draft13), 400, "unknown_credential_configuration")
    wrong_type = {"format": "ldp_vc", "credential_definition": {"type": ["VerifiableCredential"]}}
    assert_oauth_error(request_credential(client, token, wrong_type), 400, "unknown_credential_configuration")
    unknown_id = {"credential_identifier": f"{JWT}-00000000", "proofs": {"jwt": [proof]}}
    assert_oauth_error(request_credential(client, token, unknown_id), 400, "unknown_credential_identifier")
    assert request_credential(client, token, proofs_body(LDP, proof)).status_code == 200


def test_bad_tokens_are_401_invalid_token(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    given, token = _ready(app, client, tenants)
    proof = _proof(client, given, clock)
    body = proofs_body(LDP, proof)
    for headers in ({"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {'x' * 5000}"}):
        response = client.post(CREDENTIAL, json=body, headers=headers)
        assert_oauth_error(response, 401, "invalid_token")
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    for headers in ({}, {"Authorization": f"Basic {token}"}, {"Authorization": "Bearer"}):
        response = client.post(CREDENTIAL, json=body, headers=headers)
        assert_oauth_error(response, 401, "invalid_token")
        assert response.headers["www-authenticate"] == "Bearer"
    clock.advance(seconds=600)
    expired = client.post(CREDENTIAL, json=body, headers=bearer(token))
    assert_oauth_error(expired, 401, "invalid_token")
    assert expired.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_scheme_is_case_insensitive(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    given, token = _ready(app, client, tenants)
    proof = _proof(client, given, clock)
    response = client.post(CREDENTIAL, json=proofs_body(LDP, proof), headers={"Authorization": f"BEARER {token}"})
    assert response.status_code == 200, response.text


def test_redeemed_offer_and_revoked_award_are_denied(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    given, token = _ready(app, client, tenants)
    assert conformant_request(client, token, HOLDER, given, LDP, clock()).status_code == 200
    again = conformant_request(client, token, HOLDER, given, JWT, clock())
    assert_oauth_error(again, 400, "credential_request_denied")

    other = award(client, tenants.a)
    second = access_token(client, make_offer(app, other))
    revoked = client.post(f"{CREDENTIALS}/{other.row_id}/revoke", headers=other.setup.headers)
    assert revoked.status_code == 200, revoked.text
    assert_oauth_error(
        conformant_request(client, second, HOLDER, other, LDP, clock()), 400, "credential_request_denied"
    )


def test_concurrent_requests_with_one_token_issue_one_copy(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    given, token = _ready(app, client, tenants)
    context = issuer_context(app)
    assert context.contexts is not None and context.master_key is not None
    ports = IssuancePorts(contexts=context.contexts, master=context.master_key, base_url=BASE_URL, clock=clock)
    bodies = [proofs_body(LDP, _proof(client, given, clock)) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem(body: dict[str, Any]) -> None:
        barrier.wait()
        try:
            credential_endpoint(context.sessions, f"Bearer {token}", json.dumps(body).encode(), ports)
            outcomes.append("issued")
        except Oid4vciError as error:
            outcomes.append(error.error)

    threads = [threading.Thread(target=redeem, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["credential_request_denied", "issued"]


def test_notification_refusals(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    given, token = _ready(app, client, tenants)
    notification_id = conformant_request(client, token, HOLDER, given, LDP, clock()).json()["notification_id"]
    other, other_token = _ready(app, client, tenants)
    other_id = conformant_request(client, other_token, HOLDER, other, LDP, clock()).json()["notification_id"]

    def send(body: Any, headers: dict[str, str] | None = None) -> Any:
        return client.post(NOTIFICATION, json=body, headers=bearer(token) if headers is None else headers)

    accepted = {"notification_id": notification_id, "event": "credential_accepted"}
    assert_oauth_error(send({**accepted, "notification_id": other_id}), 400, "invalid_notification_id")
    assert_oauth_error(send({**accepted, "notification_id": "x" * 500}), 400, "invalid_notification_id")
    for body in (
        {"notification_id": notification_id},
        {**accepted, "event": "credential_stolen"},
        {**accepted, "notification_id": 5},
        {**accepted, "event_description": "caf\u00e9"},
        {**accepted, "event_description": 'a "quote"'},
        [accepted],
        "credential_accepted",
    ):
        assert_oauth_error(send(body), 400, "invalid_notification_request")
    garbage = client.post(NOTIFICATION, content=b"{", headers=bearer(token))
    assert_oauth_error(garbage, 400, "invalid_notification_request")
    response = send(accepted, headers={})
    assert_oauth_error(response, 401, "invalid_token")
    clock.advance(seconds=600)
    assert_oauth_error(send(accepted), 401, "invalid_token")
