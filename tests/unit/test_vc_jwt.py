"""OB 3.0 §8.2 VC-JWT: RFC vectors, RS256/ES256 round trips, EdDSA from jwcrypto, and every refusal path."""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from jwcrypto import jwk as jose_jwk
from jwcrypto import jws as jose_jws

from credentials.did import DidResolverRegistry, ResolutionFailed, default_registry, did_jwk_from_jwk
from credentials.did.jwk import DidJwkResolver
from credentials.did.key import DidKeyResolver
from credentials.keys import (
    Ed25519KeyPair,
    UnsupportedKeyType,
    VerificationMethod,
    WeakKey,
    b64url,
    generate_p256_jwk,
    generate_rsa_jwk,
    load_private_jwk,
    load_public_jwk,
    private_key_to_jwk,
    public_jwk_of,
    public_key_to_jwk,
)
from credentials.proofs.vc_jwt import (
    JwtSigningError,
    JwtVerification,
    MalformedJwt,
    decode_unverified,
    is_compact_jws,
    sign_vc_jwt,
    vc_jwt_payload,
    verify_jws_signature,
    verify_vc_jwt,
)

ISSUER = "https://example.edu/issuers/565049"
CREDENTIAL_V2: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "http://example.edu/credentials/3732",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Example University"},
    "validFrom": "2010-01-01T00:00:00Z",
    "validUntil": "2030-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "type": ["AchievementSubject"]},
}
CREDENTIAL_V1: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "http://example.edu/credentials/3732",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": ISSUER,
    "issuanceDate": "2010-01-01T00:00:00Z",
    "expirationDate": "2030-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
}
# RFC 8037 Appendix A.4: Ed25519 signature of "Example of Ed25519 signing" with the A.1 key.
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)


@functools.cache
def property_key() -> dict[str, Any]:
    """Hypothesis tests cannot take function-scoped fixtures, so they share one P-256 key."""
    return generate_p256_jwk()


@pytest.fixture(scope="module")
def rsa_jwk() -> dict[str, Any]:
    return generate_rsa_jwk()


@pytest.fixture(scope="module")
def p256_jwk() -> dict[str, Any]:
    return generate_p256_jwk()


