"""OB 3.0 §B.1.1 Achievement, as the API input of an achievement template (the Achievement minus `id` and `type`).

Field names are OB's own (camelCase) on the wire. Unknown fields are refused everywhere, so a misspelt member is a
422 naming it rather than data silently left out of every credential. The service assigns the achievement `id` and
`type` (issuer.achievements). Result description and rubric level ids may be given as absolute URIs or as local
references `#name`, which resolve against the achievement id once it is known; `requiredLevel` uses the same forms.

The wire types here (text, URIs, extensible enumerations) are shared by `schemas.issuance`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from schemas import ob

# U+0000 cannot be stored in a PostgreSQL jsonb value and a lone surrogate cannot be encoded as UTF-8 (so it can be
# neither hashed nor signed): refuse both at the wire instead of failing with a 500 later. Other control characters
# are legal JSON and canonicalize fine.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# RFC 3987 IRI: a scheme, then no whitespace, no control characters and none of the characters IRIs exclude.
_IRI_CHAR = r"[^\s<>\"{}|\\^`\x00-\x1f\x7f]"
_ABSOLUTE_IRI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_IRI_CHAR}+")
_HTTP_URL = re.compile(rf"(?i:https?)://(?:(?![/?#]){_IRI_CHAR})+(?:[/?#]{_IRI_CHAR}*)?")
_DATA_URI = re.compile(rf"(?i:data):(?:(?!,){_IRI_CHAR})*,{_IRI_CHAR}*")
_LOCAL_REFERENCE = re.compile(r"#[A-Za-z0-9._~\-]{1,128}")
# OB 3.0 extension terms: the 1EdTech schemas' own character class, `(ext:)[a-z|A-Z|0-9|.|-|_]+`, anchored.
_EXTENSION_TERM = re.compile(r"ext:[A-Za-z0-9._\-]+")
# OB 3.0 §B.2 LanguageCode as the 1EdTech JSON schema checks it (BCP 47 language, script and region subtags).
LANGUAGE_CODE_PATTERN = r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"

SHORT_TEXT_MAX = 1024
MARKDOWN_MAX = 65_536
URI_MAX = 2048
IMAGE_URI_MAX = 1_048_576
LIST_MAX = 100


def storable_text(value: str) -> str:
    """Refuse what JSON storage and UTF-8 cannot carry (see _UNSTORABLE)."""
    if _UNSTORABLE.search(value):
        raise ValueError("must not contain U+0000 or unpaired surrogate code points")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _pattern_check(pattern: re.Pattern[str], expected: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if pattern.fullmatch(value) is None:
            raise ValueError(f"must be {expected}")
        return value

    return check


def _extensible(members: frozenset[str], name: str) -> Callable[[str], str]:
    """OB 3.0 §B.3: a member of the enumeration or an extension term `ext:<name>`."""

    def check(value: str) -> str:
        if value in members or _EXTENSION_TERM.fullmatch(value):
            return value
        raise ValueError(f"must be an OB 3.0 {name} value or an extension term 'ext:' followed by [A-Za-z0-9._-]")

    return check


def _iri_or_local(value: str) -> str:
    if _LOCAL_REFERENCE.fullmatch(value) or _ABSOLUTE_IRI.fullmatch(value):
        return value
    raise ValueError("must be an absolute URI or a local reference '#name' ([A-Za-z0-9._~-], at most 128)")


ShortText = Annotated[
    str, Field(min_length=1, max_length=SHORT_TEXT_MAX), AfterValidator(storable_text), AfterValidator(_not_blank)
]
Markdown = Annotated[
    str, Field(min_length=1, max_length=MARKDOWN_MAX), AfterValidator(storable_text), AfterValidator(_not_blank)
]
Uri = Annotated[str, Field(max_length=URI_MAX), AfterValidator(_pattern_check(_ABSOLUTE_IRI, "an absolute URI"))]
HttpUrl = Annotated[str, Field(max_length=URI_MAX), AfterValidator(_pattern_check(_HTTP_URL, "an http(s) URL"))]
UrlOrDataUri = Annotated[
    str,
    Field(max_length=IMAGE_URI_MAX),
    AfterValidator(_pattern_check(re.compile(f"{_HTTP_URL.pattern}|{_DATA_URI.pattern}"), "an http(s) or data: URL")),
]
ImageUri = Annotated[
    str,
    Field(max_length=IMAGE_URI_MAX),
    AfterValidator(_pattern_check(_ABSOLUTE_IRI, "an absolute URI or a data: URI (percent-encode spaces and <>)")),
]
# Where the id is assigned inside the achievement: absolute, or `#name` relative to the achievement id.
LocalOrUri = Annotated[str, Field(max_length=URI_MAX), AfterValidator(_iri_or_local)]
LanguageCode = Annotated[str, Field(pattern=LANGUAGE_CODE_PATTERN, max_length=64)]
AchievementTypeValue = Annotated[str, AfterValidator(_extensible(ob.ACHIEVEMENT_TYPES, "AchievementType"))]
AlignmentTargetTypeValue = Annotated[str, AfterValidator(_extensible(ob.ALIGNMENT_TARGET_TYPES, "AlignmentTargetType"))]
ResultTypeValue = Annotated[str, AfterValidator(_extensible(ob.RESULT_TYPES, "ResultType"))]
IdentifierTypeValue = Annotated[str, AfterValidator(_extensible(ob.IDENTIFIER_TYPES, "IdentifierTypeEnum"))]
NonNegativeNumber = Annotated[float, Field(ge=0, strict=True)]


class StrictModel(BaseModel):
    """Unknown members refused, values immutable, no NaN or infinities (JSON has none)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Criteria(StrictModel):
    """OB 3.0 §B.1 Criteria: a URL describing the criteria, a narrative, or both."""

    id: Uri | None = None
    narrative: Markdown | None = None

    @model_validator(mode="after")
    def _has_content(self) -> Criteria:
        if self.id is None and self.narrative is None:
            raise ValueError("criteria needs an id (URL of the criteria) or a narrative, or both")
        return self


