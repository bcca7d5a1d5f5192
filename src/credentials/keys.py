"""Controlled Identifiers 1.0 §2.2.2 Multikey and VC-DI-EdDSA §2.1.1: Ed25519 keys as Multikey, did:key and JWK.

Public keys are `z` + base58btc(0xed 0x01 || 32 bytes) (`z6Mk...`); secret keys are `z` + base58btc(0x80 0x26 ||
32-byte seed) (`z3u2...`). Any other multicodec prefix or length is refused.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
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
    seed: bytes | None = None

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
