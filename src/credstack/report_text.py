"""Plain-text rendering of a verification report for `credstack verify --format text`."""

from __future__ import annotations

from schemas.report import CheckStatus, VerificationReport

_MARK = {
    CheckStatus.PASSED: "PASS",
    CheckStatus.FAILED: "FAIL",
    CheckStatus.ERROR: "ERROR",
    CheckStatus.SKIPPED: "SKIP",
}


def render_text(report: VerificationReport) -> str:
    """One line per check (status, id, explanation) and its problems, after a verdict and a summary."""
    summary = report.credential
    lines = [f"{'VERIFIED' if report.verified else 'NOT VERIFIED'}"]
    for label, value in (
        ("credential", summary.name or summary.id),
        ("achievement", summary.achievement_name),
        (
            "issuer",
            " ".join(v for v in (summary.issuer_name, f"({summary.issuer_id})" if summary.issuer_id else None) if v),
        ),
        ("recipient", summary.subject_id),
        ("valid", " to ".join(v for v in (summary.valid_from, summary.valid_until) if v)),
    ):
        if value:
            lines.append(f"  {label}: {value}")
    for check in report.checks:
        lines.append(f"[{_MARK[check.status]:5}] {check.id}: {check.explanation}")
        for item in check.problems:
            detail = f" ({item.detail})" if item.detail else ""
            lines.append(f"          {item.code}: {item.title}{detail}")
    # A presentation's or CLR's credentials: each report indented under the outer one, in order.
    for number, nested in enumerate(report.credentials, start=1):
        lines.append(f"credential {number} of {len(report.credentials)}:")
        lines.extend("    " + line for line in render_text(nested).splitlines())
    return "\n".join(lines) + "\n"
