"""OpenID4VCI 1.0 Appendix F.4 key proofs: the wallets' real shapes, compat deviations, and every refusal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from jwcrypto import jwk as jose_jwk
from jwcrypto import jws as jose_jws

from credentials.did import did_jwk_from_jwk
from credentials.keys import Ed25519KeyPair, b64url, public_key_to_jwk
from credentials.oid4vci_proof import ProofMode, ProofVerdict, verify_proof_jwt
from support.proof_jwts import (
    AUDIENCE,
    conformant_proof,
    did_key_p256,
    digital_bazaar_proof,
    holder_key,
    kid_of,
    proof_jwt,
)

NOW = datetime(2026, 11, 28, 18, 4, 28, tzinfo=UTC)
IAT = int(NOW.timestamp())
NONCE = "Hc7Kd9AI2FMjvdYM3hQcLw"
TYP = "openid4vci-proof+jwt"
HOLDER = holder_key()
HOLDER_DID = "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z"
P256 = ec.derive_private_key(0x0707, ec.SECP256R1())
MODES: tuple[ProofMode, ...] = ("strict", "compat")


class NoncePort:
    """The nonce store port: which nonces it was asked about, and which are live."""

    def __init__(self, *live: str) -> None:
        self.live = set(live) or {NONCE}
        self.asked: list[str] = []

    def __call__(self, nonce: str) -> bool:
        self.asked.append(nonce)
        return nonce in self.live


def verify(jwt: Any, mode: ProofMode = "strict", port: NoncePort | None = None, **options: Any) -> ProofVerdict:
    return verify_proof_jwt(
        jwt, audience=AUDIENCE, nonce_is_live=port or NoncePort(), mode=mode, now=options.pop("now", NOW), **options
    )


def header(**members: Any) -> dict[str, Any]:
    return {"alg": "EdDSA", "typ": TYP, "kid": HOLDER.did_key_verification_method, **members}


def payload(**claims: Any) -> dict[str, Any]:
    return {"aud": AUDIENCE, "iat": IAT, "nonce": NONCE, **claims}


def refused(verdict: ProofVerdict, error: str = "invalid_proof") -> bool:
    return verdict.error == error and verdict.holder is None and not verdict.valid and verdict.detail.isascii()


# Wallet shapes (WALLETS.md §2.8)


def test_the_holder_key_is_the_one_of_the_design_vectors() -> None:
    assert HOLDER.did_key == HOLDER_DID


@pytest.mark.parametrize("mode", MODES)
def test_openid4vc_and_sphereon_proof_is_accepted_in_both_modes(mode: ProofMode) -> None:
    port = NoncePort()
    verdict = verify(conformant_proof(HOLDER, nonce=NONCE, now=NOW), mode, port)
    assert verdict == ProofVerdict(HOLDER_DID, None, verdict.detail, ())
    assert verdict.valid and verdict.detail.isascii()
    assert port.asked == [NONCE]


def test_sphereon_exp_claim_is_fine() -> None:
    verdict = verify(conformant_proof(HOLDER, nonce=NONCE, now=NOW, exp=IAT + 300))
    assert verdict.holder == HOLDER_DID and verdict.deviations == ()


def test_proof_made_by_jwcrypto_verifies() -> None:
    key = jose_jwk.JWK(**HOLDER.private_jwk())
    token = jose_jws.JWS(json.dumps(payload()).encode())
    token.add_signature(key, alg="EdDSA", protected=json.dumps(header()))
    assert verify(token.serialize(compact=True)).holder == HOLDER_DID


def test_digital_bazaar_proof_is_accepted_in_compat_mode_with_its_deviations_named() -> None:
    port = NoncePort()
    verdict = verify(digital_bazaar_proof(HOLDER, nonce=NONCE, now=NOW), "compat", port)
    assert verdict.holder == HOLDER_DID and verdict.error is None
    assert verdict.deviations == ("typ missing", "iat missing, nbf used")
    assert port.asked == [NONCE]


def test_digital_bazaar_proof_is_refused_in_strict_mode_without_asking_for_the_nonce() -> None:
    port = NoncePort()
    verdict = verify(digital_bazaar_proof(HOLDER, nonce=NONCE, now=NOW), "strict", port)
    assert refused(verdict) and "typ" in verdict.detail
    assert verdict.deviations == () and port.asked == []


def test_strict_mode_needs_iat_even_with_typ() -> None:
    jwt = proof_jwt(header(), {"aud": AUDIENCE, "nonce": NONCE, "nbf": IAT, "exp": IAT + 300}, HOLDER)
    assert refused(verify(jwt, "strict"))
    assert verify(jwt, "compat").deviations == ("iat missing, nbf used",)


def test_compat_mode_uses_exp_when_nbf_is_old_or_absent() -> None:
    for claims in ({"exp": IAT + 60}, {"nbf": IAT - 3600, "exp": IAT + 60}):
        jwt = proof_jwt(header(), {"aud": AUDIENCE, "nonce": NONCE, **claims}, HOLDER)
        assert verify(jwt, "compat").deviations == ("iat missing, exp used",)


def test_compat_mode_still_needs_some_time_claim() -> None:
    jwt = proof_jwt(header(), {"aud": AUDIENCE, "nonce": NONCE}, HOLDER)
    assert refused(verify(jwt, "compat"))
    stale_nbf = proof_jwt(header(), {"aud": AUDIENCE, "nonce": NONCE, "nbf": IAT - 3600}, HOLDER)
    assert refused(verify(stale_nbf, "compat"))


# Header rules


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("typ", ["JWT", "openid4vci-proof+JWT ", "vc+jwt", 7, None])
def test_a_wrong_typ_is_refused_in_both_modes(mode: ProofMode, typ: Any) -> None:
    assert refused(verify(proof_jwt(header(typ=typ), payload(), HOLDER), mode))


def test_typ_is_a_media_type_compared_without_case_or_application_prefix() -> None:
    jwt = proof_jwt(header(typ="application/OpenID4VCI-Proof+JWT"), payload(), HOLDER)
    assert verify(jwt).holder == HOLDER_DID


@pytest.mark.parametrize("mode", MODES)
def test_alg_none_is_refused_even_when_allowed(mode: ProofMode) -> None:
    jwt = proof_jwt(header(alg="none"), payload(), None)
    verdict = verify(jwt, mode, allowed_algs=frozenset({"none", "EdDSA"}))
    assert refused(verdict) and "never" in verdict.detail


@pytest.mark.parametrize("mode", MODES)
def test_hmac_is_refused_even_when_allowed(mode: ProofMode) -> None:
    # The attack: an HMAC keyed with public material the verifier also knows.
    jwt = proof_jwt(header(alg="HS256"), payload(), HOLDER.public_key)
    assert refused(verify(jwt, mode, allowed_algs=frozenset({"HS256", "EdDSA"})))


def test_alg_outside_the_allowed_list_is_refused() -> None:
    assert refused(verify(conformant_proof(HOLDER, nonce=NONCE, now=NOW), allowed_algs=frozenset({"ES256"})))
    assert refused(verify(proof_jwt(header(alg="RS512"), payload(), HOLDER)))
    assert refused(verify(proof_jwt(header(alg=["EdDSA"]), payload(), HOLDER)))


@pytest.mark.parametrize(
    "references",
    [
        {"jwk": HOLDER.public_jwk()},
        {"x5c": ["MIIB"]},
        {"jwk": HOLDER.public_jwk(), "x5c": ["MIIB"], "kid": None},
    ],
    ids=["kid and jwk", "kid and x5c", "all three"],
)
def test_two_key_references_are_refused(references: dict[str, Any]) -> None:
    members = {key: value for key, value in (header() | references).items() if value is not None}
    verdict = verify(proof_jwt(members, payload(), HOLDER))
    assert refused(verdict) and "exactly one" in verdict.detail


def test_no_key_reference_is_refused() -> None:
    assert refused(verify(proof_jwt({"alg": "EdDSA", "typ": TYP}, payload(), HOLDER)))


def test_x5c_alone_is_unsupported() -> None:
    verdict = verify(proof_jwt({"alg": "ES256", "typ": TYP, "x5c": ["MIIB"]}, payload(), P256))
    assert refused(verdict) and "x5c" in verdict.detail


def test_critical_header_parameters_are_refused() -> None:
    assert refused(verify(proof_jwt(header(crit=["b64"], b64=False), payload(), HOLDER)))


# Keys


def test_jwk_header_binds_the_holder_as_did_jwk() -> None:
    jwk = HOLDER.public_jwk()
    jwt = proof_jwt({"alg": "EdDSA", "typ": TYP, "jwk": jwk}, payload(), HOLDER)
    verdict = verify(jwt)
    expected = "did:jwk:" + b64url(json.dumps(jwk, separators=(",", ":")).encode())
    assert verdict.holder == expected == did_jwk_from_jwk(jwk)


def test_p256_jwk_header_with_es256() -> None:
    jwk = public_key_to_jwk(P256.public_key())
    verdict = verify(proof_jwt({"alg": "ES256", "typ": TYP, "jwk": jwk}, payload(), P256))
    assert verdict.holder == did_jwk_from_jwk(jwk)


@pytest.mark.parametrize("mode", MODES)
def test_jwk_with_a_private_member_is_refused(mode: ProofMode) -> None:
    jwt = proof_jwt({"alg": "EdDSA", "typ": TYP, "jwk": HOLDER.private_jwk()}, payload(), HOLDER)
    verdict = verify(jwt, mode)
    assert refused(verdict) and "'d'" in verdict.detail


@pytest.mark.parametrize("jwk", [{"kty": "OKP", "crv": "Ed25519"}, {"kty": "oct", "k": "c2VjcmV0"}, "jwk", [1]])
def test_unusable_jwk_is_refused(jwk: Any) -> None:
    assert refused(verify(proof_jwt({"alg": "EdDSA", "typ": TYP, "jwk": jwk}, payload(), HOLDER)))


def test_did_key_p256_kid_with_es256() -> None:
    did = did_key_p256(P256)
    assert did.startswith("did:key:zDn")
    verdict = verify(proof_jwt(header(alg="ES256", kid=kid_of(did)), payload(), P256))
    assert verdict.holder == did


def test_did_jwk_kid_names_the_holder() -> None:
    did = did_jwk_from_jwk(HOLDER.public_jwk())
    assert verify(proof_jwt(header(kid=f"{did}#0"), payload(), HOLDER)).holder == did


def test_alg_must_fit_the_key_type() -> None:
    did = did_key_p256(P256)
    assert refused(verify(proof_jwt(header(kid=kid_of(did)), payload(), P256)))
    assert refused(verify(proof_jwt(header(alg="ES256"), payload(), P256)))


@pytest.mark.parametrize(
    "kid",
    [
        HOLDER_DID,
        f"{HOLDER_DID}#key-1",
        "did:web:wallet.example#key-1",
        "did:example:123#z6Mk",
        "https://wallet.example/keys#1",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme#zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        "did:key:z6Mk#z6Mk",
        "did:jwk:e30#0",
        f"did:jwk:{b64url(json.dumps(HOLDER.public_jwk()).encode())}#1",
        "",
        42,
    ],
    ids=[
        "no fragment",
        "wrong fragment",
        "did:web",
        "unknown method",
        "https",
        "secp256k1 did:key",
        "short did:key",
        "empty did:jwk",
        "did:jwk wrong fragment",
        "empty",
        "number",
    ],
)
def test_unusable_kid_is_refused(kid: Any) -> None:
    assert refused(verify(proof_jwt(header(kid=kid), payload(), HOLDER)))


def test_a_key_other_than_the_kid_s_is_refused() -> None:
    other = Ed25519KeyPair.from_seed(bytes([0x08]) * 32)
    assert refused(verify(proof_jwt(header(), payload(), other)))


# Signature, audience, nonce, time


@pytest.mark.parametrize("part", [0, 1, 2])
def test_tampering_with_any_part_is_invalid_proof_and_never_asks_for_the_nonce(part: int) -> None:
    parts = conformant_proof(HOLDER, nonce=NONCE, now=NOW).split(".")
    replacement = {0: header(x=1), 1: payload(nonce="other")}
    if part == 2:
        parts[2] = ("B" if parts[2][0] == "A" else "A") + parts[2][1:]
    else:
        parts[part] = b64url(json.dumps(replacement[part]).encode())
    port = NoncePort(NONCE, "other")
    verdict = verify(".".join(parts), "compat", port)
    assert refused(verdict)
    assert port.asked == []


@pytest.mark.parametrize("aud", ["https://attacker.example", [], ["https://attacker.example"], None, 1])
def test_wrong_audience_is_invalid_proof(aud: Any) -> None:
    port = NoncePort()
    assert refused(verify(proof_jwt(header(), payload(aud=aud), HOLDER), port=port))
    assert port.asked == []


def test_audience_may_be_an_array_containing_the_issuer() -> None:
    jwt = proof_jwt(header(), payload(aud=["https://other.example", AUDIENCE]), HOLDER)
    assert verify(jwt).holder == HOLDER_DID


@pytest.mark.parametrize("mode", MODES)
def test_stale_nonce_is_invalid_nonce(mode: ProofMode) -> None:
    port = NoncePort("a-fresh-one")
    verdict = verify(conformant_proof(HOLDER, nonce=NONCE, now=NOW), mode, port)
    assert refused(verdict, "invalid_nonce")
    assert port.asked == [NONCE]


@pytest.mark.parametrize("nonce", [None, ""])
def test_missing_nonce_is_invalid_nonce(nonce: str | None) -> None:
    claims = payload() if nonce is None else payload(nonce=nonce)
    if nonce is None:
        del claims["nonce"]
    port = NoncePort()
    assert refused(verify(proof_jwt(header(), claims, HOLDER), port=port), "invalid_nonce")
    assert port.asked == []


def test_a_non_string_nonce_is_invalid_proof() -> None:
    assert refused(verify(proof_jwt(header(), payload(nonce=123), HOLDER)))


def test_the_nonce_is_checked_last_so_a_bad_aud_is_not_invalid_nonce() -> None:
    port = NoncePort("a-fresh-one")
    assert refused(verify(proof_jwt(header(), payload(aud="https://x.example"), HOLDER), port=port))
    assert port.asked == []


@pytest.mark.parametrize(
    ("offset", "valid"),
    [(0, True), (299, True), (-299, True), (300, True), (301, False), (-301, False), (86400, False)],
)
def test_iat_must_be_within_the_skew(offset: int, valid: bool) -> None:
    for mode in MODES:
        verdict = verify(proof_jwt(header(), payload(iat=IAT + offset), HOLDER), mode)
        assert verdict.valid is valid


def test_the_skew_is_configurable() -> None:
    jwt = proof_jwt(header(), payload(iat=IAT + 120), HOLDER)
    assert not verify(jwt, max_skew=timedelta(minutes=1)).valid
    assert verify(jwt, max_skew=timedelta(minutes=3)).valid


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": IAT - 301},
        {"nbf": IAT + 301},
        {"iat": "2026-11-28T18:04:28Z"},
        {"iat": True},
        {"iat": 1e300},
        {"exp": 10**400},
        {"nbf": -(10**30)},
    ],
)
def test_bad_time_claims_are_refused_in_both_modes(claims: dict[str, Any]) -> None:
    for mode in MODES:
        assert refused(verify(proof_jwt(header(), payload(**claims), HOLDER), mode))


def test_iss_is_ignored() -> None:
    for iss in ("did:key:z6MkSomeoneElse", 7, None):
        assert verify(proof_jwt(header(), payload(iss=iss), HOLDER)).holder == HOLDER_DID


def test_fractional_iat_is_a_numeric_date() -> None:
    assert verify(proof_jwt(header(), payload(iat=IAT + 0.5), HOLDER)).valid


# Garbage


@pytest.mark.parametrize(
    "value",
    [None, 1, 1.5, True, {}, [], {"jwt": "x"}, b"eyJ.eyJ.sig", "", "abc", "a.b", "a.b.c.d", "..", "eyJ9.eyJ9."],
)
def test_non_jwt_input_is_invalid_proof(value: Any) -> None:
    assert refused(verify(value))


def test_oversized_input_is_refused_before_parsing() -> None:
    big = proof_jwt(header(), payload(padding="x" * 9000), HOLDER)
    assert refused(verify(big))


def test_details_are_ascii_even_for_non_ascii_input() -> None:
    verdict = verify(proof_jwt(header(typ="JWT ü"), payload(), HOLDER))
    assert refused(verdict) and "\\xfc" in verdict.detail


def test_caller_bugs_raise() -> None:
    jwt = conformant_proof(HOLDER, nonce=NONCE, now=NOW)
    with pytest.raises(ValueError):
        verify(jwt, now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        verify(jwt, mode="lenient")  # type: ignore[arg-type]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
HEADER_MEMBERS = st.fixed_dictionaries(
    {},
    optional={
        "alg": st.sampled_from(["EdDSA", "ES256", "none", "HS256"]) | JSON,
        "typ": st.just(TYP) | JSON,
        "kid": st.just(HOLDER.did_key_verification_method) | JSON,
        "jwk": st.just(HOLDER.public_jwk()) | JSON,
        "x5c": JSON,
        "crit": JSON,
    },
)
CLAIMS = st.fixed_dictionaries(
    {},
    optional={
        "aud": st.just(AUDIENCE) | JSON,
        "iat": st.just(IAT) | st.integers() | JSON,
        "nbf": st.just(IAT) | JSON,
        "exp": st.just(IAT + 60) | JSON,
        "nonce": st.just(NONCE) | JSON,
    },
)


@settings(max_examples=200, deadline=None)
@given(value=JSON | st.text(alphabet="abcdeyJ0_-.=", max_size=80) | st.binary(max_size=40))
def test_arbitrary_values_never_raise(value: Any) -> None:
    for mode in MODES:
        verdict = verify(value, mode)
        assert verdict.error in {None, "invalid_proof", "invalid_nonce"} and verdict.detail.isascii()


@settings(max_examples=300, deadline=None)
@given(members=HEADER_MEMBERS, claims=CLAIMS, mode=st.sampled_from(MODES))
def test_arbitrary_signed_headers_and_claims_never_raise(
    members: dict[str, Any], claims: dict[str, Any], mode: ProofMode
) -> None:
    port = NoncePort()
    verdict = verify(proof_jwt(members, claims, HOLDER), mode, port)
    assert verdict.detail.isascii()
    assert (verdict.holder is not None) == verdict.valid
    if verdict.valid:
        assert verdict.holder in {HOLDER_DID, did_jwk_from_jwk(HOLDER.public_jwk())}
    if mode == "strict":
        assert verdict.deviations == ()
    assert len(port.asked) <= 1
    if port.asked:
        assert verdict.error != "invalid_proof"
