"""Issue 6 "Tests", WALLETS.md §7 items 1-3, 5 and 7: the real holder-side clients, at their pinned npm versions,
take a credential from a real `credstack serve` over loopback TLS.

- OpenID4VCI: @openid4vc/openid4vci against an issuer in `strict` proof mode (ldp_vc by reference with a tx_code,
  jwt_vc_json by value, notifications); @sphereon/oid4vci-client (compat, the default) with a tx_code;
  @digitalbazaar/oid4-client (compat, no tx_code), and the same client refused by a strict issuer.
- The Learner Credential Wallet's request logic with its own libraries: the legacy deep link, VC-API exchanges
  (Ed25519Signature2020 and eddsa-rdfc-2022 DIDAuth), an offer without DIDAuth, and "add from URL" of the public
  page's JSON.

Each received credential names the holder the driver generated as its subject (bound flows) and verifies in
Credstack's verifier and in @digitalcredentials/verifier-core; the claim is recorded on the original; revoking the
original revokes a claimed copy. One server (the session's `wallet_server`): the proof mode is per issuer, so the
strict issuer is a second issuer of the same organization.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from wallets.wallet_checks import (
    OFFER_SCHEME,
    Issuance,
    add_issuance,
    assert_on_loopback,
    check_received,
    claims_of,
    credstack_verify,
    document_of,
    failed_checks,
    holder_of,
    make_offer,
    publish_public_page,
    revoke,
    verifier_core,
)
from wallets.wallet_server import DriverRun, JsonObject, Provisioned, run_driver

LDP = "OpenBadgeCredential_ldp_vc"
JWT = "OpenBadgeCredential_jwt_vc_json"
# an existing wallet DID the LMS already knows: unbound offers and URL imports hand over the credential as issued
KNOWN_DID = "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z"


@pytest.fixture(scope="module")
def compat(provisioned: Provisioned) -> Issuance:
    """The provisioned issuer: created without `wallet_proof_mode`, so in the default `compat` mode."""
    assert provisioned.issuer["wallet_proof_mode"] == "compat", provisioned.issuer
    return Issuance(provisioned, provisioned.issuer, provisioned.achievement)


@pytest.fixture(scope="module")
def strict(provisioned: Provisioned) -> Issuance:
    """A second issuer of the organization, in `strict` proof mode (OpenID4VCI 1.0 proofs only)."""
    return add_issuance(provisioned, name="Strict Wallet University", wallet_proof_mode="strict")


def drive(issuance: Issuance, script: str, *args: str) -> DriverRun:
    return run_driver(script, list(args), server=issuance.provisioned.server)


def assert_claimed(
    issuance: Issuance, issued: JsonObject, copy: JsonObject | str, *, protocol: str, holder: str, **expected: Any
) -> None:
    """The copy is a new credential with the original's status entry, and the original lists it as its one claim."""
    document, original = document_of(copy), issued["credential"]
    assert document["id"] != original["id"]
    assert document["credentialStatus"] == original["credentialStatus"]
    (claim,) = claims_of(issuance.provisioned, issued["id"])
    assert claim["protocol"] == protocol and claim["holder"] == holder, claim
    assert {key: claim[key] for key in expected} == expected, claim


def offered_by(run: DriverRun, issuance: Issuance) -> list[str]:
    """The paths of the by-reference offers the client fetched."""
    base = issuance.provisioned.server.base_url
    urls = [step["url"] for step in run.steps_named("http") if step["method"] == "GET"]
    return [url.removeprefix(base) for url in urls if url.startswith(f"{base}/oid4vci/offers/")]


# ------------------------------------------------------------------------------------------------------- OpenID4VCI


