"""Issue 5 "Evaluate and award": whether a verification report lets a credential count, and if not, why.

A credential counts only when the report is verified and each of the checks that make it authentic and current
(proof, proof_purpose, validity, status) passed, or was skipped as not required: the verifier skips the status check
that way for a credential without a status entry, which nobody can revoke. A status that could not be determined
(`error`) does not count: "status could not be checked" is not "not revoked". The first check that fails, in the
report's order, is the one named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from schemas.pathway_award_api import Failure as WireFailure
from schemas.report import CheckResult, CheckStatus, VerificationReport

FailureCode = WireFailure  # the wire names (schemas.pathway_award_api) are the codes
REQUIRED_CHECKS: Final = ("proof", "proof_purpose", "validity", "status")

SENTENCES: Final[Mapping[FailureCode, str]] = {
    "unreadable": "it could not be read as a credential",
    "malformed": "it does not follow the Verifiable Credentials and Open Badges data model",
    "tampered": "its signature does not match its content: it was altered, or not signed by the key it names",
    "proof_unknown": "its signature could not be checked (the issuer's key could not be obtained)",
    "not_issuers_key": "it was not signed with a key of its issuer",
    "not_yet_valid": "it is not valid yet",
    "expired": "it has expired",
    "revoked": "its issuer has revoked it",
    "suspended": "its issuer has suspended it",
    "status_invalid": "its revocation status cannot be read from the issuer's status list",
    "status_unknown": "its status could not be checked, so it may have been revoked",
    "unverified": "the verifier did not verify it",
}
# Problem codes of the verifier's checks (verifier.checks.validity, verifier.checks.status) that say more.
_BY_PROBLEM: Final[Mapping[tuple[str, str], FailureCode]] = {
    ("validity", "CREDENTIAL_EXPIRED"): "expired",
    ("validity", "CREDENTIAL_NOT_YET_VALID"): "not_yet_valid",
    ("status", "CREDENTIAL_REVOKED"): "revoked",
    ("status", "CREDENTIAL_SUSPENDED"): "suspended",
}
_WHEN_FAILED: Final[Mapping[str, FailureCode]] = {
    "parse": "unreadable",
    "conformance": "malformed",
    "proof": "tampered",
    "proof_purpose": "not_issuers_key",
    "validity": "malformed",
    "status": "status_invalid",
}
_WHEN_UNDETERMINED: Final[Mapping[str, FailureCode]] = {
    "proof": "proof_unknown",
    "proof_purpose": "proof_unknown",
    "status": "status_unknown",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a report does not let a credential count: a stable code, the check at fault (if one is), a sentence."""

    code: FailureCode
    check: str | None
    sentence: str


def failure(report: VerificationReport) -> Failure | None:
    """None when the credential is verified enough to count; otherwise the first reason it is not."""
    for check in report.checks:
        if not _acceptable(check):
            return _failure_of(check)
    by_id = {check.id: check for check in report.checks}
    missing = next((check_id for check_id in REQUIRED_CHECKS if check_id not in by_id), None)
    if missing is not None or not report.verified:
        # A report without one of the checks, or unverified for a reason no check states, is not trusted.
        return Failure("unverified", missing, SENTENCES["unverified"])
    return None


def unreadable(detail: str) -> Failure:
    """A candidate that is no credential at all: nothing was verified."""
    return Failure("unreadable", "parse", f"{SENTENCES['unreadable']}: {detail}")


def _acceptable(check: CheckResult) -> bool:
    if check.status is CheckStatus.PASSED:
        return True
    if check.status is CheckStatus.SKIPPED:
        return not check.required
    # A failed or undetermined check that the report itself does not require (none today) still cannot vouch for
    # the credential when it is one of the four that make it authentic and current.
    return not check.required and check.id not in REQUIRED_CHECKS


def _failure_of(check: CheckResult) -> Failure:
    code: FailureCode | None = None
    if check.status is CheckStatus.FAILED:
        codes = (_BY_PROBLEM.get((check.id, problem.code)) for problem in check.problems)
        code = next((found for found in codes if found is not None), None) or _WHEN_FAILED.get(check.id)
    elif check.status is CheckStatus.ERROR:
        code = _WHEN_UNDETERMINED.get(check.id)
    if code is None:
        return Failure("unverified", check.id, f"{SENTENCES['unverified']} (its {check.id} check: {check.status})")
    return Failure(code, check.id, SENTENCES[code])
