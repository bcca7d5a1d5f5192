"""OB 3.0 §8.2 "JSON Web Token Proof Format" (VC-JWT over RFC 7515 JWS / RFC 7519 JWT): sign and verify.

Signing uses RS256 (RSA, at least 2048 bits) or ES256 (P-256), the algorithms the 1EdTech validator accepts, with
the header {alg, typ: "JWT", kid | jwk} and nothing else. Verification also accepts EdDSA (Ed25519). A VCDM 2.0
credential is the payload itself plus iss/jti/nbf/sub/exp; a VCDM 1.1 credential sits in the `vc` claim.
`verify_vc_jwt` never raises for a bad token: it returns a `JwtVerification` listing problems with stable codes.
It does not look at the clock; the validity-period check does.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from credentials.did.resolver import DidResolutionError
from credentials.keys import (
    MIN_RSA_BITS,
    JwtPrivateKey,
    JwtPublicKey,
    KeyMaterialError,
    UnsupportedKeyType,
    VerificationMethod,
    WeakKey,
    b64url,
    b64url_decode,
    check_public_jwk,
    load_private_jwk,
    load_public_jwk,
    public_key_to_jwk,
)
from credentials.problems import (
    INVALID_VERIFICATION_METHOD,
    MALFORMED_VALUE_ERROR,
    PARSING_ERROR,
    PROOF_GENERATION_ERROR,
    PROOF_VERIFICATION_ERROR,
    Problem,
)

SigningAlgorithm = Literal["RS256", "ES256"]
SIGNING_ALGORITHMS = frozenset({"RS256", "ES256"})
VERIFICATION_ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})
# OB 3.0 §8.2 (JOSE Header): alg, typ and kid or jwk only; "additional JOSE headers are not allowed".
ALLOWED_HEADER_PARAMETERS = frozenset({"alg", "typ", "kid", "jwk"})
# OB says typ "JWT"; VC-JOSE-COSE (JOSE header parameters) says "vc+jwt". Both verify, "JWT" is emitted.
ACCEPTED_TYPES = frozenset({"jwt", "vc+jwt"})
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")
MAX_TOKEN_LENGTH = 1024 * 1024
VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VCDM1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
# RFC 7519 §4.1: the registered claims; in a VCDM 2.0 payload they are not credential properties.
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_B64URL = re.compile(r"[A-Za-z0-9_-]*")

# VC-DI 1.0 "Verify Proof" names MALFORMED_PROOF_ERROR for a proof whose own structure is wrong: here, the JOSE header.
MALFORMED_PROOF_ERROR = "MALFORMED_PROOF_ERROR"


class VcJwtError(ValueError):
    """Base of the VC-JWT errors raised to callers (verification itself reports problems instead)."""

    code = MALFORMED_VALUE_ERROR


class MalformedJwt(VcJwtError):
    """Not a compact JWS with a JSON object header and payload (RFC 7515 §7.1, RFC 7519 §7.2)."""

    code = PARSING_ERROR


class JwtSigningError(VcJwtError):
    """The credential or options cannot produce an OB VC-JWT (no issuer id, unsupported alg, bad dates...)."""

    code = PROOF_GENERATION_ERROR


@dataclass(frozen=True, slots=True)
class JwtVerification:
    """The verdict on one VC-JWT. `indeterminate` means the key could not be fetched (retry may succeed)."""

    credential: dict[str, Any] | None
    header: dict[str, Any] | None
    payload: dict[str, Any] | None
    kid: str | None
    verification_method: VerificationMethod | None
    problems: tuple[Problem, ...]
    indeterminate: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems


KeyLookup = Callable[[Mapping[str, Any]], Awaitable[VerificationMethod | None]]
"""Caller-supplied key lookup from the JOSE header; None lets the resolver try."""


class MethodDereferencer(Protocol):
    """What VC-JWT needs from the DID layer (DidResolverRegistry provides it)."""

    async def dereference_verification_method(self, url: str) -> VerificationMethod: ...


class _Rejected(Exception):
    """Internal: ends a verification stage with problems; never leaves this module."""

    def __init__(self, *problems: Problem, indeterminate: bool = False) -> None:
        super().__init__(problems[0].detail)
        self.problems = problems
        self.indeterminate = indeterminate


@dataclass(frozen=True, slots=True)
class _Parsed:
    signing_input: bytes
    header: dict[str, Any]
    payload: dict[str, Any]
    signature: bytes


_UNSECURED_OR_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


def is_compact_jws(text: str) -> bool:
    """OB 3.0 data type CompactJws: its pattern, used to tell a JWT from a JSON credential."""
    return isinstance(text, str) and COMPACT_JWS.fullmatch(text) is not None


def _segment_bytes(segment: str, name: str) -> bytes:
    """RFC 7515 §2: unpadded base64url; non-canonical spellings are refused so a token has one encoding."""
    if not _B64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise _Rejected(Problem(PARSING_ERROR, f"Bad JWS {name}", f"the {name} is not base64url"))
    raw = b64url_decode(segment)
    if b64url(raw) != segment:
        raise _Rejected(Problem(PARSING_ERROR, f"Bad JWS {name}", f"the {name} is not canonical base64url"))
    return raw


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # RFC 7515 §5.2 step 4 / RFC 7519 §7.2 step 10: duplicate member names are rejected, not last-one-wins.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member name")
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_object(segment: str, name: str) -> dict[str, Any]:
    raw = _segment_bytes(segment, name)
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_members, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Rejected(Problem(PARSING_ERROR, f"Bad JWS {name}", f"the {name} is not UTF-8 JSON: {exc}")) from exc
    if not isinstance(value, dict):
        raise _Rejected(Problem(PARSING_ERROR, f"Bad JWS {name}", f"the {name} is not a JSON object"))
    return value


def _parse(token: Any) -> _Parsed:
    """RFC 7515 §5.2 steps 1-7: split, decode and parse the three parts of a compact JWS."""
    # An empty signature (an `alg: none` token) is parsed so the header check can name the refusal.
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not _UNSECURED_OR_COMPACT.fullmatch(token):
        raise _Rejected(Problem(PARSING_ERROR, "Not a compact JWS", "expected header.payload.signature in base64url"))
    header_part, payload_part, signature_part = token.split(".")
    if not payload_part:
        raise _Rejected(Problem(PARSING_ERROR, "Bad JWS payload", "detached payloads are not VC-JWTs"))
    header = _json_object(header_part, "header")
    payload = _json_object(payload_part, "payload")
    signature = _segment_bytes(signature_part, "signature")
    return _Parsed(f"{header_part}.{payload_part}".encode("ascii"), header, payload, signature)


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """RFC 7515 §5.2 steps 1-7 without the signature: (header, payload), or MalformedJwt."""
    try:
        parsed = _parse(token)
    except _Rejected as exc:
        raise MalformedJwt(exc.problems[0].detail) from None
    return parsed.header, parsed.payload


def _header_problems(header: Mapping[str, Any]) -> list[Problem]:
    """OB 3.0 §8.2 (JOSE Header): alg allow-listed, typ JWT, exactly one of kid and jwk, nothing else."""
    problems = []
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in VERIFICATION_ALGORITHMS:
        problems.append(
            Problem(MALFORMED_PROOF_ERROR, "Algorithm not allowed", f"alg {alg!r} is not one of RS256, ES256, EdDSA")
        )
    if "crit" in header:
        # RFC 7515 §4.1.11: no extension is understood here, so any critical one must fail.
        problems.append(
            Problem(MALFORMED_PROOF_ERROR, "Critical header", "critical header extensions are not supported")
        )
    extra = sorted(set(header) - ALLOWED_HEADER_PARAMETERS - {"crit"})
    if extra:
        problems.append(
            Problem(MALFORMED_PROOF_ERROR, "Extra JOSE header", f"JOSE header parameters {extra} are not allowed")
        )
    typ = header.get("typ")
    if "typ" in header and (not isinstance(typ, str) or typ.lower().removeprefix("application/") not in ACCEPTED_TYPES):
        problems.append(Problem(MALFORMED_PROOF_ERROR, "Bad typ", f"typ {typ!r} is not JWT"))
    if ("kid" in header) == ("jwk" in header):
        problems.append(Problem(MALFORMED_PROOF_ERROR, "Key reference", "the header needs exactly one of kid and jwk"))
    elif "kid" in header and not (isinstance(header["kid"], str) and header["kid"]):
        problems.append(Problem(MALFORMED_PROOF_ERROR, "Key reference", "kid must be a non-empty string"))
    elif "jwk" in header and not isinstance(header["jwk"], dict):
        problems.append(Problem(MALFORMED_PROOF_ERROR, "Key reference", "jwk must be a JSON object"))
    return problems


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


def verify_jws_signature(key: JwtPublicKey, alg: str, signing_input: bytes, signature: bytes) -> bool:
    """RFC 7518 §3.3/§3.4 and RFC 8037 §3.1: True when `signature` is valid; ES256 must be raw 64-byte r||s."""
    try:
        if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            if len(signature) != (key.key_size + 7) // 8:
                return False
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                return False
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == "EdDSA" and isinstance(key, Ed25519PublicKey):
            if len(signature) != 64:
                return False
            key.verify(signature, signing_input)
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _subject_id(credential: Mapping[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    return subject.get("id") if isinstance(subject, Mapping) else None


def numeric_date(value: Any) -> int | None:
    """RFC 7519 §2 NumericDate (whole seconds) of an XML Schema dateTimeStamp; None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # VCDM 2.0 (Validity Period): validFrom/validUntil are dateTimeStamps, so a value without a time zone is not one.
    return None if moment.tzinfo is None else math.floor(moment.timestamp())


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    # math.isfinite would overflow on a huge int; ints are always finite.
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _time_claim_problems(
    payload: Mapping[str, Any], claim: str, credential: Mapping[str, Any], prop: str
) -> list[Problem]:
    """OB 3.0 §8.2 (Verify): nbf MUST equal validFrom (issuanceDate) and exp validUntil (expirationDate)."""
    if claim not in payload and prop not in credential:
        return []
    title = f"{claim} mismatch"
    if claim not in payload or prop not in credential:
        return [Problem(MALFORMED_VALUE_ERROR, title, f"{claim} and {prop} must both be present or both absent")]
    claim_value, when = payload[claim], numeric_date(credential[prop])
    if not _is_number(claim_value):
        return [Problem(MALFORMED_VALUE_ERROR, title, f"{claim} is not a NumericDate")]
    if when is None:
        return [Problem(MALFORMED_VALUE_ERROR, title, f"{prop} is not a dateTimeStamp")]
    if math.floor(claim_value) != when:
        return [Problem(MALFORMED_VALUE_ERROR, title, f"{claim} {claim_value} does not equal {prop} {when}")]
    return []