class Alignment(StrictModel):
    """OB 3.0 §B.1 Alignment (the service adds `type`)."""

    targetName: ShortText
    targetUrl: HttpUrl
    targetDescription: Markdown | None = None
    targetCode: ShortText | None = None
    targetFramework: ShortText | None = None
    targetType: AlignmentTargetTypeValue | None = None


Alignments = Annotated[list[Alignment], Field(max_length=LIST_MAX)]


class RubricCriterionLevel(StrictModel):
    """OB 3.0 §B.1 RubricCriterionLevel; `id` defaults to one derived from the achievement id."""

    id: LocalOrUri | None = None
    name: ShortText
    description: Markdown | None = None
    level: ShortText | None = None
    points: ShortText | None = None
    alignment: Alignments | None = None


class ResultDescription(StrictModel):
    """OB 3.0 §B.1 ResultDescription; `id` defaults to one derived from the achievement id.

    `rubricCriterionLevel` is declared before `requiredLevel` so that the latter's check sees the levels.
    """

    id: LocalOrUri | None = None
    name: ShortText
    resultType: ResultTypeValue
    allowedValue: Annotated[list[ShortText], Field(max_length=LIST_MAX)] | None = None
    rubricCriterionLevel: Annotated[list[RubricCriterionLevel], Field(max_length=LIST_MAX)] | None = None
    requiredLevel: LocalOrUri | None = None
    requiredValue: ShortText | None = None
    valueMax: ShortText | None = None
    valueMin: ShortText | None = None
    alignment: Alignments | None = None

    @field_validator("requiredLevel")
    @classmethod
    def _names_one_of_the_levels(cls, value: str | None, info: ValidationInfo) -> str | None:
        # OB 3.0 §B.1 ResultDescription: requiredLevel is "the id of the rubric criterion level required to pass".
        if value is None or "rubricCriterionLevel" not in info.data:
            return value  # no levels to compare with because they failed validation: that error is reported
        levels: list[RubricCriterionLevel] = info.data["rubricCriterionLevel"] or []
        if value not in {level.id for level in levels if level.id is not None}:
            raise ValueError("must be the id of one of this result description's rubricCriterionLevel entries")
        return value


class Image(StrictModel):
    """OB 3.0 §B.1 Image (the service adds `type`)."""

    id: ImageUri
    caption: ShortText | None = None


class Related(StrictModel):
    """OB 3.0 §B.1 Related: another language or version of this achievement."""

    id: Uri
    inLanguage: LanguageCode | None = None
    version: ShortText | None = None


class IdentifierEntry(StrictModel):
    """OB 3.0 §B.1 IdentifierEntry (the service adds `type`)."""

    identifier: ShortText
    identifierType: IdentifierTypeValue


class AchievementTemplate(StrictModel):
    """OB 3.0 §B.1.1 Achievement without `id`, `type`, `creator` and endorsements, which the service supplies."""

    name: ShortText
    description: Markdown
    criteria: Criteria
    achievementType: AchievementTypeValue | None = None
    alignment: Alignments | None = None
    resultDescription: Annotated[list[ResultDescription], Field(max_length=LIST_MAX)] | None = None
    creditsAvailable: NonNegativeNumber | None = None
    fieldOfStudy: ShortText | None = None
    specialization: ShortText | None = None
    tag: Annotated[list[ShortText], Field(max_length=LIST_MAX)] | None = None
    humanCode: ShortText | None = None
    image: Image | None = None
    related: Annotated[list[Related], Field(max_length=LIST_MAX)] | None = None
    inLanguage: LanguageCode | None = None
    version: ShortText | None = None
    otherIdentifier: Annotated[list[IdentifierEntry], Field(max_length=LIST_MAX)] | None = None
