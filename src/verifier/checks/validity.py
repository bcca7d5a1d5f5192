"""VCDM 2.0 §4.9 Validity Period (validFrom/validUntil) and VCDM 1.1 §4.6/§4.7 (issuanceDate/expirationDate)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from schemas.report import CheckResult
from verifier.checks.conformance import is_date_time_stamp, shown, vc_version
from verifier.problems import failed, passed, problem

CHECK_ID = "validity"


def parse_date_time(value: str) -> datetime:
    """XML Schema dateTimeStamp to an aware datetime; compared as instants, never as strings (P10)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _window(credential: Mapping[str, Any]) -> tuple[str, str, Any, Any]:
    if vc_version(credential) == "1.1":
        return "issuanceDate", "expirationDate", credential.get("issuanceDate"), credential.get("expirationDate")
    return "validFrom", "validUntil", credential.get("validFrom"), credential.get("validUntil")


def check_validity(credential: Mapping[str, Any], *, now: datetime, skew: timedelta) -> CheckResult:
    """The credential is within its validity period at `now`, allowing `skew` for clocks that disagree."""
    start_name, end_name, start, end = _window(credential)
    for name, value in ((start_name, start), (end_name, end)):
        if value is not None and not is_date_time_stamp(value):
            return failed(
                CHECK_ID,
                [problem("MALFORMED_VALUE_ERROR", f"{name} is not a date-time with a time zone", shown(value))],
                f"The {name} date cannot be read.",
            )
    if start is not None and now + skew < parse_date_time(start):
        return failed(
            CHECK_ID,
            [problem("CREDENTIAL_NOT_YET_VALID", "The credential is not yet valid", f"{start_name} is {start}")],
            f"The credential only becomes valid on {start}.",
        )
    if end is not None and now - skew > parse_date_time(end):
        return failed(
            CHECK_ID,
            [problem("CREDENTIAL_EXPIRED", "The credential has expired", f"{end_name} was {end}")],
            f"The credential expired on {end}.",
        )
    until = f" until {end}" if end else " with no expiry date"
    return passed(CHECK_ID, f"The credential is valid now{until}.", checked_at=now.isoformat())
