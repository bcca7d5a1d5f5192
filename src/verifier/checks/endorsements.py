"""The `endorsements` check: OB 3.0 §8.1 step 6, every embedded EndorsementCredential verified the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

from schemas.report import CheckResult, CheckStatus, VerificationReport
from verifier.checks.conformance import as_list
from verifier.problems import errored, failed, passed, problem, skipped

CHECK_ID = "endorsements"
MAX_ENDORSEMENTS = 16

Verify = Callable[[dict[str, Any] | str], Awaitable[VerificationReport]]


def embedded_endorsements(credential: Mapping[str, Any]) -> Iterator[dict[str, Any] | str]:
    """OB 3.0 §B.1: `endorsement` / `endorsementJwt` on the credential, its issuer and its achievement."""
    holders: list[Any] = [credential, credential.get("issuer")]
    for subject in as_list(credential.get("credentialSubject")):
        if isinstance(subject, Mapping):
            holders.append(subject.get("achievement"))
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        for item in as_list(holder.get("endorsement")):
            if isinstance(item, dict):
                yield item
        for token in as_list(holder.get("endorsementJwt")):
            if isinstance(token, str):
                yield token


async def check_endorsements(credential: Mapping[str, Any], *, verify: Verify | None) -> CheckResult:
    """Each endorsement must verify on its own; none present means nothing to check."""
    found = list(embedded_endorsements(credential))
    if not found:
        return skipped(CHECK_ID, "The credential carries no endorsements.", required=False)
    if verify is None:
        return skipped(CHECK_ID, "Endorsements nested this deep are not verified.", required=False)
    if len(found) > MAX_ENDORSEMENTS:
        return failed(CHECK_ID, [problem("RANGE_ERROR", "Too many endorsements", f"more than {MAX_ENDORSEMENTS}")])
    reports = [await verify(item) for item in found]
    bad = [i for i, report in enumerate(reports) if _has(report, CheckStatus.FAILED)]
    unknown = [i for i, report in enumerate(reports) if not report.verified and i not in bad]
    if bad:
        details = [
            problem("ENDORSEMENT_NOT_VERIFIED", "An endorsement did not verify", _detail(i, reports[i])) for i in bad
        ]
        return failed(CHECK_ID, details, _count(len(bad), len(reports), "did not verify"))
    if unknown:
        details = [
            problem("ENDORSEMENT_NOT_VERIFIED", "An endorsement could not be checked", _detail(i, reports[i]))
            for i in unknown
        ]
        return errored(CHECK_ID, details, _count(len(unknown), len(reports), "could not be checked"))
    return passed(CHECK_ID, _count(len(reports), len(reports), "verified"), count=len(reports))


def _count(some: int, total: int, outcome: str) -> str:
    if total == 1:
        return f"The endorsement {outcome}."
    return f"All {total} endorsements {outcome}." if some == total else f"{some} of {total} endorsements {outcome}."


def _detail(index: int, report: VerificationReport) -> str:
    """Which endorsement (by position and endorser) and which of its own checks did not pass."""
    endorser = f" by {report.credential.issuer_id}" if report.credential.issuer_id else ""
    checks = ", ".join(f"{c.id} {c.status.value}" for c in report.checks if _counts_against(c))
    return f"endorsement #{index + 1}{endorser}" + (f": {checks}" if checks else "")


def _counts_against(check: CheckResult) -> bool:
    return check.required and check.status in (CheckStatus.FAILED, CheckStatus.ERROR)


def _has(report: VerificationReport, status: CheckStatus) -> bool:
    return any(check.status is status and check.required for check in report.checks)
