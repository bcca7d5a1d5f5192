"""The report's credential summary (OB 3.0 §B.1 fields a person looks at first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemas.report import CredentialSummary
from verifier.checks.conformance import as_list, vc_version


def _text(value: Any) -> str | None:
    """A plain string, or the first value of a language map / value object (VCDM 2.0 §11.1)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("@value"), str):
        return str(value["@value"])
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def summarize(credential: Mapping[str, Any], container: str) -> CredentialSummary:
    issuer = credential.get("issuer")
    subjects = as_list(credential.get("credentialSubject"))
    subject = subjects[0] if subjects and isinstance(subjects[0], Mapping) else {}
    found = subject.get("achievement")
    achievement: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    v11 = vc_version(credential) == "1.1"
    return CredentialSummary(
        format=container,
        id=credential.get("id") if isinstance(credential.get("id"), str) else None,
        types=[t for t in as_list(credential.get("type")) if isinstance(t, str)],
        name=_text(credential.get("name")),
        issuer_id=_text(issuer.get("id") if isinstance(issuer, Mapping) else issuer),
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        achievement_id=_text(achievement.get("id")),
        achievement_name=_text(achievement.get("name")),
        subject_id=_text(subject.get("id")),
        valid_from=_text(credential.get("issuanceDate" if v11 else "validFrom")),
        valid_until=_text(credential.get("expirationDate" if v11 else "validUntil")),
        evidence_count=len(as_list(credential.get("evidence"))),
    )
