"""WALLETS.md §3.2 / §7 item 2: the LCW legacy deep link and `POST /exchanges/{handle}/direct` (SQLite and PostgreSQL).

The wallet's presentations are signed here with the project's own proof code, as LCW signs them (Ed25519Signature2020)
and as VCALM wallets do (eddsa-rdfc-2022), over VCDM 1.1 and 2.0 presentations, for the challenge in the link.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from credentials.jsonld import ContextStore
from issuer.issuance import IssuancePorts
from issuer.wallets.exchanges import (
    ClaimTarget,
    DidAuthenticationFailed,
    OfferAlreadyRedeemed,
    authenticate_holder,
    claim_target,
    did_auth_resolver,
    legacy_domain,
    redeem_with_holder,
)
from issuer.wallets.offers import Protocol, direct_exchange_url, lcw_request_link
from schemas.report import CheckStatus
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
    lcw_link_parameters,
    offer,
    offer_row,
    presentation,
    stored_copy,
    tampered,
)
from support.issuance import CREDENTIALS, check, issuing, problem_codes, verify
from support.issuers import issuer_context, master_key
from support.tenancy import Tenants


def lcw_offer(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock, **changes: Any) -> Offered:
    return offer(app, client, issuing(client, tenants.a), Protocol.LCW, now=clock(), **changes)


def post_direct(client: TestClient, offered: Offered, body: Any) -> httpx.Response:
    """What LCW does: POST the bare VP to the link's vc_request_url, no Authorization header."""
    url = lcw_link_parameters(offered.offer_uri)["vc_request_url"]
    response: httpx.Response = client.post(url, content=json.dumps(body), headers={"Content-Type": "application/json"})
    return response


def didauth_problem(response: httpx.Response, reason: str) -> None:
    body = assert_problem(response, 401, "DID_AUTHENTICATION_FAILED")
    assert body["errors"][0]["type"] == reason, body
    assert response.headers["www-authenticate"].startswith("DIDAuth")
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("base_context", [VCDM1, VCDM2])
async def test_legacy_link_gives_a_holder_bound_copy(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock, suite: Suite, base_context: str
) -> None:
    offered = lcw_offer(app, client, tenants, clock)
    holder = Holder()
    vp = presentation(
        holder, challenge=offered.challenge, contexts=offered.contexts, suite=suite, base_context=base_context
    )
    response = post_direct(client, offered, vp)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    copy = stored_copy(app, offered.offer_id)
    assert copy is not None
    assert response.text == copy.document  # the stored, signed bytes, not a re-serialisation
    credential = response.json()
    assert credential["credentialSubject"]["id"] == holder.did == copy.holder
    assert credential["id"] == copy.credential_id != offered.credential["id"]  # type: ignore[index]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert (copy.protocol, copy.format) == ("lcw", "ldp")
    row = offer_row(app, offered.offer_id)
    assert (row.state, row.redeemed_at) == ("redeemed", clock())
    report = await verify(app, response.text)
    assert report.verified, report.model_dump_json(indent=1)


