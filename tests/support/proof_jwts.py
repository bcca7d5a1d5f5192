"""Make OpenID4VCI 1.0 Appendix F.1 key proof JWTs for tests, in the shapes real wallets send (WALLETS.md §2.8).

`proof_jwt` signs any header and payload (even nonsense ones) with an Ed25519 or P-256 key, or with an HMAC
secret, or not at all (`alg: none`), so the verifier's refusals can be exercised.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.keys import Ed25519KeyPair, b64url, base58btc_encode

AUDIENCE = "https://credstack.example.edu"
HOLDER_SEED = bytes([0x07]) * 32

SigningKey = Ed25519KeyPair | ec.EllipticCurvePrivateKey | bytes | None
"""Ed25519 (EdDSA), P-256 (ES256), an HMAC secret (HS256), or None for an unsigned (`alg: none`) token."""


def _segment(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _sign(key: SigningKey, signing_input: bytes) -> bytes:
    if key is None:
        return b""
    if isinstance(key, bytes):
        return hmac.new(key, signing_input, hashlib.sha256).digest()
    if isinstance(key, Ed25519KeyPair):
        return key.sign(signing_input)
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def proof_jwt(header: Mapping[str, Any], payload: Mapping[str, Any], key: SigningKey) -> str:
    """RFC 7515 §7.1 compact serialization of `payload` signed with `key` under `header` (taken as given)."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    return f"{signing_input}.{b64url(_sign(key, signing_input.encode('ascii')))}"


def did_key_p256(key: ec.EllipticCurvePrivateKey) -> str:
    """did:key for a P-256 key: `z` + base58btc(0x80 0x24 || compressed point), the `zDn…` form."""
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return "did:key:z" + base58btc_encode(b"\x80\x24" + point)


def kid_of(did: str) -> str:
    """The verification method URL of a did:key (`did#<multibase>`) or did:jwk (`did#0`)."""
    return f"{did}#0" if did.startswith("did:jwk:") else f"{did}#{did.removeprefix('did:key:')}"


def conformant_proof(key: Ed25519KeyPair, *, nonce: str, now: datetime, audience: str = AUDIENCE, **claims: Any) -> str:
    """@openid4vc / Sphereon shape: typ, kid = did:key URL; payload aud, iat, nonce (plus `claims`)."""
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "kid": key.did_key_verification_method}
    payload = {"aud": audience, "iat": int(now.timestamp()), "nonce": nonce, **claims}
    return proof_jwt(header, payload, key)


def digital_bazaar_proof(key: Ed25519KeyPair, *, nonce: str, now: datetime, audience: str = AUDIENCE) -> str:
    """Digital Bazaar 5.10 shape: no typ, no iat; iss = holder DID, nbf = now, exp = now + 5 minutes."""
    header = {"alg": "EdDSA", "kid": key.did_key_verification_method}
    moment = int(now.timestamp())
    payload = {"nonce": nonce, "iss": key.did_key, "aud": audience, "exp": moment + 300, "nbf": moment}
    return proof_jwt(header, payload, key)


def holder_key(seed: bytes = HOLDER_SEED) -> Ed25519KeyPair:
    return Ed25519KeyPair.from_seed(seed)
