"""OB 3.0 §B.1 AchievementCredential: render the unsigned OpenBadgeCredential of one award (ARCHITECTURE "Issue" 2).

Pure: the issuer profile, the achievement (the OB Achievement JSON of the version awarded), the validated request,
the clock reading, the recipient salt and the already allocated status entries in; the credential dict out. The
dict follows the OB 3.0 serialization rules: arrays for multi-valued properties even with one value, no nulls, no
empty arrays. Whether the result may be issued is `issuer.issuable.validate_issuable`'s call.

`@context` is the VC 2.0 context, the OB 3.0.3 context and the OB extensions context. The last one is there because
`credentialSchema` names the 1EdTech schema with type `1EdTechJsonSchemaValidator2019`, which only the extensions
context defines: without it that type would be a relative IRI that JSON-LD drops (STANDARDS pitfall P3), and data
loss detection refuses the credential.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from credentials.identity import identity_hash
from credentials.identity import normalize_identifier as normalize_email
from credentials.proofs import format_date_time_stamp
from issuer.achievements import DescribedResult, FieldError, described_results, resolve_reference
from schemas import ob
from schemas.issuance import EvidenceInput, IssueCredentialRequest, ResultInput

CREDENTIAL_CONTEXT = (ob.VC_V2_CONTEXT, ob.OB_CONTEXT, ob.OB_EXTENSIONS_CONTEXT)
CREDENTIAL_TYPE = ("VerifiableCredential", "OpenBadgeCredential")
ACHIEVEMENT_CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
JSON_SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"


class RenderError(FieldError):
    """The request does not fit the achievement (HTTP 422); `loc` paths are relative to the request body."""


def email_identity(email: str, salt: str) -> dict[str, Any]:
    """OB 3.0 §B.1 IdentityObject for an email address, hashed with `salt` after `normalize_email`."""
    if not salt:
        raise ValueError("an email identity needs a salt: unsalted email hashes are trivially reversed")
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": identity_hash(normalize_email(email), salt),
        "identityType": "emailAddress",
        "salt": salt,
    }


def render_credential(
    *,
    credential_id: str,
    issuer_profile: Mapping[str, Any],
    achievement: Mapping[str, Any],
    request: IssueCredentialRequest,
    now: datetime,
    salt: str,
    status: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """OB 3.0 §B.1 AchievementCredential (type OpenBadgeCredential), unsigned.

    `issuer_profile` is the OB Profile whose `id` is the issuer DID; `now` is timezone-aware; `status` holds the
    allocated credentialStatus entries. Raises RenderError when a result names no result description of the
    achievement, an achieved level is not a level of its description, a Status result has no status, a value is
    not an allowed value, or validUntil is not after validFrom; ValueError for caller bugs (missing ids, no salt).

    One status entry is written as an object, as OB 3.0 (credentialStatus 0..1) and the 1EdTech schema want. Two
    entries (revocation and suspension, when the issuer opted in to suspension) are written as an array, which VCDM
    2.0 §4.10 allows but OB 3.0 does not foresee: some OB validators then report the credential as non-conformant.
    """
    valid_from = format_date_time_stamp(request.validFrom or now)
    valid_until = format_date_time_stamp(request.validUntil) if request.validUntil is not None else None
    if valid_until is not None and valid_until <= valid_from:
        # Both are UTC second-precision stamps of the same shape, so string order is time order.
        raise RenderError.at(("validUntil",), f"must be after validFrom ({valid_from})")
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": _absolute_id(credential_id, "credential_id"),
        "type": list(CREDENTIAL_TYPE),
        "name": achievement["name"],
        "issuer": issuer_object(issuer_profile),
        "validFrom": valid_from,
    }
    _put(credential, "validUntil", valid_until)
    credential["credentialSubject"] = _subject(achievement, request, salt)
    _put(credential, "evidence", [_evidence(item) for item in request.evidence or ()])
    _put(credential, "credentialStatus", _status(status))
    credential["credentialSchema"] = [{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, "type": JSON_SCHEMA_VALIDATOR_TYPE}]
    return credential


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    # OB 3.0 §B serialization: null values and empty arrays are omitted, never written.
    if value is not None and value != []:
        document[key] = value


def _absolute_id(value: Any, what: str) -> str:
    if not isinstance(value, str) or ":" not in value or any(c.isspace() for c in value):
        raise ValueError(f"{what} must be an absolute URI (a URL or urn:uuid:), not {value!r}")
    return value


def issuer_object(profile: Mapping[str, Any]) -> dict[str, Any]:
    """OB 3.0 §B.1 Profile as the issuer: a copy whose `type` includes Profile."""
    issuer = copy.deepcopy(dict(profile))
    _absolute_id(issuer.get("id"), "issuer_profile.id")
    declared = issuer.get("type")
    types = list(declared) if isinstance(declared, list) else [declared] if isinstance(declared, str) else []
    issuer["type"] = types if "Profile" in types else [*types, "Profile"]
    return {"id": issuer.pop("id"), "type": issuer.pop("type"), **issuer}


def _subject(achievement: Mapping[str, Any], request: IssueCredentialRequest, salt: str) -> dict[str, Any]:
    """OB 3.0 §B.1 AchievementSubject: the recipient (a DID as `id`, or a hashed email identifier) and the award."""
    subject: dict[str, Any] = {}
    if request.recipient.did is not None:
        subject["id"] = request.recipient.did
    subject["type"] = ["AchievementSubject"]
    if request.recipient.email is not None:
        subject["identifier"] = [email_identity(request.recipient.email, salt)]
    subject["achievement"] = copy.deepcopy(dict(achievement))
    _put(subject, "result", _results(achievement, request.result or ()))
    _put(subject, "narrative", request.narrative)
    start, end = request.activityStartDate, request.activityEndDate
    _put(subject, "activityStartDate", format_date_time_stamp(start) if start is not None else None)
    _put(subject, "activityEndDate", format_date_time_stamp(end) if end is not None else None)
    _put(subject, "creditsEarned", request.creditsEarned)
    return subject


def _results(achievement: Mapping[str, Any], results: Sequence[ResultInput]) -> list[dict[str, Any]]:
    achievement_id = _absolute_id(achievement.get("id"), "achievement.id")
    described = described_results(achievement)
    return [_result(item, index, achievement_id, described) for index, item in enumerate(results)]


def _result(
    item: ResultInput, index: int, achievement_id: str, described: Mapping[str, DescribedResult]
) -> dict[str, Any]:
    """OB 3.0 §B.1 Result: it must name a ResultDescription "in the asserted achievement", and a level of it."""
    loc = ("result", index)
    description = described.get(resolve_reference(item.resultDescription, achievement_id))
    if description is None:
        raise RenderError.at(
            (*loc, "resultDescription"), "is not the id of one of the achievement's result descriptions"
        )
    level = resolve_reference(item.achievedLevel, achievement_id) if item.achievedLevel is not None else None
    if level is not None and level not in description.level_ids:
        raise RenderError.at((*loc, "achievedLevel"), "is not the id of one of the result description's rubric levels")
    if description.result_type == "Status" and item.status is None:
        raise RenderError.at((*loc, "status"), "is required: the result description's resultType is Status")
    allowed = description.allowed_values
    if allowed is not None and item.value is not None and item.value not in allowed:
        raise RenderError.at((*loc, "value"), "is not one of the result description's allowedValue entries")
    result: dict[str, Any] = {"type": ["Result"], "resultDescription": description.id}
    _put(result, "achievedLevel", level)
    _put(result, "value", item.value)
    _put(result, "status", item.status)
    return result


def _evidence(item: EvidenceInput) -> dict[str, Any]:
    """OB 3.0 §B.1 Evidence, typed; `id` first as in the specification's examples."""
    evidence: dict[str, Any] = {}
    _put(evidence, "id", item.id)
    evidence["type"] = ["Evidence"]
    for key in ("narrative", "name", "description", "genre", "audience"):
        _put(evidence, key, getattr(item, key))
    return evidence


def _status(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any] | list[dict[str, Any]] | None:
    """OB 3.0 credentialStatus [0..1]: one entry as an object; more (VCDM 2.0 §4.10) as an array."""
    copies = [copy.deepcopy(dict(entry)) for entry in entries]
    if not copies:
        return None
    return copies[0] if len(copies) == 1 else copies
