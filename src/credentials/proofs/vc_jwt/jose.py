"""RFC 7515 §5.2 (JWS validation) for OB 3.0 §8.2 VC-JWTs: compact JWS parsing, JOSE header checks, signatures."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from credentials.keys import JwtPublicKey, b64url, b64url_decode
from credentials.problems import PARSING_ERROR, Problem
from credentials.proofs.vc_jwt.errors import MALFORMED_PROOF_ERROR, MalformedJwt, _Rejected

VERIFICATION_ALGORITHMS = frozenset({"RS256", "ES256", "EdDSA"})
# OB 3.0 §8.2 (JOSE Header): alg, typ and kid or jwk only; "additional JOSE headers are not allowed".
ALLOWED_HEADER_PARAMETERS = frozenset({"alg", "typ", "kid", "jwk"})
# OB says typ "JWT"; VC-JOSE-COSE (JOSE header parameters) says "vc+jwt". Both verify, "JWT" is emitted.
ACCEPTED_TYPES = frozenset({"jwt", "vc+jwt"})
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")
MAX_TOKEN_LENGTH = 1024 * 1024
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


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
