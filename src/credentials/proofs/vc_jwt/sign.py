"""OB 3.0 §8.2 (Create the Proof): sign a credential as a VC-JWT with RS256 or ES256, or with EdDSA (RFC 8037)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from credentials.keys import (
    MIN_RSA_BITS,
    JwtPrivateKey,
    Signer,
    UnsupportedKeyType,
    WeakKey,
    b64url,
    load_private_jwk,
    public_key_to_jwk,
)
from credentials.proofs.vc_jwt.claims import vc_jwt_payload
from credentials.proofs.vc_jwt.errors import JwtSigningError

SigningAlgorithm = Literal["RS256", "ES256"]
SIGNING_ALGORITHMS = frozenset({"RS256", "ES256"})


def _signing_key(key: Mapping[str, Any] | JwtPrivateKey, alg: str) -> JwtPrivateKey:
    """RFC 7518 §3.3/§3.4: RS256 needs RSA of at least 2048 bits (SEC-11 §6.1), ES256 a P-256 key."""
    private = load_private_jwk(key) if isinstance(key, Mapping) else key
    if alg == "RS256" and isinstance(private, rsa.RSAPrivateKey):
        if private.key_size < MIN_RSA_BITS:
            raise WeakKey(f"RS256 keys must have at least {MIN_RSA_BITS} bits, not {private.key_size}")
        return private
    if alg == "ES256" and isinstance(private, ec.EllipticCurvePrivateKey) and isinstance(private.curve, ec.SECP256R1):
        return private
    raise UnsupportedKeyType(f"the key does not fit alg {alg!r}")


def _segment(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def sign_vc_jwt(
    credential: Mapping[str, Any],
    *,
    key: Mapping[str, Any] | JwtPrivateKey,
    alg: SigningAlgorithm,
    kid: str | None = None,
    embed_jwk: bool = False,
) -> str:
    """OB 3.0 §8.2 (Create the Proof): a compact JWS with header {alg, typ: "JWT", kid | jwk} and no other."""
    if alg not in SIGNING_ALGORITHMS:
        raise JwtSigningError(f"VC-JWTs are signed with RS256 or ES256, not {alg!r}")
    if (kid is not None) == embed_jwk:
        raise JwtSigningError("give exactly one of kid and embed_jwk=True")
    private = _signing_key(key, alg)
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    header |= {"kid": kid} if kid is not None else {"jwk": public_key_to_jwk(private.public_key())}
    signing_input = f"{_segment(header)}.{_segment(vc_jwt_payload(credential))}"
    data = signing_input.encode("ascii")
    if isinstance(private, rsa.RSAPrivateKey):
        signature = private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input}.{b64url(signature)}"


def sign_vc_jwt_eddsa(credential: Mapping[str, Any], *, signer: Signer) -> str:
    """OB 3.0 §8.2 (Create the Proof) with RFC 8037 §3.1 EdDSA: header {alg: "EdDSA", typ: "JWT", kid}.

    `kid` is the signer's verification method URL. OB 3.0 §8.2 names RS256 as the algorithm every implementation
    must support, and the 1EdTech validator accepts only RS256 and ES256: an EdDSA VC-JWT verifies with verifiers
    that implement RFC 8037 (Credstack's own, for one), not with that validator. It exists for issuers whose only
    keys are Ed25519.
    """
    if signer.algorithm != "Ed25519":
        raise JwtSigningError(f"EdDSA VC-JWTs are signed with an Ed25519 key, not {signer.algorithm!r}")
    header = {"alg": "EdDSA", "typ": "JWT", "kid": signer.verification_method}
    signing_input = f"{_segment(header)}.{_segment(vc_jwt_payload(credential))}"
    return f"{signing_input}.{b64url(signer.sign(signing_input.encode('ascii')))}"
