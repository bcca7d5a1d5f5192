"""`/api/v1/achievements` request and response bodies: an OB 3.0 §B.1.1 Achievement template plus the API's own ids.

The request bodies are `AchievementTemplate` (OB member names, unknown members refused) with `issuer_id`, the API's
reference to one of the organization's issuers. The response wraps the stored OB Achievement JSON of one version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from schemas.achievement import LIST_MAX, URI_MAX, AchievementTemplate

# A competency's uuid or its public URL (issue 5); which competency it names is the service's to resolve.
CompetencyReference = Annotated[str, Field(min_length=1, max_length=URI_MAX)]
Competencies = Annotated[
    list[CompetencyReference] | None,
    Field(
        max_length=LIST_MAX,
        description="competencies (uuids or public URLs) this achievement aligns to: each becomes an OB 3.0 "
        "Alignment (`targetType` `ceasn:Competency`) after the template's own `alignment` entries",
    ),
]


class CreateAchievementRequest(AchievementTemplate):
    """OB 3.0 §B.1.1 Achievement template of a new achievement, created by (`creator`) one of the caller's issuers."""

    issuer_id: UUID
    competencies: Competencies = None


class UpdateAchievementRequest(AchievementTemplate):
    """OB 3.0 §B.1.1 Achievement template of the next version; `issuer_id`, when sent, must be the achievement's own."""

    issuer_id: UUID | None = None
    competencies: Competencies = None


class AchievementResource(BaseModel):
    """One version of an achievement as the API returns it; `achievement` is the OB Achievement JSON, as stored."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="the achievement's public URL, also its OB `id`; GET it without authentication")
    uuid: UUID = Field(description="the achievement's own id in this API (its URLs end with it)")
    issuer_id: UUID
    version: int = Field(description="the number of this version (1, 2, ...); versions never change")
    current_version: int = Field(description="the version new credentials get")
    version_url: str = Field(description="public URL of exactly this version")
    achievement: dict[str, Any] = Field(description="OB 3.0 §B.1.1 Achievement JSON of this version")
    created_at: datetime = Field(description="when the achievement (its version 1) was created")
    version_created_at: datetime = Field(description="when this version was created")
