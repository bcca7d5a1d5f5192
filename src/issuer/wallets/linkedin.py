"""Issue 6 "Add to LinkedIn" (WALLETS.md §5): the LinkedIn "Add to profile" URL for one credential.

LinkedIn's Licenses & certifications form opens pre-filled from `https://www.linkedin.com/profile/add` with
`startTask=CERTIFICATION_NAME` and the certification's name, organization, issue (and expiry) year and month, a
"Show credential" URL (`certUrl`, the credential's stable public page) and a "Credential ID" (`certId`). Every value
is percent-encoded with nothing left unescaped (LCW does not encode, and a name with `&` breaks its links).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

ADD_TO_PROFILE_URL = "https://www.linkedin.com/profile/add"
START_TASK = "CERTIFICATION_NAME"
URN_UUID = "urn:uuid:"


@dataclass(frozen=True, slots=True)
class Certification:
    """What the LinkedIn form is filled with; `organization_id` wins over `organization_name` when both are set."""

    name: str
    issued: datetime
    cert_url: str
    cert_id: str
    organization_id: str | None = None
    organization_name: str | None = None
    expires: datetime | None = None


def _month(moment: datetime) -> tuple[str, str]:
    """Year and month (1-12) of `moment` in UTC: LinkedIn's form has no time zone, the credential's dates do."""
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return str(utc.year), str(utc.month)


def add_to_profile_url(certification: Certification) -> str:
    """WALLETS.md §5: the "Add to profile" URL, parameters in LinkedIn's documented order, each percent-encoded."""
    issue_year, issue_month = _month(certification.issued)
    params: list[tuple[str, str]] = [("startTask", START_TASK), ("name", certification.name)]
    if certification.organization_id:
        params.append(("organizationId", certification.organization_id))
    elif certification.organization_name:
        params.append(("organizationName", certification.organization_name))
    params += [("issueYear", issue_year), ("issueMonth", issue_month)]
    if certification.expires is not None:
        expiration_year, expiration_month = _month(certification.expires)
        params += [("expirationYear", expiration_year), ("expirationMonth", expiration_month)]
    params += [("certUrl", certification.cert_url), ("certId", certification.cert_id)]
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params)
    return f"{ADD_TO_PROFILE_URL}?{query}"


def parse_datetime(value: Any) -> datetime | None:
    """An XML Schema dateTimeStamp (VCDM 2.0 §4.9 validFrom / validUntil); a value without offset is read as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def certification_of(
    credential: Mapping[str, Any], *, cert_url: str, organization_id: str | None, issuer_name: str | None
) -> Certification:
    """WALLETS.md §5 table: name = the achievement's (else the credential's), dates from validFrom / validUntil
    (VCDM 1.1 issuanceDate / expirationDate as a fallback), certId = the credential id without `urn:uuid:`.

    `issuer_name` is the issuer profile's name as the service keeps it; the credential's own `issuer.name` is the
    fallback. ValueError when the credential has no usable name, id or issue date (ours always have them).
    """
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    name = _text(achievement.get("name")) if isinstance(achievement, Mapping) else None
    name = name or _text(credential.get("name"))
    issuer = credential.get("issuer")
    organization_name = issuer_name or (_text(issuer.get("name")) if isinstance(issuer, Mapping) else None)
    issued = parse_datetime(credential.get("validFrom", credential.get("issuanceDate")))
    credential_id = _text(credential.get("id"))
    if name is None or issued is None or credential_id is None:
        raise ValueError("the credential has no name, issue date or id for LinkedIn")
    return Certification(
        name=name,
        issued=issued,
        cert_url=cert_url,
        cert_id=credential_id.removeprefix(URN_UUID),
        organization_id=organization_id or None,
        organization_name=organization_name,
        expires=parse_datetime(credential.get("validUntil", credential.get("expirationDate"))),
    )
