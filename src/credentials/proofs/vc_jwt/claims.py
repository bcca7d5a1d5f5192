"""OB 3.0 §8.2 (JWT Payload Format, Verify): mapping between JWT claims and the credential they carry."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from credentials.problems import MALFORMED_VALUE_ERROR, Problem
from credentials.proofs.vc_jwt.errors import JwtSigningError

VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VCDM1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
# RFC 7519 §4.1: the registered claims; in a VCDM 2.0 payload they are not credential properties.
REGISTERED_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})


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
