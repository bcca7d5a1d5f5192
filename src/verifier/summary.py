"""The report's credential summary (OB 3.0 §B.1 fields a person looks at first).

Everything here is read from a credential that may be forged or malformed: values of the wrong shape are left out
rather than refused (conformance reports them), and nothing is interpreted beyond picking the displayable string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.report import CredentialSummary, EvidenceSummary, IdentifierSummary, ResultSummary
from verifier.checks.conformance import as_list, vc_version

# Bounds the summary of a hostile credential; a person reads a few items, the JSON report still has them all.
MAX_LISTED = 50


def _text(value: Any) -> str | None:
    """A plain string, or the first value of a language map / value object (VCDM 2.0 §11.1)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("@value"), str):
        return str(value["@value"])
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _image(value: Any) -> tuple[str | None, str | None]:
    """OB 3.0 §B.1 Image: an object with `id` (URL or data URI) and `caption`, or just the URI as a string."""
    if isinstance(value, str):
        return value, None
    image = _object(value)
    return _text(image.get("id")), _text(image.get("caption"))


def _identifiers(subject: Mapping[str, Any]) -> list[IdentifierSummary]:
    """OB 3.0 §B.1 IdentityObject: a hashed identity is reported by kind only, never as its hash."""
    found = []
    for identity in as_list(subject.get("identifier"))[:MAX_LISTED]:
        if not isinstance(identity, Mapping):
            continue
        hashed = identity.get("hashed") is not False
        found.append(
            IdentifierSummary(
                identity_type=_text(identity.get("identityType")),
                hashed=hashed,
                identity=None if hashed else _text(identity.get("identityHash")),
            )
        )
    return found


def _evidence(credential: Mapping[str, Any]) -> list[EvidenceSummary]:
    """OB 3.0 §B.1 Evidence, or a bare evidence URL (VCDM 2.0 §5.6 allows either)."""
    found = []
    for item in as_list(credential.get("evidence"))[:MAX_LISTED]:
        if isinstance(item, str):
            found.append(EvidenceSummary(id=item))
        elif isinstance(item, Mapping):
            found.append(
                EvidenceSummary(
                    id=_text(item.get("id")),
                    name=_text(item.get("name")),
                    narrative=_text(item.get("narrative")),
                    description=_text(item.get("description")),
                    genre=_text(item.get("genre")),
                )
            )
    return found


def _names_by_id(items: Any) -> dict[str, str]:
    return {
        item["id"]: name
        for item in as_list(items)
        if isinstance(item, Mapping) and isinstance(item.get("id"), str) and (name := _text(item.get("name")))
    }


def _results(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> list[ResultSummary]:
    """OB 3.0 §B.1 Result: `resultDescription` and `achievedLevel` are ids within the achievement, named there."""
    descriptions = [d for d in as_list(achievement.get("resultDescription")) if isinstance(d, Mapping)]
    description_names = _names_by_id(descriptions)
    level_names = {k: v for d in descriptions for k, v in _names_by_id(d.get("rubricCriterionLevel")).items()}
    found = []
    for result in as_list(subject.get("result"))[:MAX_LISTED]:
        if not isinstance(result, Mapping):
            continue
        description = _text(result.get("resultDescription"))
        level = _text(result.get("achievedLevel"))
        found.append(
            ResultSummary(
                name=description_names.get(description, description) if description else None,
                value=_text(result.get("value")),
                achieved_level=level_names.get(level, level) if level else None,
                status=_text(result.get("status")),
            )
        )
    return found


def summarize(credential: Mapping[str, Any], container: str) -> CredentialSummary:
    issuer = credential.get("issuer")
    issuer_profile = _object(issuer)
    subjects = as_list(credential.get("credentialSubject"))
    subject = _object(subjects[0] if subjects else None)
    achievement = _object(subject.get("achievement"))
    criteria = _object(achievement.get("criteria"))
    image, caption = _image(credential.get("image"))
    if image is None:
        image, caption = _image(achievement.get("image"))
    evidence = _evidence(credential)
    v11 = vc_version(credential) == "1.1"
    return CredentialSummary(
        format=container,
        id=credential.get("id") if isinstance(credential.get("id"), str) else None,
        types=[t for t in as_list(credential.get("type")) if isinstance(t, str)],
        name=_text(credential.get("name")),
        description=_text(credential.get("description")),
        image=image,
        image_caption=caption,
        issuer_id=_text(issuer_profile.get("id") if issuer_profile else issuer),
        issuer_name=_text(issuer_profile.get("name")),
        issuer_url=_text(issuer_profile.get("url")),
        issuer_image=_image(issuer_profile.get("image"))[0],
        achievement_id=_text(achievement.get("id")),
        achievement_name=_text(achievement.get("name")),
        achievement_description=_text(achievement.get("description")),
        achievement_type=_text(achievement.get("achievementType")),
        criteria_id=_text(criteria.get("id")),
        criteria_narrative=_text(criteria.get("narrative")),
        subject_id=_text(subject.get("id")),
        recipient_identifiers=_identifiers(subject),
        valid_from=_text(credential.get("issuanceDate" if v11 else "validFrom")),
        valid_until=_text(credential.get("expirationDate" if v11 else "validUntil")),
        awarded_date=_text(credential.get("awardedDate")),
        evidence_count=len(as_list(credential.get("evidence"))),
        evidence=evidence,
        results=_results(subject, achievement),
    )
