"""The verification report (ARCHITECTURE.md "Main interfaces"): one entry per check, in a fixed order.

Problem details follow RFC 9457 §3.1 (`type`, `title`, `detail`); `type` is the spec's error URI.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CHECK_IDS: tuple[str, ...] = (
    "parse",
    "conformance",
    "proof",
    "proof_purpose",
    "validity",
    "status",
    "recipient",
    "endorsements",
)


class CheckStatus(StrEnum):
    """PASSED and FAILED are verdicts; ERROR means it could not be determined; SKIPPED carries a reason."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class ProblemDetails(BaseModel):
    """RFC 9457 §3.1 problem details, with the spec's error code kept machine-readable."""

    model_config = ConfigDict(frozen=True)

    type: str
    code: str
    title: str
    detail: str = ""


class CheckResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    status: CheckStatus
    required: bool = True
    problems: list[ProblemDetails] = Field(default_factory=list)
    explanation: str = ""
    info: dict[str, Any] = Field(default_factory=dict)


class CredentialSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str | None = None
    id: str | None = None
    types: list[str] = Field(default_factory=list)
    name: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    achievement_id: str | None = None
    achievement_name: str | None = None
    subject_id: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    evidence_count: int = 0


class VerificationReport(BaseModel):
    """`verified` is true only when every required check passed or was skipped by policy."""

    model_config = ConfigDict(frozen=True)

    verified: bool
    checks: list[CheckResult]
    warnings: list[ProblemDetails] = Field(default_factory=list)
    credential: CredentialSummary = Field(default_factory=CredentialSummary)
    checked_at: datetime
