"""OB 3.0 §8.1 step 1 "Conformance" and VCDM 2.0 / 1.1 §4 structure rules, as one `conformance` check.

Pure: the credential dict in, problems out. JSON-LD data loss and context pinning are checked by expanding the
document through the offline ContextStore, so a credential that names an unpinned context or uses undefined
terms fails here even when it carries a JWT proof (which never canonicalizes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from credentials.jsonld import ContextStore, JsonLdProcessingError, canonicalize
from credentials.proofs import remember_canonical_form
from schemas import ob
from schemas.report import CheckResult, ProblemDetails
from verifier.problems import failed, passed, problem

CHECK_ID = "conformance"
_DATE_TIME_STAMP = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def as_list(value: Any) -> list[Any]:
    """OB 3.0 §B "compacted form": one value or an array of values."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_date_time_stamp(value: Any) -> bool:
    """XML Schema dateTimeStamp: a dateTime with a mandatory time zone (VCDM 2.0 §4.9)."""
    if not isinstance(value, str) or _DATE_TIME_STAMP.match(value) is None:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False  # well-shaped but not a real instant, e.g. month 13
    return True


def shown(value: Any, limit: int = 160) -> str:
    """RFC 9457 §3.1.4 detail text for a value taken from the input: JSON as the user wrote it, cut short."""
    try:
        # Inputs are size-capped before parsing, so rendering all of it is cheap; deep nesting raises, never hangs.
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__  # not JSON data: only its kind is worth showing
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_uri(value: Any) -> bool:
    return isinstance(value, str) and _URI.match(value) is not None


def vc_version(credential: Mapping[str, Any]) -> str | None:
    """ "2.0" or "1.1" from the first @context entry (VCDM 2.0 §4.3, VCDM 1.1 §4.1), else None."""
    contexts = as_list(credential.get("@context"))
    first = contexts[0] if contexts else None
    return {ob.VC_V2_CONTEXT: "2.0", ob.VC_V1_CONTEXT: "1.1"}.get(first) if isinstance(first, str) else None


def is_open_badge(credential: Mapping[str, Any]) -> bool:
    return bool(ob.OB_CREDENTIAL_TYPES & {t for t in as_list(credential.get("type")) if isinstance(t, str)})


def _context_problems(credential: Mapping[str, Any], contexts: ContextStore) -> Iterator[ProblemDetails]:
    entries = as_list(credential.get("@context"))
    if vc_version(credential) is None:
        yield problem("MALFORMED_VALUE_ERROR", "The first @context must be the VC 2.0 or 1.1 base context")
    for entry in entries:
        if isinstance(entry, str) and entry not in contexts:
            yield problem("CONTEXT_NOT_ALLOWED", "Context is not pinned", f"{entry} is not a known context")
        elif not isinstance(entry, str | dict):
            yield problem("MALFORMED_VALUE_ERROR", "Each @context entry must be a URL or an object")
    if is_open_badge(credential) and not any(isinstance(e, str) and ob.OB_CONTEXT_PATTERN.match(e) for e in entries):
        yield problem("MALFORMED_VALUE_ERROR", "An Open Badge must list the OB 3.0 context")


def _credential_problems(credential: Mapping[str, Any]) -> Iterator[ProblemDetails]:
    types = as_list(credential.get("type"))
    if "VerifiableCredential" not in types:
        yield problem("MALFORMED_VALUE_ERROR", "type must include VerifiableCredential")
    if "id" in credential and not is_uri(credential["id"]):
        yield problem("MALFORMED_VALUE_ERROR", "id must be a URL", shown(credential["id"]))
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not is_uri(issuer_id):
        yield problem("MALFORMED_VALUE_ERROR", "issuer must be a URL or an object with a URL id")
    yield from _date_problems(credential)
    subjects = as_list(credential.get("credentialSubject"))
    if not subjects or not all(isinstance(s, dict) and s for s in subjects):
        yield problem("MALFORMED_VALUE_ERROR", "credentialSubject must be a non-empty object")
    for name in ("credentialStatus", "credentialSchema", "termsOfUse", "evidence", "refreshService"):
        for item in as_list(credential.get(name)):
            if not isinstance(item, dict) or "type" not in item:
                yield problem("MALFORMED_VALUE_ERROR", f"each {name} entry must be an object with a type")


def _date_problems(credential: Mapping[str, Any]) -> Iterator[ProblemDetails]:
    if vc_version(credential) == "1.1":
        required, optional = "issuanceDate", ("expirationDate",)
    else:
        required, optional = "validFrom", ("validUntil",)
    fields = (required, *optional) if (required in credential or is_open_badge(credential)) else optional
    for name in fields:
        if name in credential and not is_date_time_stamp(credential[name]):
            yield problem(
                "MALFORMED_VALUE_ERROR", f"{name} must be a date-time with a time zone", shown(credential[name])
            )
    if is_open_badge(credential) and required not in credential:
        yield problem("MALFORMED_VALUE_ERROR", f"an Open Badge requires {required}")