def _claim_problems(payload: Mapping[str, Any], credential: Mapping[str, Any], dates: tuple[str, str]) -> list[Problem]:
    """OB 3.0 §8.2 (Verify): the JWT claims must agree with the credential they wrap."""
    problems = []
    if payload.get("iss") != _issuer_id(credential) or not isinstance(payload.get("iss"), str):
        problems.append(Problem(MALFORMED_VALUE_ERROR, "iss mismatch", "iss must equal the issuer id"))
    subject_id = _subject_id(credential)
    if "sub" in payload and subject_id is not None and payload["sub"] != subject_id:
        problems.append(Problem(MALFORMED_VALUE_ERROR, "sub mismatch", "sub must equal credentialSubject.id"))
    if "jti" in payload and "id" in credential and payload["jti"] != credential["id"]:
        problems.append(Problem(MALFORMED_VALUE_ERROR, "jti mismatch", "jti must equal the credential id"))
    problems += _time_claim_problems(payload, "nbf", credential, dates[0])
    problems += _time_claim_problems(payload, "exp", credential, dates[1])
    return problems


def _iso(numeric: Any) -> Any:
    if not _is_number(numeric):
        return numeric
    try:
        return datetime.fromtimestamp(math.floor(numeric), UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, ValueError, OSError):
        # Outside the datetime range: keep the number, and the date check reports it as not a dateTimeStamp.
        return numeric


