"""VC-API (VCALM) §"Verify Credential" and §"Verify Presentation" as the W3C test suites drive them
(/work/shared/design/VC-API.md §3.2, §3.3): requests in, VerificationResult bodies and status codes out.

`options.checks` selects which of the optional checks decide the verdict; parsing, conformance, the proof and its
purpose always do, since a credential whose structure or signature fails is never verified whatever was asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from schemas.report import CheckResult, CheckStatus, ProblemDetails, VerificationReport
from verifier.api.problems import invalid_request
from verifier.api.submission import PresentationOptions, Recipient, input_member, presentation_options, verify_options
from verifier.parse import Limits, ParsedInput, UnreadableInput, parse_json_object
from verifier.problems import problem
from verifier.service import VerifyOptions, is_verified

# VC-API check names (and our own check ids) -> the report's check ids they stand for.
CHECK_NAMES: Mapping[str, tuple[str, ...]] = {
    "proof": ("proof", "proof_purpose"),
    "proof_purpose": ("proof_purpose",),
    "credentialStatus": ("status",),
    "status": ("status",),
    "expiration": ("validity",),
    "validity": ("validity",),
    "endorsements": ("endorsements",),
    "parse": ("parse",),
    "conformance": ("conformance",),
}
# The checks `options.checks` may leave out; every other check (including any a later version adds) always counts.
SELECTABLE = frozenset({"validity", "status", "recipient", "endorsements"})
Kind = Literal["credential", "presentation"]


@dataclass(frozen=True, slots=True)
class VcApiRequest:
    """`{"verifiableCredential"|"verifiablePresentation": …, "options": {…}}`, read but not yet verified."""

    kind: Kind
    member: str
    document: Any
    options: VerifyOptions
    excluded: frozenset[str]

    def parsed(self, limits: Limits) -> ParsedInput:
        """The input (UnreadableInput when it cannot be read: a verdict, reported as such)."""
        return input_member(self.member, self.document, self.kind, limits)


def read_request(data: bytes, kind: Kind, limits: Limits) -> VcApiRequest:
    """The request body; RequestProblem (400) when it is not a JSON object with the input member."""
    member = "verifiableCredential" if kind == "credential" else "verifiablePresentation"
    try:
        body = parse_json_object(data.decode("utf-8-sig"), limits.max_json_depth + 1)
    except (UnreadableInput, UnicodeDecodeError) as exc:
        raise invalid_request(f"the body must be a JSON object: {exc}") from exc
    if body.get(member) is None:
        raise invalid_request(f"`{member}` is required")
    options = {} if body.get("options") is None else body["options"]
    if not isinstance(options, dict):
        raise invalid_request("`options` must be a JSON object")
    presentation = presentation_options(options) if kind == "presentation" else PresentationOptions()
    return VcApiRequest(
        kind=kind,
        member=member,
        document=body[member],
        options=verify_options(Recipient(), presentation),
        excluded=_excluded(options.get("checks")),
    )


def _excluded(checks: Any) -> frozenset[str]:
    """The selectable checks `options.checks` leaves out; none when it is absent."""
    if checks is None:
        return frozenset()
    if not isinstance(checks, list) or not all(isinstance(name, str) for name in checks):
        raise invalid_request("`options.checks` must be an array of check names")
    unknown = sorted(set(checks) - set(CHECK_NAMES))
    if unknown:
        raise invalid_request(f"unknown checks {unknown}; known: {sorted(CHECK_NAMES)}")
    wanted = {check_id for name in checks for check_id in CHECK_NAMES[name]}
    return SELECTABLE - wanted


def _failure_problems(check: CheckResult) -> list[ProblemDetails]:
    """A check that did not pass always says why, even when it carries no problem of its own."""
    if check.problems:
        return list(check.problems)
    return [problem("VERIFICATION_ERROR", f"The {check.id} check did not pass", check.explanation)]


def counted_verified(report: VerificationReport, excluded: frozenset[str]) -> bool:
    """`verified` as verifier.service decides it, over the checks that count, nested reports included."""
    own = is_verified([c for c in report.checks if c.id not in excluded])
    nested = [counted_verified(inner, excluded) for inner in report.credentials]
    if report.kind == "presentation":  # a presentation verifies only with at least one credential inside
        return own and bool(nested) and all(nested)
    return own and all(nested)


def _problems(
    report: VerificationReport, excluded: frozenset[str]
) -> tuple[list[ProblemDetails], list[ProblemDetails]]:
    """Errors (required checks that count and failed or could not be determined) and warnings, nested included."""
    failing = [c for c in report.checks if c.id not in excluded and c.status in {CheckStatus.FAILED, CheckStatus.ERROR}]
    errors = [p for c in failing if c.required for p in _failure_problems(c)]
    warnings = [*report.warnings, *(p for c in failing if not c.required for p in c.problems)]
    for inner in report.credentials:
        inner_errors, inner_warnings = _problems(inner, excluded)
        errors += inner_errors
        warnings += inner_warnings
    return errors, warnings


def vcapi_result(report: VerificationReport, excluded: frozenset[str]) -> tuple[int, dict[str, Any]]:
    """VC-API VerificationResult: 200 when verified, else 422 (as the W3C suites expect), with our full report.

    `checks` names the checks that ran and count; `errors` are the problems of those that failed or could not be
    determined (in nested credentials too), `warnings` the report's warnings and problems of checks that do not
    count; `problemDetails` (VCALM) is both lists together.
    """
    verified = counted_verified(report, excluded)
    errors, warnings = _problems(report, excluded)
    if not verified and not errors:  # e.g. a presentation without credentials: still say why
        errors = [problem("VERIFICATION_ERROR", "Not verified", "see `report` for each check")]
    body = {
        "verified": verified,
        "checks": [c.id for c in report.checks if c.id not in excluded and c.status is not CheckStatus.SKIPPED],
        "errors": [p.model_dump() for p in errors],
        "warnings": [p.model_dump() for p in warnings],
        "problemDetails": [p.model_dump() for p in [*errors, *warnings]],
        "report": report.model_dump(mode="json"),
    }
    return (200 if verified else 422), body
