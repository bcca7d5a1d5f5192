"""`/api/v1/pathways` request and response bodies (issue 5 "Pathways (composite awards)").

A pathway says which achievements (the rule, a JSON tree) earn its composite achievement, whose credentials count
(`trusted_issuers`; the organization's own issuers always do), which partner achievements count as which of ours
(`equivalences`, articulation agreements), how old a counted credential may be, and whether awards are automatic.
The rule's grammar is checked by the service (issuer.pathways.rules.parse_rule); here it is any JSON object.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from schemas.achievement import URI_MAX, ShortText, StrictModel, Uri

# DID Core §3.1 DID Syntax: did:<method-name>:<method-specific-id>, idchar = ALPHA / DIGIT / "." / "-" / "_" /
# pct-encoded, colons only between idchars; no path, query or fragment (a trusted issuer is a DID, not a URL).
_DID = re.compile(r"did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+")
ISSUERS_MAX = 1000
EQUIVALENCES_MAX = 1000
# A century; more is a typing mistake, and the bound keeps day arithmetic far from datetime's limits.
MAX_AGE_DAYS_MAX = 36_525


def _did(value: str) -> str:
    if _DID.fullmatch(value) is None:
        raise ValueError("must be a DID, 'did:<method>:<identifier>' (DID Core §3.1), without path or fragment")
    return value


Did = Annotated[str, Field(max_length=URI_MAX), AfterValidator(_did)]
# One of the organization's achievements: its uuid or its public URL (issue 5 "achievement X counts as our Y").
AchievementReference = Annotated[str, Field(min_length=1, max_length=URI_MAX)]


class Equivalence(StrictModel):
    """An articulation agreement: credentials of `issuer` matching exactly one matcher count as `counts_as`."""

    issuer: Did
    achievement_id: Uri | None = Field(default=None, description="the partner achievement's id")
    alignment_url: Uri | None = Field(default=None, description="an alignment `targetUrl` of the partner's")
    alignment_code: ShortText | None = Field(default=None, description="an alignment `targetCode` of the partner's")
    counts_as: AchievementReference = Field(description="one of the organization's achievements (uuid or URL)")

    @model_validator(mode="after")
    def _one_matcher(self) -> Equivalence:
        given = [m for m in (self.achievement_id, self.alignment_url, self.alignment_code) if m is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of achievement_id, alignment_url and alignment_code")
        return self


class PathwayDefinition(StrictModel):
    """What one version of a pathway says; every version holds all of it."""

    name: ShortText
    rule: dict[str, Any] = Field(description="the rule tree (README 'Pathways'), checked by the service")
    trusted_issuers: Annotated[list[Did], Field(max_length=ISSUERS_MAX)] = Field(default_factory=list)
    equivalences: Annotated[list[Equivalence], Field(max_length=EQUIVALENCES_MAX)] = Field(default_factory=list)
    max_age_days: Annotated[int, Field(ge=1, le=MAX_AGE_DAYS_MAX, strict=True)] | None = None
    auto_award: StrictBool = False


class CreatePathwayRequest(PathwayDefinition):
    """A new pathway (version 1): one of the organization's issuers awards one of its achievements."""

    issuer_id: UUID
    composite_achievement_id: UUID


class UpdatePathwayRequest(PathwayDefinition):
    """The next version, complete; `issuer_id` and `composite_achievement_id` may be repeated, not changed."""

    issuer_id: UUID | None = None
    composite_achievement_id: UUID | None = None


class PathwayResource(BaseModel):
    """One version of a pathway as the API returns it."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    issuer_id: UUID
    composite_achievement_id: UUID
    version: int = Field(description="the number of this version (1, 2, ...); versions never change")
    current_version: int = Field(description="the version new evaluations and awards use")
    name: str
    rule: dict[str, Any]
    trusted_issuers: list[str]
    equivalences: list[dict[str, Any]]
    max_age_days: int | None
    auto_award: bool
    created_at: datetime = Field(description="when the pathway (its version 1) was created")
    version_created_at: datetime = Field(description="when this version was created")


class CoveringTemplate(BaseModel):
    """An achievement of the rule that aligns to a competency."""

    uuid: UUID
    id: str = Field(description="the achievement's public URL")
    name: str


class CompetencyCoverage(BaseModel):
    """One competency the pathway asks for, and the rule's achievements that cover it."""

    id: str = Field(description="the competency's public URL")
    uuid: UUID
    framework: str
    code: str
    name: str
    required_by: list[str] = Field(description="`composite` (its alignments) and/or `rule` (`competencies` nodes)")
    covered_by: list[CoveringTemplate]


class TemplateCoverage(BaseModel):
    """One achievement of the rule and which of the pathway's competencies it aligns to."""

    uuid: UUID
    id: str
    name: str
    competencies: list[str] = Field(description="public URLs of the pathway's competencies it covers")


class CoverageResource(BaseModel):
    """Issue 5 curriculum coverage: the pathway's competencies, who covers each, and which none covers."""

    pathway_id: UUID
    version: int
    composite_achievement_id: UUID
    competencies: list[CompetencyCoverage]
    uncovered: list[str] = Field(description="public URLs of the competencies no achievement of the rule covers")
    templates: list[TemplateCoverage]


class RequirementsMetCount(BaseModel):
    """How many learners hold exactly `requirements_met` of the rule's achievements."""

    requirements_met: int
    learners: int


class PathwayProgressResource(BaseModel):
    """Issue 5 `GET /api/v1/pathways/{id}/progress`: the stack's progress over the organization's stored credentials."""

    pathway_id: UUID
    version: int = Field(description="the current version, whose rule names the component achievements")
    requirements_total: int = Field(description="distinct achievements the rule names")
    learners: int = Field(description="learners with a component credential or an award")
    learners_by_requirements_met: list[RequirementsMetCount]
    awards: int = Field(description="awards of the pathway, any version")
    awarded_learners: int
    completion_rate: float | None = Field(description="awarded_learners / learners; null without learners")
    median_days_to_award: float | None = Field(
        description="median days from a learner's first component credential to their first award"
    )
    measured_learners: int = Field(description="awarded learners with a stored component before their award")
    claimed_components: int = Field(
        description="component credentials (not revoked) a learner took into a wallet: a holder-bound copy exists"
    )
    claimed_awards: int = Field(description="awards whose composite credential a learner took into a wallet")
