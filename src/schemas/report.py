"""The verification report (ARCHITECTURE.md "Main interfaces"): one entry per check, in a fixed order.

Problem details follow RFC 9457 §3.1 (`type`, `title`, `detail`); `type` is the spec's error URI.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

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


class IdentifierSummary(BaseModel):
    """OB 3.0 §B.1 IdentityObject as a person may see it: a hashed identity is never carried, only its kind."""

    model_config = ConfigDict(frozen=True)

    identity_type: str | None = None
    hashed: bool = True
    identity: str | None = None  # the plain value, only when `hashed` is false


class EvidenceSummary(BaseModel):
    """OB 3.0 §B.1 Evidence: `id` is the URL of the evidence, when it has one."""

    model_config = ConfigDict(frozen=True)

    id: str | None = None
    name: str | None = None
    narrative: str | None = None
    description: str | None = None
    genre: str | None = None


class ResultSummary(BaseModel):
    """OB 3.0 §B.1 Result, with its ResultDescription and RubricCriterionLevel references resolved to names."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    value: str | None = None
    achieved_level: str | None = None
    status: str | None = None


class CredentialSummary(BaseModel):
    """OB 3.0 §B.1 fields a person looks at first; every value is copied from an untrusted credential as is."""

    model_config = ConfigDict(frozen=True)

    format: str | None = None
    id: str | None = None
    types: list[str] = Field(default_factory=list)
    name: str | None = None
    description: str | None = None
    image: str | None = None  # the badge image: the credential's, else its achievement's (URL or data URI)
    image_caption: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    issuer_url: str | None = None
    issuer_image: str | None = None
    achievement_id: str | None = None
    achievement_name: str | None = None
    achievement_description: str | None = None
    achievement_type: str | None = None
    criteria_id: str | None = None
    criteria_narrative: str | None = None
    subject_id: str | None = None
    recipient_identifiers: list[IdentifierSummary] = Field(default_factory=list)
    valid_from: str | None = None
    valid_until: str | None = None
    awarded_date: str | None = None
    evidence_count: int = 0
    evidence: list[EvidenceSummary] = Field(default_factory=list)
    results: list[ResultSummary] = Field(default_factory=list)


class PresentationSummary(BaseModel):
    """VCDM 2.0 §4.13 Verifiable Presentations: who presented, and how many credentials; copied as is (untrusted)."""

    model_config = ConfigDict(frozen=True)

    id: str | None = None
    holder: str | None = None
    credential_count: int = 0


ReportKind = Literal["credential", "presentation", "clr"]


class VerificationReport(BaseModel):
    """`verified` is true only when every required check passed or was skipped by policy, and, for a presentation
    or a CLR, every nested report in `credentials` is verified too (a presentation needs at least one)."""

    model_config = ConfigDict(frozen=True)

    verified: bool
    kind: ReportKind = "credential"
    checks: list[CheckResult]
    warnings: list[ProblemDetails] = Field(default_factory=list)
    credential: CredentialSummary = Field(default_factory=CredentialSummary)
    presentation: PresentationSummary | None = None
    credentials: list[VerificationReport] = Field(default_factory=list)
    checked_at: datetime
