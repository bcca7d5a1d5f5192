"""Presentation helpers for the verification page (issue 4 "The page"): the Jinja2 environment and its filters.

Every value shown comes from a credential someone pasted, so the environment autoescapes everything, and URLs are
only turned into links or images when their scheme is one a browser handles harmlessly (never `javascript:`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from credstack import __version__
from schemas.report import CheckResult, CheckStatus, VerificationReport

TEMPLATES = Path(__file__).parent / "templates"

# The plain-language name of each check id; the id itself is shown next to it for the technically minded.
CHECK_LABELS: dict[str, str] = {
    "parse": "Readable",
    "conformance": "Well-formed",
    "proof": "Signature",
    "proof_purpose": "Issuer's key",
    "validity": "Dates",
    "status": "Not revoked or suspended",
    "recipient": "Recipient",
    "endorsements": "Endorsements",
}

STATUS_LABELS: dict[CheckStatus, str] = {
    CheckStatus.PASSED: "Passed",
    CheckStatus.FAILED: "Failed",
    CheckStatus.ERROR: "Could not check",
    CheckStatus.SKIPPED: "Skipped",
}

IDENTITY_LABELS: dict[str, str] = {"emailAddress": "Email address", "name": "Name", "url": "Web address"}

# OB 3.0 §B.1 Image ids are URLs or data URIs; of data URIs only PNG and SVG, the badge formats (OB 3.0 §5.3).
_DATA_IMAGE = re.compile(r"^data:image/(png|svg\+xml)(;[A-Za-z0-9=.+-]*)*,", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def safe_href(value: str | None) -> str | None:
    """The URL if a link to it is harmless to follow (http or https with a host), else None: shown as text."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def safe_image_src(value: str | None) -> str | None:
    """An https URL or a PNG/SVG data URI, else None; the page's img-src policy allows nothing else either."""
    if not value:
        return None
    value = value.strip()
    if _DATA_IMAGE.match(value):
        return value
    parts = urlsplit(value)
    return value if parts.scheme.lower() == "https" and parts.netloc else None


def human_date(value: str | None) -> str:
    """An XML Schema dateTime (VCDM 2.0 §4.9) as "1 June 2024" (with the UTC time unless midnight)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    day = f"{moment.day} {moment:%B %Y}"
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return day
    return f"{day}, {moment:%H:%M}" + (" UTC" if moment.tzinfo is not None else "")


def identity_label(value: str | None) -> str:
    """OB 3.0 §B.2 IdentifierTypeEnum values as words: `emailAddress` -> "Email address"."""
    if not value:
        return "Identifier"
    if value in IDENTITY_LABELS:
        return IDENTITY_LABELS[value]
    words = _CAMEL.sub(" ", value.removeprefix("ext:")).lower()
    return words[:1].upper() + words[1:]


def pretty_json(value: Any) -> str:
    """Technical detail for people: indented JSON text, escaped by the template like any other text."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def check_label(check: CheckResult) -> str:
    return CHECK_LABELS.get(check.id, check.id)


def nested_reports(report: VerificationReport) -> list[VerificationReport]:
    """The reports of the credentials inside a presentation or CLR (none for a plain credential)."""
    return list(report.credentials)


def unverified_inside(report: VerificationReport) -> list[tuple[int, VerificationReport]]:
    """The credentials inside that did not verify, with their 1-based positions (the verdict names them)."""
    return [(position, inner) for position, inner in enumerate(report.credentials, 1) if not inner.verified]


def credential_title(report: VerificationReport) -> str:
    summary = report.credential
    return summary.achievement_name or summary.name or "Untitled credential"


def problem_checks(report: VerificationReport, status: CheckStatus) -> list[CheckResult]:
    return [check for check in report.checks if check.status is status]


def page_environment() -> Environment:
    """Autoescaping, strict about undefined names (a template typo fails the tests, not a user's page)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The embedded report keeps the pipeline's member order, so the download reads like the API's answer.
    environment.policies["json.dumps_kwargs"] = {"sort_keys": False}
    environment.filters.update(
        safe_href=safe_href,
        safe_image_src=safe_image_src,
        human_date=human_date,
        identity_label=identity_label,
        pretty_json=pretty_json,
        check_label=check_label,
    )
    environment.globals.update(
        version=__version__,
        status_labels=STATUS_LABELS,
        nested_reports=nested_reports,
        unverified_inside=unverified_inside,
        credential_title=credential_title,
        problem_checks=problem_checks,
        CheckStatus=CheckStatus,
    )
    return environment