def _enum_problem(value: Any, members: frozenset[str], where: str) -> Iterator[ProblemDetails]:
    if value is not None and not ob.in_extensible_enum(value, members):
        yield problem("MALFORMED_VALUE_ERROR", f"{where} is not in the OB 3.0 enumeration", shown(value))


def _achievement_problems(achievement: Any) -> Iterator[ProblemDetails]:
    if not isinstance(achievement, dict):
        yield problem("MALFORMED_VALUE_ERROR", "credentialSubject.achievement must be an object")
        return
    if not is_uri(achievement.get("id")):
        yield problem("MALFORMED_VALUE_ERROR", "achievement.id must be a URL")
    if "Achievement" not in as_list(achievement.get("type")):
        yield problem("MALFORMED_VALUE_ERROR", "achievement.type must include Achievement")
    for name in ("name", "description"):
        if not isinstance(achievement.get(name), str | dict):
            yield problem("MALFORMED_VALUE_ERROR", f"achievement.{name} is required")
    if not isinstance(achievement.get("criteria"), dict):
        yield problem("MALFORMED_VALUE_ERROR", "achievement.criteria is required")
    yield from _enum_problem(achievement.get("achievementType"), ob.ACHIEVEMENT_TYPES, "achievementType")
    for alignment in as_list(achievement.get("alignment")):
        if isinstance(alignment, dict):
            yield from _enum_problem(alignment.get("targetType"), ob.ALIGNMENT_TARGET_TYPES, "alignment.targetType")
    for description in as_list(achievement.get("resultDescription")):
        if isinstance(description, dict):
            yield from _enum_problem(description.get("resultType"), ob.RESULT_TYPES, "resultDescription.resultType")


def _subject_problems(credential: Mapping[str, Any]) -> Iterator[ProblemDetails]:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        return
    if "AchievementSubject" not in as_list(subject.get("type")):
        yield problem("MALFORMED_VALUE_ERROR", "credentialSubject.type must include AchievementSubject")
    identifiers = as_list(subject.get("identifier"))
    if not subject.get("id") and not identifiers:
        yield problem("MALFORMED_VALUE_ERROR", "credentialSubject needs an id or at least one identifier")
    for identity in identifiers:
        if not isinstance(identity, dict) or not isinstance(identity.get("identityHash"), str):
            yield problem("MALFORMED_VALUE_ERROR", "each identifier needs an identityHash")
            continue
        if not isinstance(identity.get("hashed"), bool):
            yield problem("MALFORMED_VALUE_ERROR", "identifier.hashed must be a boolean")
        yield from _enum_problem(identity.get("identityType"), ob.IDENTIFIER_TYPES, "identityType")
    yield from _achievement_problems(subject.get("achievement"))
    for result in as_list(subject.get("result")):
        if isinstance(result, dict) and "status" in result and result["status"] not in ob.RESULT_STATUS_TYPES:
            yield problem("MALFORMED_VALUE_ERROR", "result.status is not a ResultStatusType", shown(result["status"]))


def _json_ld_problems(credential: Mapping[str, Any], contexts: ContextStore) -> Iterator[ProblemDetails]:
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    try:
        canonical = canonicalize(unsecured, contexts)
    except JsonLdProcessingError as exc:
        yield problem(exc.code, "JSON-LD processing failed", str(exc))
    else:
        remember_canonical_form(unsecured, canonical)


def check_conformance(credential: Mapping[str, Any], contexts: ContextStore) -> CheckResult:
    """OB 3.0 §8.1 step 1 and VCDM structure: contexts pinned, types, required fields, enumerations, data loss."""
    problems = [*_context_problems(credential, contexts), *_credential_problems(credential)]
    if is_open_badge(credential):
        problems.extend(_subject_problems(credential))
    if not any(p.code == "CONTEXT_NOT_ALLOWED" for p in problems):
        problems.extend(_json_ld_problems(credential, contexts))
    if problems:
        return failed(CHECK_ID, problems, _failure({p.code for p in problems}))
    kind = "Open Badges 3.0 credential" if is_open_badge(credential) else "Verifiable Credential"
    return passed(CHECK_ID, f"The credential is a well-formed {kind} (VCDM {vc_version(credential)}).")


def _failure(codes: set[str]) -> str:
    """The plain-language reason, most specific first: contexts and terms decide what the data even means."""
    if "CONTEXT_NOT_ALLOWED" in codes:
        return "The credential uses a JSON-LD context Credstack does not know (contexts are never fetched)."
    if "DATA_LOSS_DETECTION_ERROR" in codes:
        return "The credential contains terms that no context defines, so their meaning is unknown."
    return "The credential does not follow the data model it claims."