def segment(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def raw_sign(header: dict[str, Any], payload: Any, private: dict[str, Any] | rsa.RSAPrivateKey) -> str:
    """An independent JWS signer (cryptography only) for tokens the module must refuse or accept."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    key = private if isinstance(private, rsa.RSAPrivateKey) else load_private_jwk(private)
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    else:
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{b64url(signature)}"


def jwk_header(private_jwk: dict[str, Any], alg: str = "RS256", **extra: Any) -> dict[str, Any]:
    return {"alg": alg, "typ": "JWT", "jwk": public_jwk_of(private_jwk), **extra}


def titles(result: JwtVerification) -> set[str]:
    return {problem.title for problem in result.problems}


def codes(result: JwtVerification) -> set[str]:
    return {problem.code for problem in result.problems}


# Published vectors


def test_rfc8037_eddsa_vector() -> None:
    key = load_public_jwk({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X})
    header, payload, signature = RFC8037_JWS.split(".")
    signature_bytes = base64.urlsafe_b64decode(signature + "==")
    assert verify_jws_signature(key, "EdDSA", f"{header}.{payload}".encode(), signature_bytes)
    assert not verify_jws_signature(key, "EdDSA", f"{header}.{payload}x".encode(), signature_bytes)
    assert not verify_jws_signature(key, "ES256", f"{header}.{payload}".encode(), signature_bytes)


# Round trips


async def test_rs256_round_trip_vcdm2(rsa_jwk: dict[str, Any]) -> None:
    token = sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="RS256", embed_jwk=True)
    header, payload = decode_unverified(token)
    assert header == {"alg": "RS256", "typ": "JWT", "jwk": public_jwk_of(rsa_jwk)}
    assert payload == {
        **CREDENTIAL_V2,
        "iss": ISSUER,
        "jti": CREDENTIAL_V2["id"],
        "sub": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "nbf": 1262304000,
        "exp": 1893456000,
    }
    result = await verify_vc_jwt(token)
    assert result.valid, result.problems
    assert result.credential == CREDENTIAL_V2
    assert result.verification_method is None


async def test_es256_round_trip_with_did_jwk_kid(p256_jwk: dict[str, Any]) -> None:
    did = did_jwk_from_jwk(public_jwk_of(p256_jwk))
    credential = {**CREDENTIAL_V2, "issuer": {"id": did, "type": ["Profile"]}}
    token = sign_vc_jwt(credential, key=p256_jwk, alg="ES256", kid=f"{did}#0")
    assert decode_unverified(token)[0] == {"alg": "ES256", "typ": "JWT", "kid": f"{did}#0"}
    registry = DidResolverRegistry({"jwk": DidJwkResolver()})
    result = await verify_vc_jwt(token, resolver=registry)
    assert result.valid, result.problems
    assert result.kid == f"{did}#0"
    assert result.verification_method is not None
    assert result.verification_method.controller == did
    assert "assertionMethod" in result.verification_method.relationships


async def test_fragment_kid_resolves_against_iss(p256_jwk: dict[str, Any]) -> None:
    did = did_jwk_from_jwk(public_jwk_of(p256_jwk))
    token = sign_vc_jwt({**CREDENTIAL_V2, "issuer": did}, key=p256_jwk, alg="ES256", kid="#0")
    result = await verify_vc_jwt(token, resolver=DidResolverRegistry({"jwk": DidJwkResolver()}))
    assert result.valid, result.problems
    assert result.verification_method is not None and result.verification_method.id == f"{did}#0"


async def test_vcdm11_uses_the_vc_claim(rsa_jwk: dict[str, Any]) -> None:
    token = sign_vc_jwt(CREDENTIAL_V1, key=rsa_jwk, alg="RS256", embed_jwk=True)
    payload = decode_unverified(token)[1]
    assert payload["vc"] == CREDENTIAL_V1
    assert (payload["nbf"], payload["exp"], payload["iss"]) == (1262304000, 1893456000, ISSUER)
    result = await verify_vc_jwt(token)
    assert result.valid, result.problems
    assert result.credential == CREDENTIAL_V1


async def test_vcdm11_claims_fill_what_the_vc_claim_leaves_out(rsa_jwk: dict[str, Any]) -> None:
    vc = {key: value for key, value in CREDENTIAL_V1.items() if key not in {"id", "issuer", "issuanceDate"}}
    vc["credentialSubject"] = {"type": "Person"}
    payload = {
        "iss": ISSUER,
        "jti": "urn:uuid:1",
        "nbf": 1262304000,
        "sub": "did:example:1",
        "exp": 1893456000,
        "vc": vc,
    }
    result = await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk), payload, rsa_jwk))
    assert result.valid, result.problems
    assert result.credential is not None
    assert result.credential["issuer"] == ISSUER and result.credential["id"] == "urn:uuid:1"
    assert result.credential["issuanceDate"] == "2010-01-01T00:00:00Z"
    assert result.credential["credentialSubject"] == {"type": "Person", "id": "did:example:1"}


async def test_jwcrypto_interop(rsa_jwk: dict[str, Any], p256_jwk: dict[str, Any]) -> None:
    for private, alg in ((rsa_jwk, "RS256"), (p256_jwk, "ES256")):
        ours = sign_vc_jwt(CREDENTIAL_V2, key=private, alg=alg, embed_jwk=True)  # type: ignore[arg-type]
        parsed = jose_jws.JWS()
        parsed.deserialize(ours)
        parsed.verify(jose_jwk.JWK(**public_jwk_of(private)))
        theirs = jose_jws.JWS(json.dumps(vc_jwt_payload(CREDENTIAL_V2)).encode())
        theirs.add_signature(jose_jwk.JWK(**private), None, json.dumps(jwk_header(private, alg)))
        result = await verify_vc_jwt(theirs.serialize(compact=True))
        assert result.valid, result.problems


def jwcrypto_eddsa(credential: dict[str, Any], key: jose_jwk.JWK, **header: Any) -> str:
    token = jose_jws.JWS(json.dumps(vc_jwt_payload(credential)).encode())
    token.add_signature(key, None, json.dumps({"alg": "EdDSA", "typ": "JWT", **header}))
    return str(token.serialize(compact=True))


async def test_eddsa_from_jwcrypto_with_inline_jwk() -> None:
    key = jose_jwk.JWK.generate(kty="OKP", crv="Ed25519")
    token = jwcrypto_eddsa(CREDENTIAL_V2, key, jwk=key.export_public(as_dict=True))
    result = await verify_vc_jwt(token)
    assert result.valid, result.problems


async def test_eddsa_with_did_key_kid() -> None:
    pair = Ed25519KeyPair.generate()
    credential = {**CREDENTIAL_V2, "issuer": {"id": pair.did_key, "type": ["Profile"]}}
    token = jwcrypto_eddsa(credential, jose_jwk.JWK(**pair.private_jwk()), kid=pair.did_key_verification_method)
    result = await verify_vc_jwt(token, resolver=DidResolverRegistry({"key": DidKeyResolver()}))
    assert result.valid, result.problems
    assert result.verification_method is not None
    assert result.verification_method.public_key == pair.public_key


async def test_caller_key_lookup(rsa_jwk: dict[str, Any]) -> None:
    kid = "https://keys.example/rsa-1"
    token = sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="RS256", kid=kid)
    seen: list[Any] = []

    async def lookup(header: Any) -> VerificationMethod | None:
        seen.append(header)
        return VerificationMethod(kid, "JsonWebKey", ISSUER, None, public_jwk_of(rsa_jwk))

    result = await verify_vc_jwt(token, key_lookup=lookup)
    assert result.valid, result.problems
    assert seen[0]["kid"] == kid


# Refusals


async def test_tampered_payload_fails(rsa_jwk: dict[str, Any]) -> None:
    token = sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="RS256", embed_jwk=True)
    header, _, signature = token.split(".")
    forged = segment({**vc_jwt_payload(CREDENTIAL_V2), "name": "Forged Badge"})
    result = await verify_vc_jwt(f"{header}.{forged}.{signature}")
    assert not result.valid
    assert codes(result) == {"PROOF_VERIFICATION_ERROR"}
    assert result.credential is None and result.payload is None


async def test_es256_der_signature_is_refused(p256_jwk: dict[str, Any]) -> None:
    header = segment(jwk_header(p256_jwk, "ES256"))
    signing_input = f"{header}.{segment(vc_jwt_payload(CREDENTIAL_V2))}"
    key = load_private_jwk(p256_jwk)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    result = await verify_vc_jwt(f"{signing_input}.{b64url(der)}")
    assert codes(result) == {"PROOF_VERIFICATION_ERROR"}


@pytest.mark.parametrize("alg", ["none", "None", "HS256", "RS512", "PS256", None])
async def test_algorithms_outside_the_allowlist(alg: str | None, rsa_jwk: dict[str, Any]) -> None:
    token = raw_sign({"alg": alg, "typ": "JWT", "jwk": public_jwk_of(rsa_jwk)}, vc_jwt_payload(CREDENTIAL_V2), rsa_jwk)
    result = await verify_vc_jwt(token)
    assert "Algorithm not allowed" in titles(result)
    assert codes(result) == {"MALFORMED_PROOF_ERROR"}


async def test_unsigned_alg_none_token_is_refused_by_name() -> None:
    token = f"{segment({'alg': 'none'})}.{segment(vc_jwt_payload(CREDENTIAL_V2))}."
    assert not is_compact_jws(token)  # OB's CompactJws pattern needs a signature
    result = await verify_vc_jwt(token)
    assert not result.valid
    assert "Algorithm not allowed" in titles(result)


async def test_empty_signature_with_a_real_algorithm_fails(rsa_jwk: dict[str, Any]) -> None:
    header = {"alg": "RS256", "typ": "JWT", "jwk": public_jwk_of(rsa_jwk)}
    token = f"{segment(header)}.{segment(vc_jwt_payload(CREDENTIAL_V2))}."
    result = await verify_vc_jwt(token)
    assert not result.valid
    assert codes(result) == {"PROOF_VERIFICATION_ERROR"}


async def test_jwk_header_with_private_key_is_refused(rsa_jwk: dict[str, Any]) -> None:
    header = {"alg": "RS256", "typ": "JWT", "jwk": rsa_jwk}
    result = await verify_vc_jwt(raw_sign(header, vc_jwt_payload(CREDENTIAL_V2), rsa_jwk))
    assert codes(result) == {"INVALID_VERIFICATION_METHOD"}


@pytest.mark.parametrize(
    ("extra", "title"),
    [
        ({"cty": "vc"}, "Extra JOSE header"),
        ({"x5u": "https://example.edu/cert"}, "Extra JOSE header"),
        ({"crit": ["exp"], "exp": 1}, "Critical header"),
        ({"typ": "JOSE"}, "Bad typ"),
        ({"typ": 1}, "Bad typ"),
        ({"kid": "https://example.edu/key"}, "Key reference"),
    ],
)
async def test_header_refusals(extra: dict[str, Any], title: str, rsa_jwk: dict[str, Any]) -> None:
    result = await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk, **extra), vc_jwt_payload(CREDENTIAL_V2), rsa_jwk))
    assert title in titles(result)
    assert not result.valid


@pytest.mark.parametrize("typ", ["JWT", "jwt", "vc+jwt", "application/vc+jwt"])
async def test_accepted_types(typ: str, rsa_jwk: dict[str, Any]) -> None:
    result = await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk, typ=typ), vc_jwt_payload(CREDENTIAL_V2), rsa_jwk))
    assert result.valid, result.problems


@pytest.mark.parametrize("header", [{"alg": "RS256"}, {"alg": "RS256", "kid": ""}, {"alg": "RS256", "jwk": "x"}])
async def test_key_reference_required(header: dict[str, Any], rsa_jwk: dict[str, Any]) -> None:
    result = await verify_vc_jwt(raw_sign(header, vc_jwt_payload(CREDENTIAL_V2), rsa_jwk))
    assert titles(result) == {"Key reference"}


async def test_key_must_fit_the_algorithm(rsa_jwk: dict[str, Any], p256_jwk: dict[str, Any]) -> None:
    mixed = {"alg": "ES256", "typ": "JWT", "jwk": public_jwk_of(rsa_jwk)}
    result = await verify_vc_jwt(raw_sign(mixed, vc_jwt_payload(CREDENTIAL_V2), p256_jwk))
    assert codes(result) == {"INVALID_VERIFICATION_METHOD"}
    wrong_alg = jwk_header(rsa_jwk, jwk={**public_jwk_of(rsa_jwk), "alg": "PS256"})
    assert codes(await verify_vc_jwt(raw_sign(wrong_alg, vc_jwt_payload(CREDENTIAL_V2), rsa_jwk))) == {
        "INVALID_VERIFICATION_METHOD"
    }


async def test_rsa_1024_refused_for_signing_and_verifying() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    for key in (small, private_key_to_jwk(small)):
        with pytest.raises(WeakKey):
            sign_vc_jwt(CREDENTIAL_V2, key=key, alg="RS256", embed_jwk=True)
    header = {"alg": "RS256", "jwk": public_key_to_jwk(small.public_key())}
    result = await verify_vc_jwt(raw_sign(header, vc_jwt_payload(CREDENTIAL_V2), small))
    assert codes(result) == {"INVALID_VERIFICATION_METHOD"}


@pytest.mark.parametrize(
    ("change", "title"),
    [
        ({"iss": "https://attacker.example/"}, "iss mismatch"),
        ({"sub": "did:example:someone-else"}, "sub mismatch"),
        ({"jti": "urn:uuid:other"}, "jti mismatch"),
        ({"nbf": 1262304001}, "nbf mismatch"),
        ({"exp": 1893456001}, "exp mismatch"),
        ({"nbf": "2010-01-01T00:00:00Z"}, "nbf mismatch"),
        ({"validFrom": "2010-01-01T00:00:00"}, "nbf mismatch"),
    ],
)
async def test_claim_mismatches_are_reported(change: dict[str, Any], title: str, rsa_jwk: dict[str, Any]) -> None:
    payload = {**vc_jwt_payload(CREDENTIAL_V2), **change}
    result = await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk), payload, rsa_jwk))
    assert titles(result) == {title}
    assert codes(result) == {"MALFORMED_VALUE_ERROR"}
    assert result.credential is not None  # the signature held, so the credential is still returned


@pytest.mark.parametrize(
    ("claim", "title"), [("iss", "iss mismatch"), ("nbf", "nbf mismatch"), ("exp", "exp mismatch")]
)
async def test_missing_claims_are_reported(claim: str, title: str, rsa_jwk: dict[str, Any]) -> None:
    payload = {key: value for key, value in vc_jwt_payload(CREDENTIAL_V2).items() if key != claim}
    result = await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk), payload, rsa_jwk))
    assert titles(result) == {title}


async def test_out_of_range_dates_and_unhashable_alg(rsa_jwk: dict[str, Any]) -> None:
    vc = {key: value for key, value in CREDENTIAL_V1.items() if key != "issuanceDate"}
    payload = {**vc_jwt_payload(CREDENTIAL_V1), "nbf": 10**25, "vc": vc}
    assert titles(await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk), payload, rsa_jwk))) == {"nbf mismatch"}
    header = {**jwk_header(rsa_jwk), "alg": ["RS256"]}
    assert "Algorithm not allowed" in titles(await verify_vc_jwt(raw_sign(header, payload, rsa_jwk)))


async def test_vcdm11_mismatch_and_bad_vc_claim(rsa_jwk: dict[str, Any]) -> None:
    payload = {**vc_jwt_payload(CREDENTIAL_V1), "exp": 1893456001}
    assert titles(await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk), payload, rsa_jwk))) == {"exp mismatch"}
    payload = {**vc_jwt_payload(CREDENTIAL_V1), "vc": ["not", "an", "object"]}
    assert titles(await verify_vc_jwt(raw_sign(jwk_header(rsa_jwk), payload, rsa_jwk))) == {"Bad vc claim"}


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b.c.d",
        segment([1]) + "." + segment({}) + ".AAAA",
        "eyJhbGciOiJSUzI1NiIsImFsZyI6Im5vbmUifQ." + segment({}) + ".AAAA",  # duplicate "alg"
        segment({"alg": "RS256", "kid": "k"}) + ".e30.AAB",  # non-zero padding bits in the signature
        segment({"alg": "RS256", "kid": "k"}) + ".e30.A",  # a length no base64url string has
        segment({"alg": "RS256", "kid": "k"}) + "." + b64url(b"\xff\xfe") + ".AAAA",  # payload not UTF-8
        segment({"alg": "RS256", "kid": "k"}) + "." + b64url(b'{"a": NaN}') + ".AAAA",
        segment({"alg": "RS256", "kid": "k"}) + "." + b64url(b"[" * 5000) + ".AAAA",
        "////.e30.AAAA",
    ],
)
async def test_malformed_tokens_are_parsing_errors(token: str) -> None:
    result = await verify_vc_jwt(token)
    assert codes(result) == {"PARSING_ERROR"}
    assert result.credential is None


async def test_empty_header_reports_every_header_problem() -> None:
    result = await verify_vc_jwt("e30.e30.AAAA")
    assert titles(result) == {"Algorithm not allowed", "Key reference"}


async def test_resolution_failures_are_reported_with_transience(rsa_jwk: dict[str, Any]) -> None:
    class Failing:
        def __init__(self, error: Exception) -> None:
            self.error = error

        async def dereference_verification_method(self, url: str) -> VerificationMethod:
            raise self.error

    token = sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="RS256", kid="did:web:example.edu#key-1")
    transient = await verify_vc_jwt(token, resolver=Failing(ResolutionFailed("down", reason="TIMEOUT", transient=True)))
    assert codes(transient) == {"INVALID_VERIFICATION_METHOD"} and transient.indeterminate
    registry = default_registry(None)  # type: ignore[arg-type]
    missing = await verify_vc_jwt(
        sign_vc_jwt(
            CREDENTIAL_V2, key=rsa_jwk, alg="RS256", kid="did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#x"
        ),
        resolver=registry,
    )
    assert codes(missing) == {"INVALID_VERIFICATION_METHOD"} and not missing.indeterminate
    unresolvable = await verify_vc_jwt(token)
    assert codes(unresolvable) == {"INVALID_VERIFICATION_METHOD"}


async def test_did_key_kid_with_rs256_is_refused(rsa_jwk: dict[str, Any]) -> None:
    pair = Ed25519KeyPair.generate()
    token = sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="RS256", kid=pair.did_key_verification_method)
    result = await verify_vc_jwt(token, resolver=DidResolverRegistry({"key": DidKeyResolver()}))
    assert codes(result) == {"INVALID_VERIFICATION_METHOD"}


# Signing errors


def test_signing_refusals(rsa_jwk: dict[str, Any], p256_jwk: dict[str, Any]) -> None:
    with pytest.raises(JwtSigningError):
        sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="RS256", kid="k", embed_jwk=True)
    with pytest.raises(JwtSigningError):
        sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="RS256")
    with pytest.raises(JwtSigningError):
        sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="EdDSA", embed_jwk=True)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedKeyType):
        sign_vc_jwt(CREDENTIAL_V2, key=rsa_jwk, alg="ES256", embed_jwk=True)
    for credential in (
        {**CREDENTIAL_V2, "issuer": {"name": "no id"}},
        {**CREDENTIAL_V2, "iss": ISSUER},
        {**CREDENTIAL_V2, "validFrom": "2010-01-01"},
        {**CREDENTIAL_V2, "@context": ["https://example.org/context"]},
    ):
        with pytest.raises(JwtSigningError) as caught:
            sign_vc_jwt(credential, key=p256_jwk, alg="ES256", embed_jwk=True)
        assert caught.value.code == "PROOF_GENERATION_ERROR"


def test_signing_accepts_a_cryptography_key(p256_jwk: dict[str, Any]) -> None:
    key = load_private_jwk(p256_jwk)
    token = sign_vc_jwt(CREDENTIAL_V2, key=key, alg="ES256", embed_jwk=True)
    assert decode_unverified(token)[0]["jwk"] == public_jwk_of(p256_jwk)


# Parsing helpers


def test_is_compact_jws() -> None:
    assert is_compact_jws("a.b.c") and is_compact_jws("a..c")
    assert not is_compact_jws("a.b.") and not is_compact_jws('{"a": 1}') and not is_compact_jws("a.b.c\n")


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c", segment([1]) + "." + segment({}) + ".AA"])
def test_decode_unverified_refuses_junk(token: str) -> None:
    with pytest.raises(MalformedJwt) as caught:
        decode_unverified(token)
    assert caught.value.code == "PARSING_ERROR"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=."), max_size=4))
async def test_verification_never_raises(parts: list[str]) -> None:
    result = await verify_vc_jwt(".".join(parts))
    assert not result.valid


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
HEADER_OR_CLAIM = st.sampled_from(["alg", "typ", "kid", "jwk", "crit", "iss", "sub", "jti", "nbf", "exp", "vc"])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(HEADER_OR_CLAIM | st.text(max_size=4), JSON, max_size=5))
async def test_arbitrary_json_headers_never_raise(header: dict[str, Any]) -> None:
    result = await verify_vc_jwt(f"{segment(header)}.{segment({'iss': 'x'})}.AAAA")
    assert not result.valid


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(HEADER_OR_CLAIM, JSON | st.integers(min_value=10**20, max_value=10**30), max_size=6),
    st.sampled_from([CREDENTIAL_V1, CREDENTIAL_V2]),
)
async def test_arbitrary_signed_claims_never_raise(claims: dict[str, Any], credential: dict[str, Any]) -> None:
    private = property_key()
    payload = {**vc_jwt_payload(credential), **claims}
    result = await verify_vc_jwt(raw_sign(jwk_header(private, "ES256"), payload, private))
    assert result.credential is not None or not result.valid