def test_openid4vc_strict_ldp_vc_by_reference_with_tx_code(strict: Issuance) -> None:
    issued = strict.issue(email="ada@example.com")
    offer = make_offer(strict.provisioned, issued["id"], protocol="oid4vci", tx_code=True, configuration_ids=[LDP])
    assert offer["offer_uri"].startswith(f"{OFFER_SCHEME}?credential_offer_uri=https%3A%2F%2F127.0.0.1%3A")
    assert re.fullmatch(r"[0-9]{6}", offer["tx_code"]), offer
    run = drive(strict, "oid4vci_openid4vc.mjs", "--offer", offer["offer_uri"], "--tx-code", offer["tx_code"])
    holder = holder_of(run)
    copy = check_received(strict.provisioned, run, subject=holder)
    assert isinstance(copy, dict) and copy["proof"]["cryptosuite"] == "eddsa-rdfc-2022", copy
    (resolved,) = run.steps_named("offer")
    assert resolved["by"] == "reference" and resolved["tx_code"] is not None, run.explain()
    assert len(offered_by(run, strict)) == 1, run.explain()
    (proof,) = run.steps_named("proof")
    assert proof["header"]["typ"] == "openid4vci-proof+jwt" and proof["header"]["kid"].startswith(holder + "#")
    assert run.steps_named("notification") == [{"step": "notification", "event": "credential_accepted", "status": 204}]
    assert_claimed(
        strict, issued, copy, protocol="oid4vci", holder=holder, format="ldp", notification_event="credential_accepted"
    )


def test_openid4vc_strict_jwt_vc_json_by_value(strict: Issuance) -> None:
    issued = strict.issue(email="grace@example.com")
    offer = make_offer(strict.provisioned, issued["id"], protocol="oid4vci")
    by_value = offer["offer_by_value_uri"]
    assert by_value.startswith(f"{OFFER_SCHEME}?credential_offer=%7B"), offer
    args = ["--offer", by_value, "--configuration", JWT, "--format", "jwt_vc_json"]
    run = drive(strict, "oid4vci_openid4vc.mjs", *args)
    holder = holder_of(run)
    copy = check_received(strict.provisioned, run, subject=holder)
    assert isinstance(copy, str) and copy.count(".") == 2, copy
    (resolved,) = run.steps_named("offer")
    assert resolved["by"] == "value" and offered_by(run, strict) == [], run.explain()
    assert run.steps_named("notification") == [{"step": "notification", "event": "credential_accepted", "status": 204}]
    assert_claimed(
        strict, issued, copy, protocol="oid4vci", holder=holder, format="jwt", notification_event="credential_accepted"
    )


def test_sphereon_compat_ldp_vc_with_tx_code(compat: Issuance) -> None:
    issued = compat.issue(email="alan@example.com")
    offer = make_offer(compat.provisioned, issued["id"], protocol="oid4vci", tx_code=True, configuration_ids=[LDP])
    run = drive(compat, "oid4vci_sphereon.mjs", "--offer", offer["offer_uri"], "--tx-code", offer["tx_code"])
    holder = holder_of(run)
    copy = check_received(compat.provisioned, run, subject=holder)
    assert len(offered_by(run, compat)) == 1, run.explain()
    assert_claimed(compat, issued, copy, protocol="oid4vci", holder=holder, format="ldp")


def test_digitalbazaar_compat_ldp_vc(compat: Issuance) -> None:
    issued = compat.issue(email="barbara@example.com")
    offer = make_offer(compat.provisioned, issued["id"], protocol="oid4vci")
    assert "tx_code" not in offer
    run = drive(compat, "oid4vci_digitalbazaar.mjs", "--offer", offer["offer_uri"])
    holder = holder_of(run)
    copy = check_received(compat.provisioned, run, subject=holder)
    # its proof JWT lacks typ and iat: accepted in compat mode only (WALLETS.md §2.10)
    proofs = run.steps_named("proof")
    assert proofs and all("typ" not in p["header"] and "iat" not in p["payload"] for p in proofs), run.explain()
    assert_claimed(compat, issued, copy, protocol="oid4vci", holder=holder, format="ldp")


