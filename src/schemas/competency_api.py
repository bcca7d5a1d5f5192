"""`/api/v1/competencies` request and response bodies (issue 5 "Competencies and curriculum mapping").

A competency is the target of OB 3.0 §B.1 Alignment entries of type `ceasn:Competency`: `name`, `code`,
`framework` and `description` become the alignment's `targetName`, `targetCode`, `targetFramework` and
`targetDescription`, its public URL the `targetUrl`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from schemas.achievement import Markdown, ShortText, StrictModel, storable_text

# (organization, framework, code) is a unique index entry; see issuer.models.competencies.KEY_LENGTH.
KEY_MAX = 200


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


CompetencyKey = Annotated[
    str, Field(min_length=1, max_length=KEY_MAX), AfterValidator(storable_text), AfterValidator(_not_blank)
]


class CreateCompetencyRequest(StrictModel):
    """A competency of one of the organization's frameworks; (framework, code) is unique in the organization."""

    framework: CompetencyKey = Field(description="the framework's name, e.g. 'Data Skills 2025'")
    code: CompetencyKey = Field(description="the competency's code in its framework, e.g. 'DS.1'")
    name: ShortText
    description: Markdown | None = None
    level: ShortText | None = Field(default=None, description="e.g. an EQF or proficiency level")


class CompetencyResource(BaseModel):
    """One competency as the API returns it, with the OB Alignment that achievements naming it carry."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="the competency's public URL (an alignment's `targetUrl`); GET it without a token")
    uuid: UUID = Field(description="the competency's own id in this API (its URLs end with it)")
    framework: str
    code: str
    name: str
    description: str | None = None
    level: str | None = None
    alignment: dict[str, Any] = Field(description="OB 3.0 §B.1 Alignment JSON that achievements get for it")
    created_at: datetime