def test_did_jwk_holder(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = lcw_offer(app, client, tenants, clock)
    holder = Holder(jwk=True)
    response = post_direct(
        client, offered, presentation(holder, challenge=offered.challenge, contexts=offered.contexts)
    )
    assert response.status_code == 200, response.text
    assert response.json()["credentialSubject"]["id"] == holder.did


def test_replay_is_refused(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = lcw_offer(app, client, tenants, clock)
    holder = Holder()
    vp = presentation(holder, challenge=offered.challenge, contexts=offered.contexts)
    assert post_direct(client, offered, vp).status_code == 200
    clock.advance(seconds=5)
    again = post_direct(client, offered, vp)
    assert_problem(again, 409, "OFFER_ALREADY_REDEEMED")
    assert again.headers["cache-control"] == "no-store"
    # Nor does another wallet's presentation for the same challenge get a second copy.
    other = presentation(Holder(), challenge=offered.challenge, contexts=offered.contexts)
    assert_problem(post_direct(client, offered, other), 409, "OFFER_ALREADY_REDEEMED")
    copy = stored_copy(app, offered.offer_id)
    assert copy is not None and copy.holder == holder.did


def test_bad_presentations_are_401_and_leave_the_offer_usable(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered = lcw_offer(app, client, tenants, clock)
    holder, contexts = Holder(), offered.contexts
    good = presentation(holder, challenge=offered.challenge, contexts=contexts)
    cases = {
        "challenge_mismatch": presentation(holder, challenge=offered.challenge + "x", contexts=contexts),
        "invalid_signature": tampered(good),
        "holder_mismatch": presentation(
            holder, challenge=offered.challenge, contexts=contexts, claimed_holder=Holder().did
        ),
        "domain_mismatch": presentation(
            holder, challenge=offered.challenge, contexts=contexts, domain="https://elsewhere.example"
        ),
        "wrong_purpose": {**good, "proof": {**good["proof"], "proofPurpose": "assertionMethod"}},
        "no_proof": {key: value for key, value in good.items() if key != "proof"},
    }
    for reason, vp in cases.items():
        didauth_problem(post_direct(client, offered, vp), reason)
    assert stored_copy(app, offered.offer_id) is None
    assert offer_row(app, offered.offer_id).state == "pending"
    assert post_direct(client, offered, good).status_code == 200


def test_a_domain_must_be_ours(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = lcw_offer(app, client, tenants, clock)
    vp = presentation(Holder(), challenge=offered.challenge, contexts=offered.contexts, domain=BASE_URL)
    assert post_direct(client, offered, vp).status_code == 200


def test_expired_offer_is_404(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    offered = lcw_offer(app, client, tenants, clock)
    vp = presentation(Holder(), challenge=offered.challenge, contexts=offered.contexts)
    clock.advance(minutes=10)
    response = post_direct(client, offered, vp)
    assert_problem(response, 404, "NOT_FOUND")
    assert response.headers["cache-control"] == "no-store"
    assert stored_copy(app, offered.offer_id) is None


def test_unknown_and_foreign_handles_are_404(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    vcapi = offer(app, client, issuing(client, tenants.a), Protocol.VCAPI, now=clock())
    vp = presentation(Holder(), challenge=vcapi.challenge, contexts=vcapi.contexts)
    assert_problem(client.post(direct_exchange_url(BASE_URL, vcapi.handle), json=vp), 404, "NOT_FOUND")
    assert_problem(client.post(direct_exchange_url(BASE_URL, "A" * 43), json=vp), 404, "NOT_FOUND")
    assert_problem(client.post(direct_exchange_url(BASE_URL, "short"), json=vp), 404, "NOT_FOUND")


async def test_revocation(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    revoked_first = offer(app, client, setup, Protocol.LCW, now=clock())
    claimed = offer(app, client, setup, Protocol.LCW, now=clock())
    vp = presentation(Holder(), challenge=claimed.challenge, contexts=claimed.contexts)
    copy = post_direct(client, claimed, vp)
    assert copy.status_code == 200, copy.text
    for row_id in (revoked_first.row_id, claimed.row_id):
        assert client.post(f"{CREDENTIALS}/{row_id}/revoke", headers=setup.headers).status_code == 200
    # Revoked before the claim: no copy.
    late = presentation(Holder(), challenge=revoked_first.challenge, contexts=revoked_first.contexts)
    assert_problem(post_direct(client, revoked_first, late), 409, "CREDENTIAL_NOT_CLAIMABLE")
    # Revoked after the claim: the copy shares the award's status entry, so it is revoked too.
    report = await verify(app, copy.text)
    assert not report.verified
    assert check(report, "status") is CheckStatus.FAILED
    assert problem_codes(report, "status") == ["CREDENTIAL_REVOKED"]


def test_link_round_trips_through_lcw_parsing(
    app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    offered = lcw_offer(app, client, tenants, clock)
    assert offered.offer_uri.startswith("https://lcw.app/request.html?")
    parameters = lcw_link_parameters(offered.offer_uri)
    assert parameters == {
        "issuer": "127.0.0.1:8000",
        "auth_type": "bearer",
        "challenge": offered.challenge,
        "vc_request_url": direct_exchange_url(BASE_URL, offered.handle),
    }
    assert offered.challenge not in parameters["vc_request_url"]  # WALLETS.md §3.5: not in the URL path


@pytest.mark.parametrize(
    "vc_request_url",
    [
        "https://issuer.example/exchanges/abc/direct",
        "https://issuer.example/t/x/exchanges/abc/direct?tenant=a&token=b%2Fc",
        "https://issuer.example/exchanges/a+b/direct?q=1+2&r=%26&s=é#frag",
    ],
)
def test_link_builder_keeps_a_request_url_with_its_own_query(vc_request_url: str) -> None:
    link = lcw_request_link(issuer="issuer.example", challenge="c/h+a&l=?", vc_request_url=vc_request_url)
    assert link.count("?") == 1  # LCW splits on the first `?`: nothing after it may contain another
    parameters = lcw_link_parameters(link)
    assert parameters["vc_request_url"] == vc_request_url
    assert parameters["challenge"] == "c/h+a&l=?"
    assert parameters["auth_type"] == "bearer"


def test_racing_redemptions_make_one_copy(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    """Two wallets pass the offer checks before either redeems: the row lock lets one copy through, the other 409s."""
    offered = lcw_offer(app, client, tenants, clock)
    context = issuer_context(app)
    ports = IssuancePorts(contexts=offered.contexts, master=master_key(app), base_url=BASE_URL, clock=context.clock)
    with context.sessions() as session:
        targets = [
            claim_target(session, offered.handle, Protocol.LCW, master=ports.master, now=clock()) for _ in range(2)
        ]
    barrier = threading.Barrier(2)

    def redeem(target: ClaimTarget) -> str | None:
        barrier.wait()
        try:
            return redeem_with_holder(context.sessions, target.offer_id, holder=Holder().did, ports=ports)
        except OfferAlreadyRedeemed:
            return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(redeem, targets))
    copies = [result for result in results if result is not None]
    assert len(copies) == 1
    copy = stored_copy(app, offered.offer_id)
    assert copy is not None and copy.document == copies[0]


# WALLETS.md §3.4: presentations signed by LCW's own libraries (and a VCALM one) for this challenge and domain.
VECTOR_CHALLENGE = "c0ffee-challenge-0001"
VECTOR_DOMAIN = "https://credstack.example"
VECTOR_HOLDER = "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z"
VECTOR_METHOD = f"{VECTOR_HOLDER}#{VECTOR_HOLDER.removeprefix('did:key:')}"
VECTORS = {
    "lcw": {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/suites/ed25519-2020/v1"],
        "type": ["VerifiablePresentation"],
        "holder": VECTOR_HOLDER,
        "proof": {
            "type": "Ed25519Signature2020",
            "created": "2026-11-28T18:03:58Z",
            "verificationMethod": VECTOR_METHOD,
            "proofPurpose": "authentication",
            "challenge": VECTOR_CHALLENGE,
            "domain": VECTOR_DOMAIN,
            "proofValue": "z33nRWewTdj2cKBe8y77TwmPqYSRLdW6aDurFc58go4rvBXAHxHMCbkSk4jgYQ39VUeRTnTFFccL5VpjMWo9djaVz",
        },
    },
    "vcalm": {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": VECTOR_HOLDER,
        "proof": {
            "type": "DataIntegrityProof",
            "created": "2026-11-28T18:03:58Z",
            "verificationMethod": VECTOR_METHOD,
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "authentication",
            "challenge": VECTOR_CHALLENGE,
            "domain": VECTOR_DOMAIN,
            "proofValue": "z76PYz2gLegqR9LTbpzB5S4ao2aWrtoZu4hs232awwpTSKWAefy7CcwDptYxHshGqtiXerRUEbbyrfnjoFKqRZY2",
        },
    },
}


@pytest.mark.parametrize("name", VECTORS)
async def test_published_vectors_with_the_exchange_resolver(name: str) -> None:
    """The exchanges' did:key/did:jwk resolver accepts LCW's real bytes; a legacy domain must be the base URL."""
    vp = VECTORS[name]
    contexts = ContextStore.load()
    moment = datetime(2026, 11, 28, 18, 5, tzinfo=UTC)
    common: dict[str, Any] = {"contexts": contexts, "resolver": did_auth_resolver(), "now": moment}
    for base_url in (VECTOR_DOMAIN, BASE_URL):
        domain = legacy_domain(vp, base_url)
        assert domain == base_url  # the vectors carry a domain, so the legacy flow checks it
        if base_url == VECTOR_DOMAIN:
            holder = await authenticate_holder(vp, challenge=VECTOR_CHALLENGE, domain=domain, **common)
            assert holder == VECTOR_HOLDER
        else:
            with pytest.raises(DidAuthenticationFailed) as refused:
                await authenticate_holder(vp, challenge=VECTOR_CHALLENGE, domain=domain, **common)
            assert refused.value.reason == "domain_mismatch"
    with pytest.raises(DidAuthenticationFailed) as refused:
        await authenticate_holder(vp, challenge="another", domain=VECTOR_DOMAIN, **common)
    assert refused.value.reason == "challenge_mismatch"