def test_digitalbazaar_is_refused_by_a_strict_issuer(strict: Issuance) -> None:
    issued = strict.issue(email="edsger@example.com")
    offer = make_offer(strict.provisioned, issued["id"], protocol="oid4vci")
    run = drive(strict, "oid4vci_digitalbazaar.mjs", "--offer", offer["offer_uri"])
    assert run.returncode == 1, run.explain()
    assert run.result is not None and run.result["ok"] is False, run.explain()
    assert run.result["credentials"] == [] and run.result["reason"] == "no credential received", run.explain()
    assert_on_loopback(run, strict.provisioned)
    credential_endpoint = f"{strict.provisioned.server.base_url}/oid4vci/credential"
    refusals = [step for step in run.steps_named("error_body") if step["url"] == credential_endpoint]
    # the proof-less request gets its c_nonce; then the proof without typ and iat is refused (with a fresh c_nonce)
    assert [(step["status"], step["body"]["error"]) for step in refusals] == [(400, "invalid_proof")] * 2, run.explain()
    assert all(step["body"].get("c_nonce") == "present" for step in refusals), run.explain()
    assert len(run.steps_named("proof")) == 2, run.explain()
    assert claims_of(strict.provisioned, issued["id"]) == []


# -------------------------------------------------------------------------------------- Learner Credential Wallet


@pytest.mark.parametrize(
    ("mode", "protocol"),
    [("legacy", "lcw"), ("vcapi", "vcapi"), ("vcalm-di", "vcapi")],
)
def test_lcw_bound_flows(compat: Issuance, mode: str, protocol: str) -> None:
    issued = compat.issue(email=f"{mode}@example.com")
    offer = make_offer(compat.provisioned, issued["id"], protocol=protocol)
    link = ["--link", offer["offer_uri"]] if mode == "legacy" else ["--url", offer["offer_uri"]]
    run = drive(compat, "lcw.mjs", mode, *link)
    holder = holder_of(run)
    copy = check_received(compat.provisioned, run, subject=holder)
    # the driver's own verifier-core step, as LCW shows it
    assert [step["valid_signature"] for step in run.steps_named("verify")] == [True], run.explain()
    assert_claimed(compat, issued, copy, protocol=protocol, holder=holder, format="ldp")


def test_lcw_offer_without_didauth(compat: Issuance) -> None:
    issued = compat.issue(did=KNOWN_DID)
    offer = make_offer(compat.provisioned, issued["id"], protocol="vcapi", holder_binding=False)
    run = drive(compat, "lcw.mjs", "offer", "--url", offer["offer_uri"], "--expect-subject", KNOWN_DID)
    received = check_received(compat.provisioned, run, subject=KNOWN_DID)
    assert received == issued["credential"]
    assert run.steps_named("holder") == [] and run.steps_named("presentation") == [], run.explain()


def test_lcw_imports_the_public_page_json(compat: Issuance) -> None:
    issued = compat.issue(did=KNOWN_DID)
    public_url = publish_public_page(compat.provisioned, issued["claim_url"])
    json_url = f"{public_url}/credential.json"
    run = drive(compat, "lcw.mjs", "url-import", "--url", json_url, "--expect-subject", KNOWN_DID)
    received = check_received(compat.provisioned, run, subject=KNOWN_DID)
    assert received == issued["credential"]
    assert [step["url"] for step in run.steps_named("import")] == [json_url], run.explain()


# -------------------------------------------------------------------------------------------------------- status


def test_revoking_the_original_revokes_the_claimed_copy(compat: Issuance) -> None:
    issued = compat.issue(email="revoked@example.com")
    offer = make_offer(compat.provisioned, issued["id"], protocol="lcw")
    run = drive(compat, "lcw.mjs", "legacy", "--link", offer["offer_uri"])
    holder = holder_of(run)
    copy = check_received(compat.provisioned, run, subject=holder)
    assert isinstance(copy, dict)
    revoke(compat.provisioned, issued["id"])
    report = credstack_verify(compat.provisioned, copy, did=holder)
    assert report["verified"] is False
    assert failed_checks(report) == {"status": ["CREDENTIAL_REVOKED"]}, report
    core_run, verdict = verifier_core(compat.provisioned, copy)
    assert verdict["log"]["valid_signature"] is True, core_run.explain()
    assert verdict["log"]["revocation_status"] is False, core_run.explain()
    with compat.provisioned.api() as api:
        refused = api.post(f"/api/v1/credentials/{issued['id']}/offers", json={"protocol": "lcw"})
    assert refused.status_code == 409 and refused.json()["code"] == "CREDENTIAL_NOT_CLAIMABLE", refused.text
