"""OpenID4VCI 1.0 §8.2.1.1 and Appendix F.4: verify a `jwt` key proof (proof of possession) of a holder key.

The wallet signs `{aud, iat, nonce}` with its key and names the key in the JOSE header; the issuer binds the
credential to the holder DID this yields (`credentialSubject.id`). Keys are resolved locally and synchronously:
- `kid` = a did:key DID URL (Ed25519 `z6Mk…`, or P-256 `zDn…`, multicodec 0x1200 with a compressed point) or a
  did:jwk DID URL (`#0`); the holder is the kid without its fragment. did:web and other methods are refused.
- `jwk` = an inline public JWK; the holder is `did:jwk:<base64url(JSON of that JWK, members as sent)>`.
- `x5c` is not supported (invalid_proof).

Two modes (WALLETS.md §2.10). `strict` is Appendix F.4 to the letter. `compat` additionally tolerates what the
Digital Bazaar client sends, naming each tolerated deviation in `ProofVerdict.deviations` for the caller to log:
a missing `typ` ("typ missing"), and a missing `iat` when `nbf` is within the skew ("iat missing, nbf used") or
`exp` is still ahead ("iat missing, exp used"); the single-use nonce then gives the freshness `iat` would.
A `typ` that is present and wrong is refused in both modes; `iss` is always ignored.

Order of checks: every invalid_proof check (header, key, signature, aud, time claims) runs before the nonce, so
a forged or malformed proof is never reported as invalid_nonce, and `nonce_is_live` is called only for an
otherwise valid proof. The port only answers "is this a live c_nonce?": consuming the nonce (single use) is the
caller's job, after a valid verdict. An exception from the port is not caught.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.did.jwk import decode_did_jwk, did_jwk_from_jwk
from credentials.did.key import decode_did_key
from credentials.did.resolver import DidResolutionError, parse_did
from credentials.keys import (
    ED25519_PUB_PREFIX,
    JwtPublicKey,
    KeyMaterialError,
    b64url,
    b64url_decode,
    load_public_jwk,
    multibase_decode_z,
)
from credentials.proofs.vc_jwt import MalformedJwt, decode_unverified, verify_jws_signature

ProofErrorCode = Literal["invalid_proof", "invalid_nonce"]
ProofMode = Literal["strict", "compat"]

PROOF_TYP: Final = "openid4vci-proof+jwt"
DEFAULT_ALGS: Final = frozenset({"EdDSA", "ES256"})
# What `verify_jws_signature` can check; `allowed_algs` narrows it and can never widen it.
VERIFIABLE_ALGS: Final = frozenset({"EdDSA", "ES256", "RS256"})
NEVER_ALGS: Final = frozenset({"none", "HS256", "HS384", "HS512"})
DEFAULT_MAX_SKEW: Final = timedelta(minutes=5)
MAX_PROOF_LENGTH: Final = 8192
P256_PUB_PREFIX: Final = b"\x80\x24"  # multicodec p256-pub (0x1200) as an unsigned varint
_KEY_REFERENCES: Final = ("kid", "jwk", "x5c")
# Larger numbers are not dates (year 33658) and would overflow float arithmetic.
_MAX_NUMERIC_DATE: Final = 1e12
_MAX_DETAIL: Final = 300


@dataclass(frozen=True, slots=True)
class ProofVerdict:
    """The verdict on one key proof: `holder` is the holder DID when `error` is None, else None."""

    holder: str | None
    error: ProofErrorCode | None
    detail: str
    deviations: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.error is None


class _Invalid(Exception):
    """Internal: the proof is refused with `error`; turned into a verdict at the entry point."""

    def __init__(self, detail: str, error: ProofErrorCode = "invalid_proof") -> None:
        super().__init__(detail)
        self.error: ProofErrorCode = error
        self.detail = detail


@dataclass(frozen=True, slots=True)
class _Jws:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def _ascii(text: str) -> str:
    # OpenID4VCI §8.3.1.2 / RFC 6749 §5.2: error_description is ASCII; the caller may pass `detail` through.
    return text.encode("ascii", "backslashreplace").decode("ascii")[:_MAX_DETAIL]


def verify_proof_jwt(
    jwt: Any,
    *,
    audience: str,
    nonce_is_live: Callable[[str], bool],
    mode: ProofMode,
    now: datetime,
    allowed_algs: frozenset[str] = DEFAULT_ALGS,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
) -> ProofVerdict:
    """OpenID4VCI 1.0 Appendix F.4 (§8.2.1.1 `jwt` proof type): verify a key proof; never raises for bad input.

    Raises ValueError for caller bugs only: a naive `now` or an unknown `mode`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if mode not in ("strict", "compat"):
        raise ValueError(f"unknown proof mode {mode!r}")
    deviations: list[str] = []
    try:
        jws = _parse(jwt)
        _check_header(jws.header, mode, allowed_algs, deviations)
        holder, key = _holder_key(jws.header)
        _check_signature(key, jws)
        _check_audience(jws.payload, audience)
        _check_time(jws.payload, mode, now.timestamp(), max_skew.total_seconds(), deviations)
        nonce = _nonce(jws.payload)
    except _Invalid as refusal:
        return ProofVerdict(None, refusal.error, _ascii(refusal.detail), tuple(deviations))
    if not nonce_is_live(nonce):
        return ProofVerdict(None, "invalid_nonce", "the nonce is not a live c_nonce", tuple(deviations))
    return ProofVerdict(holder, None, _ascii(f"proof of possession by {holder}"), tuple(deviations))


