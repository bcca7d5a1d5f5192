"""OB 3.0 §8.2 (Verify): the public key a VC-JWT names, from its `jwk` header or by dereferencing its `kid`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.did.resolver import DidResolutionError
from credentials.keys import (
    MIN_RSA_BITS,
    JwtPublicKey,
    KeyMaterialError,
    VerificationMethod,
    check_public_jwk,
    load_public_jwk,
)
from credentials.problems import INVALID_VERIFICATION_METHOD, Problem
from credentials.proofs.vc_jwt.errors import _Rejected
from credentials.proofs.vc_jwt.jose import _Parsed

KeyLookup = Callable[[Mapping[str, Any]], Awaitable[VerificationMethod | None]]
"""Caller-supplied key lookup from the JOSE header; None lets the resolver try."""


class MethodDereferencer(Protocol):
    """What VC-JWT needs from the DID layer (DidResolverRegistry provides it)."""

    async def dereference_verification_method(self, url: str) -> VerificationMethod: ...


def _method_problem(detail: str, *, indeterminate: bool = False) -> _Rejected:
    return _Rejected(Problem(INVALID_VERIFICATION_METHOD, "Unusable key", detail), indeterminate=indeterminate)


def _kid_url(kid: str, issuer: Any) -> str:
    # A fragment-only kid ("#0", "#key-1") names a key of the issuer, as did:jwk issuers write it.
    return issuer + kid if kid.startswith("#") and isinstance(issuer, str) else kid


async def _dereference_kid(
    parsed: _Parsed, resolver: MethodDereferencer | None, key_lookup: KeyLookup | None
) -> VerificationMethod:
    """OB 3.0 §8.2 (Verify): the key a `kid` dereferences to, through the caller's lookup, then the resolver."""
    try:
        if key_lookup is not None:
            method = await key_lookup(parsed.header)
            if method is not None:
                return method
        if resolver is None:
            raise _method_problem("no key lookup or resolver can dereference the kid")
        return await resolver.dereference_verification_method(_kid_url(parsed.header["kid"], parsed.payload.get("iss")))
    except DidResolutionError as exc:
        raise _method_problem(f"cannot dereference kid ({exc.code}): {exc}", indeterminate=exc.transient) from exc
    except KeyMaterialError as exc:
        raise _method_problem(f"the kid's key is unusable: {exc}") from exc


def _check_jwk_use(jwk: Mapping[str, Any], alg: str) -> None:
    """RFC 7517 §4.2-§4.4: a JWK that states its alg, use or key_ops must allow verifying with `alg`."""
    if "alg" in jwk and jwk["alg"] != alg:
        raise _method_problem(f"the key is for {jwk['alg']!r}, not {alg}")
    if "use" in jwk and jwk["use"] != "sig":
        raise _method_problem("the key's use is not 'sig'")
    if "key_ops" in jwk and (not isinstance(jwk["key_ops"], list) or "verify" not in jwk["key_ops"]):
        raise _method_problem("the key's key_ops do not include 'verify'")


def _public_key(method: VerificationMethod, alg: str) -> JwtPublicKey:
    try:
        if method.public_key_jwk is not None:
            _check_jwk_use(method.public_key_jwk, alg)
            return load_public_jwk(method.public_key_jwk)
        if method.public_key is not None:
            return Ed25519PublicKey.from_public_bytes(method.public_key)
    except (KeyMaterialError, ValueError) as exc:
        raise _method_problem(f"the verification method's key is unusable: {exc}") from exc
    raise _method_problem(f"{method.id} carries no public key")


def _inline_key(jwk: Any, alg: str) -> JwtPublicKey:
    """OB 3.0 §8.2 (JOSE Header): a `jwk` header is a public key only; any private member rejects the token."""
    try:
        public = check_public_jwk(jwk)
    except KeyMaterialError as exc:
        raise _Rejected(Problem(INVALID_VERIFICATION_METHOD, "Unusable key", f"the jwk header: {exc}")) from exc
    return _public_key(VerificationMethod("", "JsonWebKey", "", None, public), alg)


def _check_key_fits(key: JwtPublicKey, alg: str) -> None:
    """RFC 7518 §3.1: RS256 needs an RSA key (OB: at least 2048 bits), ES256 P-256, EdDSA (RFC 8037) Ed25519."""
    fits = {
        "RS256": isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS,
        "ES256": isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1),
        "EdDSA": isinstance(key, Ed25519PublicKey),
    }
    if not fits.get(alg, False):
        raise _method_problem(f"the key does not fit alg {alg} (type or size)")


async def _select_key(
    parsed: _Parsed, resolver: MethodDereferencer | None, key_lookup: KeyLookup | None
) -> tuple[JwtPublicKey, VerificationMethod | None]:
    """OB 3.0 §8.2 (Verify): the public key from `jwk`, or from dereferencing `kid`; it must fit `alg`."""
    alg = parsed.header["alg"]
    if "jwk" in parsed.header:
        key, method = _inline_key(parsed.header["jwk"], alg), None
    else:
        method = await _dereference_kid(parsed, resolver, key_lookup)
        key = _public_key(method, alg)
    _check_key_fits(key, alg)
    return key, method