def _vcdm11_credential(vc: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """VC Data Model 1.1 §6.3.1 (JWT Decoding): claims fill the properties a `vc` claim left out."""
    credential = dict(vc)
    for claim, prop, convert in (
        ("iss", "issuer", None),
        ("jti", "id", None),
        ("nbf", "issuanceDate", _iso),
        ("exp", "expirationDate", _iso),
    ):
        if claim in payload and prop not in credential:
            credential[prop] = convert(payload[claim]) if convert else payload[claim]
    subject = credential.get("credentialSubject")
    if "sub" in payload and isinstance(subject, Mapping) and "id" not in subject:
        credential["credentialSubject"] = {**subject, "id": payload["sub"]}
    return credential


def credential_from_payload(payload: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    """OB 3.0 §8.2 (Verify): the credential in a verified payload (the `vc` claim, or the payload less the
    registered claims) and the problems with its claims."""
    if "vc" in payload:
        if not isinstance(payload["vc"], dict):
            return None, [Problem(MALFORMED_VALUE_ERROR, "Bad vc claim", "the vc claim is not a JSON object")]
        credential = _vcdm11_credential(payload["vc"], payload)
        return credential, _claim_problems(payload, credential, ("issuanceDate", "expirationDate"))
    credential = {name: value for name, value in payload.items() if name not in REGISTERED_CLAIMS}
    return credential, _claim_problems(payload, credential, ("validFrom", "validUntil"))


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


async def verify_vc_jwt(
    token: str, *, resolver: MethodDereferencer | None = None, key_lookup: KeyLookup | None = None
) -> JwtVerification:
    """OB 3.0 §8.2 (Verify): parse, check the header, get the key, verify the JWS, then the claims.

    Never raises for a bad token. Stages stop at the first that fails, so claims are only judged once the
    signature holds; `indeterminate` is set when the key could not be fetched for a reason a retry may cure.
    """
    parsed: _Parsed | None = None
    method: VerificationMethod | None = None
    try:
        parsed = _parse(token)
        header_problems = _header_problems(parsed.header)
        if header_problems:
            raise _Rejected(*header_problems)
        key, method = await _select_key(parsed, resolver, key_lookup)
        if not verify_jws_signature(key, parsed.header["alg"], parsed.signing_input, parsed.signature):
            raise _Rejected(Problem(PROOF_VERIFICATION_ERROR, "Invalid signature", "the JWS signature does not verify"))
    except _Rejected as rejected:
        header = parsed.header if parsed else None
        kid = header.get("kid") if header and isinstance(header.get("kid"), str) else None
        return JwtVerification(None, header, None, kid, method, rejected.problems, rejected.indeterminate)
    credential, problems = credential_from_payload(parsed.payload)
    kid = parsed.header.get("kid")
    return JwtVerification(credential, parsed.header, parsed.payload, kid, method, tuple(problems))


def vcdm_version(credential: Mapping[str, Any]) -> Literal["2.0", "1.1"]:
    """VCDM 2.0 §4.3 / 1.1 §4.1: the data model version named by the first @context entry."""
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first == VCDM2_CONTEXT:
        return "2.0"
    if first == VCDM1_CONTEXT:
        return "1.1"
    raise JwtSigningError("the credential's first @context is neither VCDM 2.0 nor VCDM 1.1")


def _signing_numeric_date(credential: Mapping[str, Any], prop: str) -> int | None:
    if prop not in credential:
        return None
    value = numeric_date(credential[prop])
    if value is None:
        raise JwtSigningError(f"{prop} is not a dateTimeStamp with a time zone")
    return value


def vc_jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """OB 3.0 §8.2 (JWT Payload Format): iss, jti, sub, nbf and exp derived from the credential."""
    start, end = (
        ("validFrom", "validUntil") if vcdm_version(credential) == "2.0" else ("issuanceDate", "expirationDate")
    )
    issuer = _issuer_id(credential)
    if not isinstance(issuer, str) or not issuer:
        raise JwtSigningError("the credential has no issuer id for the iss claim")
    claims: dict[str, Any] = {"iss": issuer}
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    if isinstance(_subject_id(credential), str):
        claims["sub"] = _subject_id(credential)
    for claim, prop in (("nbf", start), ("exp", end)):
        value = _signing_numeric_date(credential, prop)
        if value is not None:
            claims[claim] = value
    return claims


def vc_jwt_payload(credential: Mapping[str, Any]) -> dict[str, Any]:
    """OB 3.0 §8.2 (JWT Payload Format): VCDM 2.0 -> the credential plus claims; VCDM 1.1 -> claims plus `vc`."""
    claims = vc_jwt_claims(credential)
    if vcdm_version(credential) == "1.1":
        return {**claims, "vc": dict(credential)}
    clashing = sorted(REGISTERED_CLAIMS.intersection(credential))
    if clashing:
        raise JwtSigningError(f"the credential already has JWT claim names {clashing}")
    return {**credential, **claims}


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
