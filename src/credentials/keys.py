"""Controlled Identifiers 1.0 §2.2.2 Multikey and VC-DI-EdDSA §2.1.1: Ed25519 keys as Multikey, did:key and JWK.

Public keys are `z` + base58btc(0xed 0x01 || 32 bytes) (`z6Mk...`); secret keys are `z` + base58btc(0x80 0x26 ||
32-byte seed) (`z3u2...`). Any other multicodec prefix or length is refused.

RFC 7517/7518/8037 JWKs for VC-JWT: RSA (2048 to 16384 bits), P-256 and Ed25519 keys to and from JWKs, RFC 7638
thumbprints, and the public/private member split that JOSE headers and did:jwk rely on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}


class KeyMaterialError(ValueError):
    """Key material that cannot be used; `code` follows the CID 1.0 error names."""

    code = "INVALID_VERIFICATION_METHOD"


class InvalidMultibase(KeyMaterialError):
    code = "MALFORMED_VALUE_ERROR"


class UnsupportedKeyType(KeyMaterialError):
    code = "INVALID_VERIFICATION_METHOD"


def base58btc_encode(data: bytes) -> str:
    """Multibase base58btc (Bitcoin alphabet) without the `z` prefix."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_B58_ALPHABET[rem])
    return "1" * zeros + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    """Inverse of base58btc_encode; refuses characters outside the alphabet."""
    number = 0
    for char in text:
        index = _B58_INDEX.get(char)
        if index is None:
            raise InvalidMultibase(f"{char!r} is not a base58btc character")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_decode_z(value: str) -> bytes:
    """Multibase §2: a `z`-prefixed base58btc string to bytes; any other base is refused."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise InvalidMultibase("expected a multibase base58btc value starting with 'z'")
    return base58btc_decode(value[1:])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise InvalidMultibase("invalid base64url") from exc


def decode_public_key_multibase(value: str) -> bytes:
    """CID 1.0 §2.2.2: the 32 raw Ed25519 public key bytes of a `z6Mk...` Multikey value."""
    raw = multibase_decode_z(value)
    if raw[:2] != ED25519_PUB_PREFIX:
        raise UnsupportedKeyType("publicKeyMultibase is not an Ed25519 key (multicodec 0xed01)")
    if len(raw) != 34:
        raise UnsupportedKeyType("an Ed25519 publicKeyMultibase must hold exactly 32 key bytes")
    return raw[2:]


def encode_public_key_multibase(public_key: bytes) -> str:
    return "z" + base58btc_encode(ED25519_PUB_PREFIX + public_key)


def decode_secret_key_multibase(value: str) -> bytes:
    """CID 1.0 §2.2.2: the 32-byte Ed25519 seed of a `z3u2...` secretKeyMultibase (multicodec 0x1300)."""
    raw = multibase_decode_z(value)
    if raw[:2] != ED25519_PRIV_PREFIX or len(raw) != 34:
        raise UnsupportedKeyType("secretKeyMultibase must be 0x8026 followed by a 32-byte Ed25519 seed")
    return raw[2:]


class Signer(Protocol):
    """What a cryptosuite needs to sign: the key's verification method URL and raw signing."""

    @property
    def verification_method(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Ed25519KeyPair:
    """An Ed25519 key pair; `seed` is None for a public-only key."""

    public_key: bytes
    seed: bytes | None = field(default=None, repr=False)  # never in logs or tracebacks

    @classmethod
    def generate(cls) -> Ed25519KeyPair:
        return cls.from_seed(os.urandom(32))

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519KeyPair:
        if len(seed) != 32:
            raise UnsupportedKeyType("an Ed25519 seed is 32 bytes")
        private = Ed25519PrivateKey.from_private_bytes(seed)
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(public, seed)

    @classmethod
    def from_secret_key_multibase(cls, value: str) -> Ed25519KeyPair:
        return cls.from_seed(decode_secret_key_multibase(value))

    @classmethod
    def from_public_key_multibase(cls, value: str) -> Ed25519KeyPair:
        return cls(decode_public_key_multibase(value))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> Ed25519KeyPair:
        """RFC 8037 §2: an OKP Ed25519 JWK, public (`x`) or private (`d` as the seed, which must match `x`)."""
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise UnsupportedKeyType("an Ed25519 JWK has kty 'OKP' and crv 'Ed25519'")
        public = _b64url_fixed(jwk, "x", 32)
        if "d" not in jwk:
            return cls(public)
        pair = cls.from_seed(_b64url_fixed(jwk, "d", 32))
        if pair.public_key != public:
            raise InvalidJwk("the JWK's 'd' does not belong to its 'x'")
        return pair

    @property
    def public_key_multibase(self) -> str:
        return encode_public_key_multibase(self.public_key)

    @property
    def secret_key_multibase(self) -> str:
        if self.seed is None:
            raise UnsupportedKeyType("this key pair has no secret key")
        return "z" + base58btc_encode(ED25519_PRIV_PREFIX + self.seed)

    @property
    def did_key(self) -> str:
        """did:key §3.1.1 for Ed25519: the DID is `did:key:` + publicKeyMultibase."""
        return "did:key:" + self.public_key_multibase

    @property
    def did_key_verification_method(self) -> str:
        return f"{self.did_key}#{self.public_key_multibase}"

    def sign(self, data: bytes) -> bytes:
        """RFC 8032 §5.1.6 pure Ed25519 signature."""
        if self.seed is None:
            raise UnsupportedKeyType("this key pair has no secret key")
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(data)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """RFC 8032 §5.1.7; False for a wrong signature, never an exception."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def public_jwk(self) -> dict[str, Any]:
        """RFC 8037 §2: OKP JWK for the public key."""
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(self.public_key)}

    def private_jwk(self) -> dict[str, Any]:
        if self.seed is None:
            raise UnsupportedKeyType("this key pair has no secret key")
        return {**self.public_jwk(), "d": b64url(self.seed)}

    def signer(self, verification_method: str | None = None) -> Ed25519Signer:
        return Ed25519Signer(self, verification_method or self.did_key_verification_method)


@dataclass(frozen=True, slots=True)
class Ed25519Signer:
    """A Signer over an Ed25519 key pair, bound to one verification method URL."""

    key: Ed25519KeyPair
    verification_method: str
    algorithm: str = "Ed25519"

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """CID 1.0 §2.2: a dereferenced verification method with its raw Ed25519 key or its JWK."""

    id: str
    type: str
    controller: str
    public_key: bytes | None = None
    public_key_jwk: dict[str, Any] | None = None
    # Which verification relationships of the controller's document list this method (CID 1.0 §2.3), so the
    # proof-purpose check can run without a second resolution.
    relationships: frozenset[str] = frozenset()


# RFC 7517/7518/8037 JSON Web Keys for VC-JWT. Conversion is written against `cryptography` directly, not
# jwcrypto, so every member is checked here (exact coordinate lengths, key sizes) and the types stay precise.

PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
MIN_RSA_BITS = 2048
# Bounds the work an untrusted `jwk` or key document can cause; no deployed issuer uses more.
MAX_RSA_BITS = 16384
_MAX_RSA_EXPONENT_BITS = 256
# RFC 7638 §3.2: the members a thumbprint hashes, per key type.
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
JWK_THUMBPRINT_URI_PREFIX = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"

JwtPublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | Ed25519PublicKey
JwtPrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class InvalidJwk(KeyMaterialError):
    """A JWK that is not well formed: missing or badly encoded members, or an inconsistent private key."""

    code = "MALFORMED_VALUE_ERROR"


class PrivateKeyMaterial(KeyMaterialError):
    """A JWK that must be public (JOSE `jwk` header, did:jwk, publicKeyJwk) carries private members."""

    code = "INVALID_VERIFICATION_METHOD"


class WeakKey(KeyMaterialError):
    """An RSA key outside MIN_RSA_BITS..MAX_RSA_BITS (1EdTech SEC-11 §6.1 sets the 2048-bit floor)."""

    code = "INVALID_VERIFICATION_METHOD"


def _b64url_strict(text: Any, name: str) -> bytes:
    """RFC 7515 §2 base64url without padding; non-canonical encodings are refused so a key has one spelling."""
    if not isinstance(text, str) or not text or len(text) % 4 == 1:
        raise InvalidJwk(f"JWK member {name!r} must be a non-empty base64url string")
    if text.strip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"):
        raise InvalidJwk(f"JWK member {name!r} is not base64url")
    raw = b64url_decode(text)
    if b64url(raw) != text:
        raise InvalidJwk(f"JWK member {name!r} is not canonical base64url")
    return raw


def _b64url_fixed(jwk: Mapping[str, Any], name: str, size: int) -> bytes:
    raw = _b64url_strict(jwk.get(name), name)
    if len(raw) != size:
        raise InvalidJwk(f"JWK member {name!r} must decode to {size} bytes")
    return raw


def _b64url_uint(jwk: Mapping[str, Any], name: str) -> int:
    return int.from_bytes(_b64url_strict(jwk.get(name), name), "big")


def _uint_b64url(value: int, size: int | None = None) -> str:
    length = size if size is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(length, "big"))


def check_public_jwk(jwk: Any) -> dict[str, Any]:
    """RFC 7517 §4: a JWK object with a `kty` and none of the private members (RFC 7518 §6.2.2, §6.3.2, §6.4)."""
    if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kty"), str):
        raise InvalidJwk("a JWK is a JSON object with a string 'kty'")
    private = sorted(PRIVATE_JWK_MEMBERS.intersection(jwk))
    if private:
        raise PrivateKeyMaterial(f"a public JWK must not contain private members {private}")
    return dict(jwk)


def _check_rsa_size(bits: int) -> None:
    if not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
        raise WeakKey(f"RSA keys must have {MIN_RSA_BITS} to {MAX_RSA_BITS} bits, not {bits}")


def _rsa_public_numbers(jwk: Mapping[str, Any]) -> rsa.RSAPublicNumbers:
    n, e = _b64url_uint(jwk, "n"), _b64url_uint(jwk, "e")
    _check_rsa_size(n.bit_length())
    if e < 3 or e % 2 == 0 or e.bit_length() > _MAX_RSA_EXPONENT_BITS:
        raise InvalidJwk("the RSA public exponent must be odd, at least 3 and at most 256 bits")
    return rsa.RSAPublicNumbers(e, n)


def _p256_public_numbers(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicNumbers:
    if jwk.get("crv") != "P-256":
        raise UnsupportedKeyType("only the P-256 curve is supported for EC keys (ES256)")
    x = int.from_bytes(_b64url_fixed(jwk, "x", 32), "big")
    y = int.from_bytes(_b64url_fixed(jwk, "y", 32), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1())


def load_public_jwk(jwk: Any) -> JwtPublicKey:
    """RFC 7518 §6.2/§6.3 and RFC 8037 §2: a public RSA, P-256 or Ed25519 JWK as a `cryptography` key."""
    public = check_public_jwk(jwk)
    kty = public["kty"]
    try:
        if kty == "RSA":
            return _rsa_public_numbers(public).public_key()
        if kty == "EC":
            return _p256_public_numbers(public).public_key()
    except ValueError as exc:
        if isinstance(exc, KeyMaterialError):
            raise
        raise InvalidJwk(f"the {kty} JWK is not a valid public key: {exc}") from exc
    if kty == "OKP":
        return Ed25519PublicKey.from_public_bytes(Ed25519KeyPair.from_jwk(public).public_key)
    raise UnsupportedKeyType(f"unsupported JWK key type {kty!r}")


def _rsa_private_key(jwk: Mapping[str, Any]) -> rsa.RSAPrivateKey:
    public = _rsa_public_numbers(jwk)
    d = _b64url_uint(jwk, "d")
    if "p" in jwk:
        p, q = _b64url_uint(jwk, "p"), _b64url_uint(jwk, "q")
        dmp1, dmq1, iqmp = _b64url_uint(jwk, "dp"), _b64url_uint(jwk, "dq"), _b64url_uint(jwk, "qi")
    else:
        # RFC 7518 §6.3.2: the CRT members are optional; recover them from n, e and d.
        p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
        dmp1, dmq1, iqmp = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
    return rsa.RSAPrivateNumbers(p, q, d, dmp1, dmq1, iqmp, public).private_key()


def load_private_jwk(jwk: Any) -> JwtPrivateKey:
    """RFC 7518 §6.2.2/§6.3.2: a private RSA or P-256 JWK (the VC-JWT signing keys) as a `cryptography` key."""
    if not isinstance(jwk, Mapping) or "d" not in jwk:
        raise InvalidJwk("a private JWK is a JSON object with a 'd' member")
    kty = jwk.get("kty")
    try:
        if kty == "RSA":
            return _rsa_private_key(jwk)
        if kty == "EC":
            d = int.from_bytes(_b64url_fixed(jwk, "d", 32), "big")
            return ec.EllipticCurvePrivateNumbers(d, _p256_public_numbers(jwk)).private_key()
    except ValueError as exc:
        if isinstance(exc, KeyMaterialError):
            raise
        raise InvalidJwk(f"the {kty} JWK is not a valid private key: {exc}") from exc
    raise UnsupportedKeyType(f"unsupported private JWK key type {kty!r} (VC-JWT signs with RSA or P-256)")


def public_key_to_jwk(key: JwtPublicKey) -> dict[str, Any]:
    """RFC 7518 §6.2.1/§6.3.1 and RFC 8037 §2: the public JWK of a `cryptography` key (required members only)."""
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"kty": "RSA", "n": _uint_b64url(numbers.n), "e": _uint_b64url(numbers.e)}
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise UnsupportedKeyType("only P-256 EC keys are supported")
        point = key.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _uint_b64url(point.x, 32), "y": _uint_b64url(point.y, 32)}
    return Ed25519KeyPair(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).public_jwk()


def private_key_to_jwk(key: JwtPrivateKey) -> dict[str, Any]:
    """RFC 7518 §6.2.2/§6.3.2: the private JWK (public members plus `d`, and the CRT members for RSA)."""
    jwk = public_key_to_jwk(key.public_key())
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        members = {"d": n.d, "p": n.p, "q": n.q, "dp": n.dmp1, "dq": n.dmq1, "qi": n.iqmp}
        return {**jwk, **{name: _uint_b64url(value) for name, value in members.items()}}
    return {**jwk, "d": _uint_b64url(key.private_numbers().private_value, 32)}


def generate_rsa_jwk(bits: int = MIN_RSA_BITS) -> dict[str, Any]:
    """RFC 7518 §3.3 (RS256): a new private RSA JWK; fewer than 2048 bits is refused (SEC-11 §6.1)."""
    _check_rsa_size(bits)
    return private_key_to_jwk(rsa.generate_private_key(public_exponent=65537, key_size=bits))


def generate_p256_jwk() -> dict[str, Any]:
    """RFC 7518 §3.4 (ES256): a new private P-256 JWK."""
    return private_key_to_jwk(ec.generate_private_key(ec.SECP256R1()))


def public_jwk_of(jwk: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7517 §4: the public part of a (private or public) JWK: its RFC 7638 required members only."""
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise UnsupportedKeyType(f"unsupported JWK key type {kty!r}")
    missing = [name for name in members if name not in jwk]
    if missing:
        raise InvalidJwk(f"the {kty} JWK lacks {missing}")
    return {name: jwk[name] for name in members}


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 §3: base64url(SHA-256(required members, sorted, no whitespace))."""
    canonical = json.dumps(public_jwk_of(jwk), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def jwk_thumbprint_uri(jwk: Mapping[str, Any]) -> str:
    """RFC 9278 §3: the JWK thumbprint URI (what VC-JOSE-COSE suggests as a `kid`)."""
    return JWK_THUMBPRINT_URI_PREFIX + jwk_thumbprint(jwk)


def jwk_to_verification_method(
    jwk: Any,
    *,
    id: str,
    controller: str,
    type: str = "JsonWebKey2020",
    relationships: frozenset[str] = frozenset(),
) -> VerificationMethod:
    """CID 1.0 §2.2.3 JsonWebKey: a verification method over a public JWK; Ed25519 keys also get raw bytes."""
    public = check_public_jwk(jwk)
    key = load_public_jwk(public)
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw) if isinstance(key, Ed25519PublicKey) else None
    return VerificationMethod(id, type, controller, raw, public, relationships)
