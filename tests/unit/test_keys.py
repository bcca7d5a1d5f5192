"""RFC 7517/7518/7638/8037 JWK handling in credentials.keys: published vectors first, then round trips."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from credentials.keys import (
    JWK_THUMBPRINT_URI_PREFIX,
    PRIVATE_JWK_MEMBERS,
    Ed25519KeyPair,
    InvalidJwk,
    KeyMaterialError,
    PrivateKeyMaterial,
    UnsupportedKeyType,
    VerificationMethod,
    WeakKey,
    b64url,
    check_public_jwk,
    generate_p256_jwk,
    generate_rsa_jwk,
    jwk_thumbprint,
    jwk_thumbprint_uri,
    jwk_to_verification_method,
    load_private_jwk,
    load_public_jwk,
    private_key_to_jwk,
    public_jwk_of,
    public_key_to_jwk,
)

# RFC 7638 §3.1: the example RSA key and its thumbprint.
RFC7638_RSA = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3"
    "oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHz"
    "u6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8a"
    "wapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
# RFC 8037 Appendix A.1-A.3: the Ed25519 example key and its thumbprint.
RFC8037_PRIVATE = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.fixture(scope="module")
def rsa_jwk() -> dict[str, object]:
    return generate_rsa_jwk()


def test_rfc7638_rsa_thumbprint() -> None:
    assert jwk_thumbprint(RFC7638_RSA) == RFC7638_THUMBPRINT
    assert jwk_thumbprint_uri(RFC7638_RSA) == JWK_THUMBPRINT_URI_PREFIX + RFC7638_THUMBPRINT


def test_rfc8037_ed25519_key_and_thumbprint() -> None:
    pair = Ed25519KeyPair.from_jwk(RFC8037_PRIVATE)
    assert pair.public_jwk() == public_jwk_of(RFC8037_PRIVATE)
    assert pair.private_jwk() == RFC8037_PRIVATE
    assert jwk_thumbprint(RFC8037_PRIVATE) == RFC8037_THUMBPRINT


def test_rfc7638_key_loads_as_rsa_2048() -> None:
    key = load_public_jwk(RFC7638_RSA)
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size == 2048
    assert public_key_to_jwk(key) == {"kty": "RSA", "n": RFC7638_RSA["n"], "e": "AQAB"}


def test_rsa_private_jwk_round_trip(rsa_jwk: dict[str, object]) -> None:
    key = load_private_jwk(rsa_jwk)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 2048
    assert private_key_to_jwk(key) == rsa_jwk
    assert set(public_jwk_of(rsa_jwk)) == {"kty", "n", "e"}


def test_rsa_private_jwk_without_crt_members_is_recovered(rsa_jwk: dict[str, object]) -> None:
    minimal = {name: rsa_jwk[name] for name in ("kty", "n", "e", "d")}
    key = load_private_jwk(minimal)
    assert private_key_to_jwk(key) == rsa_jwk


def test_rsa_below_2048_bits_is_refused() -> None:
    with pytest.raises(WeakKey):
        generate_rsa_jwk(1024)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(WeakKey) as caught:
        load_public_jwk(public_key_to_jwk(small.public_key()))
    assert caught.value.code == "INVALID_VERIFICATION_METHOD"


def test_p256_round_trip_and_signature() -> None:
    jwk = generate_p256_jwk()
    private = load_private_jwk(jwk)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert private_key_to_jwk(private) == jwk
    public = load_public_jwk(public_jwk_of(jwk))
    assert isinstance(public, ec.EllipticCurvePublicKey)
    signature = private.sign(b"data", ec.ECDSA(hashes.SHA256()))
    public.verify(signature, b"data", ec.ECDSA(hashes.SHA256()))


def test_p256_members_are_checked() -> None:
    public = public_jwk_of(generate_p256_jwk())
    with pytest.raises(UnsupportedKeyType):
        load_public_jwk({**public, "crv": "P-384"})
    with pytest.raises(InvalidJwk):
        load_public_jwk({**public, "x": b64url(bytes(31))})
    with pytest.raises(InvalidJwk):  # (1, 1) is not on the curve
        load_public_jwk({**public, "x": b64url(bytes(31) + b"\1"), "y": b64url(bytes(31) + b"\1")})


def test_mismatched_private_members_are_refused(rsa_jwk: dict[str, object]) -> None:
    other = generate_p256_jwk()
    with pytest.raises(InvalidJwk):
        load_private_jwk({**generate_p256_jwk(), "d": other["d"]})
    with pytest.raises(InvalidJwk):
        Ed25519KeyPair.from_jwk({**RFC8037_PRIVATE, "x": Ed25519KeyPair.generate().public_jwk()["x"]})


def test_non_canonical_base64url_is_refused() -> None:
    # "11qY...URo" ends in 'o'; 'p' encodes the same bytes with non-zero padding bits.
    x = RFC8037_PRIVATE["x"]
    with pytest.raises(InvalidJwk):
        load_public_jwk({"kty": "OKP", "crv": "Ed25519", "x": x[:-1] + "p"})
    with pytest.raises(InvalidJwk):
        load_public_jwk({"kty": "OKP", "crv": "Ed25519", "x": x + "="})


@pytest.mark.parametrize("member", sorted(PRIVATE_JWK_MEMBERS))
def test_public_jwk_with_private_member_is_refused(member: str) -> None:
    with pytest.raises(PrivateKeyMaterial):
        check_public_jwk({"kty": "EC", "crv": "P-256", "x": "a", "y": "b", member: "secret"})


@pytest.mark.parametrize("jwk", [None, [], {"kty": 1}, {"crv": "P-256"}])
def test_not_a_jwk(jwk: object) -> None:
    with pytest.raises(InvalidJwk):
        check_public_jwk(jwk)


def test_unsupported_key_types() -> None:
    with pytest.raises(UnsupportedKeyType):
        load_public_jwk({"kty": "oct-ish"})
    with pytest.raises(UnsupportedKeyType):
        load_private_jwk(RFC8037_PRIVATE)  # VC-JWT signs with RSA or P-256 only
    with pytest.raises(KeyMaterialError):
        public_jwk_of({"kty": "RSA", "n": "AQAB"})


def test_jwk_to_verification_method_keeps_raw_ed25519_bytes() -> None:
    public = public_jwk_of(RFC8037_PRIVATE)
    method = jwk_to_verification_method(
        public, id="did:example:1#k", controller="did:example:1", relationships=frozenset({"assertionMethod"})
    )
    assert method == VerificationMethod(
        "did:example:1#k",
        "JsonWebKey2020",
        "did:example:1",
        Ed25519KeyPair.from_jwk(RFC8037_PRIVATE).public_key,
        public,
        frozenset({"assertionMethod"}),
    )
    with pytest.raises(PrivateKeyMaterial):
        jwk_to_verification_method(RFC8037_PRIVATE, id="x#k", controller="x")


def test_rsa_jwk_signs_with_pkcs1(rsa_jwk: dict[str, object]) -> None:
    private = load_private_jwk(rsa_jwk)
    assert isinstance(private, rsa.RSAPrivateKey)
    public = load_public_jwk(public_jwk_of(rsa_jwk))
    assert isinstance(public, rsa.RSAPublicKey)
    signature = private.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    public.verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())


def test_verification_method_relationships_default_to_empty() -> None:
    assert VerificationMethod("a#b", "Multikey", "a").relationships == frozenset()


def test_key_pair_repr_never_shows_the_seed() -> None:
    seed = bytes(range(32))
    key = Ed25519KeyPair.from_seed(seed)
    text = repr(key) + str(key)
    assert seed.hex() not in text and repr(seed) not in text