def _parse(jwt: Any) -> _Jws:
    """RFC 7515 §5.2 steps 1-7 (strict base64url, JSON objects without duplicate members), size capped."""
    if not isinstance(jwt, str):
        raise _Invalid("the proof is not a string")
    if len(jwt) > MAX_PROOF_LENGTH:
        raise _Invalid(f"the proof is longer than {MAX_PROOF_LENGTH} characters")
    try:
        header, payload = decode_unverified(jwt)
    except MalformedJwt as exc:
        raise _Invalid(f"not a compact JWS: {exc}") from None
    header_part, payload_part, signature_part = jwt.split(".")
    signature = b64url_decode(signature_part)
    if b64url(signature) != signature_part:
        raise _Invalid("the signature is not canonical base64url")
    return _Jws(header, payload, f"{header_part}.{payload_part}".encode("ascii"), signature)


def _check_header(header: Mapping[str, Any], mode: ProofMode, allowed: frozenset[str], deviations: list[str]) -> None:
    """OpenID4VCI 1.0 Appendix F.1/F.4: typ, alg (never none or MAC), no crit, exactly one key reference.

    typ is a media type (RFC 7515 §4.1.9): compared case-insensitively, with an optional `application/`.
    """
    if "typ" not in header:
        if mode == "strict":
            raise _Invalid(f"typ is missing; it must be {PROOF_TYP}")
        deviations.append("typ missing")
    elif not isinstance(header["typ"], str) or header["typ"].lower().removeprefix("application/") != PROOF_TYP:
        raise _Invalid(f"typ {header['typ']!r} is not {PROOF_TYP}")
    alg = header.get("alg")
    if isinstance(alg, str) and alg in NEVER_ALGS:
        raise _Invalid(f"alg {alg} is never accepted for key proofs")
    if not isinstance(alg, str) or alg not in allowed & VERIFIABLE_ALGS:
        raise _Invalid(f"alg {alg!r} is not one of {sorted(allowed & VERIFIABLE_ALGS)}")
    if "crit" in header:
        raise _Invalid("critical header parameters are not supported")
    present = [name for name in _KEY_REFERENCES if name in header]
    if len(present) != 1:
        raise _Invalid(f"the header needs exactly one of kid, jwk, x5c, not {present or 'none'}")


def _holder_key(header: Mapping[str, Any]) -> tuple[str, JwtPublicKey]:
    """OpenID4VCI 1.0 Appendix F.1 key references: the holder DID and its public key."""
    if "jwk" in header:
        return _jwk_holder(header["jwk"])
    if "kid" in header:
        return _kid_holder(header["kid"])
    raise _Invalid("x5c key proofs are not supported")


def _jwk_holder(jwk: Any) -> tuple[str, JwtPublicKey]:
    """did:jwk (Create) from the `jwk` header: a public key only (no `d` or other private members)."""
    if not isinstance(jwk, dict):
        raise _Invalid("jwk must be a JSON object")
    try:
        return did_jwk_from_jwk(jwk), load_public_jwk(jwk)
    except (KeyMaterialError, ValueError, RecursionError) as exc:
        raise _Invalid(f"unusable jwk: {exc}") from None


