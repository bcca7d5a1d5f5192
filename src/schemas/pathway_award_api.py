"""`POST /api/v1/pathways/{id}/evaluate` and `/award` (issue 5 "Evaluate and award"): request and responses.

The evaluation says, for one learner, whether a pathway's current version is satisfied, why each credential
considered counts or not, the annotated rule tree, progress, and what is missing (as data and as a sentence).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from schemas.achievement import StrictModel
from schemas.issuance import Recipient
from schemas.pathways import MissingRequirement, Progress, RuleNodeTrace

MAX_PRESENTED = 100

Reason = Literal[
    "counted", "not_verified", "untrusted_issuer", "another_learner", "too_old", "not_relevant", "duplicate"
]
Failure = Literal[
    "unreadable",
    "malformed",
    "tampered",
    "proof_unknown",
    "not_issuers_key",
    "not_yet_valid",
    "expired",
    "revoked",
    "suspended",
    "status_invalid",
    "status_unknown",
    "unverified",
]


class EvaluateRequest(StrictModel):
    """Who the learner is, the credentials they present, and whether to add the organization's stored ones."""

    learner: Recipient = Field(description="exactly one of `email` and `did`")
    credentials: Annotated[
        list[dict[str, Any] | StrictStr],
        Field(max_length=MAX_PRESENTED, description="credentials as JSON objects or compact JWS (VC-JWT) strings"),
    ] = Field(default_factory=list)
    include_stored: bool = Field(
        default=True, description="also consider the credentials the organization issued to the learner"
    )


class CountsAsEntry(BaseModel):
    """One of the rule's achievements a credential counts as, and why (its own achievement, an equivalence)."""

    model_config = ConfigDict(frozen=True)

    achievement: str
    name: str
    reason: str


class ConsideredCredential(BaseModel):
    """One credential considered, presented or stored, and whether and why it counts."""

    model_config = ConfigDict(frozen=True)

    id: str | None = Field(description="the credential's `id` (`urn:sha256:<digest>` when it has none)")
    issuer: str | None = Field(description="the issuer's id (DID or URL) as the credential states it")
    stored: bool = Field(description="one of the organization's stored credentials, rather than presented")
    verified: bool
    counted: bool
    counts_as: list[CountsAsEntry]
    reason: Reason = Field(description="`counted`, or why it does not count")
    failure: Failure | None = Field(default=None, description="for `not_verified`: what verification found")
    detail: str = Field(description="the reason as a sentence")
    achievement_name: str | None = None
    digest: str = Field(description="SHA-256 (hex) of the bytes verified (a stored credential's stored digest)")


class PathwayRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    version: int


class PathwayEvaluation(BaseModel):
    """Issue 5 "Evaluate and award": the verdict for one learner on one pathway version."""

    model_config = ConfigDict(frozen=True)

    pathway: PathwayRef
    satisfied: bool
    credentials: list[ConsideredCredential] = Field(description="stored credentials first, then those presented")
    rule: RuleNodeTrace = Field(description="the rule tree annotated with what met each node")
    progress: Progress
    missing: list[MissingRequirement] = Field(description="empty exactly when satisfied")
    missing_text: str = Field(description="what is missing as one sentence; empty when satisfied")


class AwardResponse(BaseModel):
    """The composite credential exactly as signed and stored, and the evaluation it was awarded on."""

    id: str = Field(description="the composite credential's id in /api/v1/credentials")
    evaluation: PathwayEvaluation
    credential: dict[str, Any] | str