def _kid_holder(kid: Any) -> tuple[str, JwtPublicKey]:
    """did:key (Decode Public Key) or did:jwk (Read): the DID URL's key; the fragment must name that key."""
    if not isinstance(kid, str) or "#" not in kid:
        raise _Invalid("kid must be a DID URL with a fragment (did:key or did:jwk)")
    did, _, fragment = kid.partition("#")
    try:
        method, identifier = parse_did(did)
        if method == "key":
            key, expected = _did_key_public_key(did), identifier
        elif method == "jwk":
            key, expected = load_public_jwk(decode_did_jwk(did)), "0"
        else:
            raise _Invalid(f"did:{method} is not accepted for key proofs (only did:key and did:jwk)")
    except (DidResolutionError, KeyMaterialError, ValueError) as exc:
        raise _Invalid(f"unusable kid: {exc}") from None
    if fragment != expected:
        raise _Invalid("the kid's fragment does not name the DID's key")
    return did, key


def _did_key_public_key(did: str) -> JwtPublicKey:
    """did:key v0.7 Decode Public Key: Ed25519 (0xed01, 32 bytes) or P-256 (0x1200, 33-byte compressed point)."""
    # credentials.did.key resolves Ed25519 only (its DID documents feed the Ed25519 suites); the P-256 case
    # lives here until a P-256 Multikey is needed there too.
    raw = multibase_decode_z(did.removeprefix("did:key:"))
    if raw[:2] == ED25519_PUB_PREFIX:
        return Ed25519PublicKey.from_public_bytes(decode_did_key(did))
    if raw[:2] == P256_PUB_PREFIX and len(raw) == 2 + 33:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
    raise _Invalid("only Ed25519 and P-256 did:key values are supported")


def _fits(key: JwtPublicKey, alg: str) -> bool:
    if alg == "EdDSA":
        return isinstance(key, Ed25519PublicKey)
    if alg == "ES256":
        return isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
    return alg == "RS256" and isinstance(key, rsa.RSAPublicKey)


def _check_signature(key: JwtPublicKey, jws: _Jws) -> None:
    """RFC 7515 §5.2 step 8 with the header's alg, which must fit the key's type."""
    alg = jws.header["alg"]
    if not _fits(key, alg):
        raise _Invalid(f"alg {alg} does not fit the holder's key type")
    if not verify_jws_signature(key, alg, jws.signing_input, jws.signature):
        raise _Invalid("the signature does not verify with the holder's key")


def _check_audience(payload: Mapping[str, Any], audience: str) -> None:
    """OpenID4VCI 1.0 Appendix F.1: `aud` is the Credential Issuer Identifier (RFC 7519 §4.1.3: string or array)."""
    aud = payload.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise _Invalid(f"aud is not {audience}")


def _numeric_date(payload: Mapping[str, Any], name: str) -> float | None:
    """RFC 7519 §2 NumericDate: a finite JSON number of seconds; None when absent."""
    if name not in payload:
        return None
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"{name} is not a NumericDate")
    # Written so that NaN and infinities fail too; a huge int is compared exactly, never converted to float.
    if not abs(value) <= _MAX_NUMERIC_DATE:
        raise _Invalid(f"{name} is out of range")
    return float(value)


def _check_time(payload: Mapping[str, Any], mode: ProofMode, now: float, skew: float, deviations: list[str]) -> None:
    """OpenID4VCI 1.0 Appendix F.4 (iat within the skew) and RFC 7519 §4.1.4/§4.1.5 (exp, nbf), compat fallback."""
    iat, nbf, exp = (_numeric_date(payload, name) for name in ("iat", "nbf", "exp"))
    if exp is not None and exp <= now - skew:
        raise _Invalid("the proof has expired (exp)")
    if nbf is not None and nbf > now + skew:
        raise _Invalid("the proof is not yet valid (nbf)")
    if iat is not None:
        if abs(now - iat) > skew:
            raise _Invalid(f"iat is more than {int(skew)} seconds away from now")
        return
    if mode == "strict":
        raise _Invalid("iat is missing")
    if nbf is not None and abs(now - nbf) <= skew:
        deviations.append("iat missing, nbf used")
    elif exp is not None and exp > now:
        deviations.append("iat missing, exp used")
    else:
        raise _Invalid("iat is missing and neither nbf nor exp shows the proof is fresh")


def _nonce(payload: Mapping[str, Any]) -> str:
    """OpenID4VCI 1.0 Appendix F.1 `nonce`: the c_nonce; missing means the wallet must fetch one (invalid_nonce)."""
    nonce = payload.get("nonce")
    if nonce is None or nonce == "":
        raise _Invalid("the proof has no nonce", "invalid_nonce")
    if not isinstance(nonce, str):
        raise _Invalid("nonce must be a string")
    return nonce
