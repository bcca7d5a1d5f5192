"""`POST /api/v1/credentials` request and response: what to award (OB 3.0 §B.1 AchievementSubject), to whom, with
which evidence (§B.1 Evidence) and results (§B.1 Result), in which proof format.

OB member names (camelCase) are kept where the value lands in the credential as is; `achievement_id` is the API's
own reference to a stored achievement. Unknown fields are refused. Consistency with the achievement itself (a result
names one of its result descriptions, an achieved level one of that description's levels) needs the stored
achievement and is checked when the credential is rendered (issuer.render).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from schemas.achievement import (
    LIST_MAX,
    LocalOrUri,
    Markdown,
    NonNegativeNumber,
    ShortText,
    StrictModel,
    UrlOrDataUri,
)

# Loose on purpose: one @, something on each side, no whitespace. Deliverability is not ours to judge, and the
# address is only ever hashed (OB 3.0 §B.2 IdentityHash).
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")
# DID Core §3.1 DID Syntax: did:<method-name>:<method-specific-id>, method names lower-case letters and digits.
_DID = re.compile(r"did:[a-z0-9]+:[^\s\x00-\x1f\x7f#]+")
EMAIL_MAX = 254
DID_MAX = 2048

ResultStatus = Literal["Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"]
CredentialFormat = Literal["ldp", "jwt"]
Cryptosuite = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"]
DEFAULT_CRYPTOSUITE: Cryptosuite = "eddsa-rdfc-2022"


class Recipient(StrictModel):
    """Exactly one of: an email address (hashed into an IdentityObject) or a DID (the subject's `id`)."""

    email: Annotated[str, Field(max_length=EMAIL_MAX)] | None = None
    did: Annotated[str, Field(max_length=DID_MAX)] | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and _EMAIL.fullmatch(value.strip()) is None:
            raise ValueError("must be an email address (name@domain)")
        return value.strip() if value is not None else None

    @field_validator("did")
    @classmethod
    def _did(cls, value: str | None) -> str | None:
        if value is not None and _DID.fullmatch(value) is None:
            raise ValueError("must be a DID: 'did:<method>:<identifier>' without whitespace or fragment")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Recipient:
        if (self.email is None) == (self.did is None):
            raise ValueError("give exactly one of email or did")
        return self


class EvidenceInput(StrictModel):
    """OB 3.0 §B.1 Evidence (the service adds `type`); at least one member."""

    id: UrlOrDataUri | None = None
    narrative: Markdown | None = None
    name: ShortText | None = None
    description: Markdown | None = None
    genre: ShortText | None = None
    audience: ShortText | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> EvidenceInput:
        if all(value is None for value in self.model_dump().values()):
            raise ValueError("an evidence item needs at least one of id, narrative, name, description, genre, audience")
        return self


class ResultInput(StrictModel):
    """OB 3.0 §B.1 Result (the service adds `type`); ids may be `#name` references into the achievement."""

    resultDescription: LocalOrUri
    achievedLevel: LocalOrUri | None = None
    value: ShortText | None = None
    status: ResultStatus | None = None


class IssueCredentialRequest(StrictModel):
    """Award one achievement (a fixed stored version) to one recipient.

    Date-times need a time zone; the credential states them in UTC to the second. `validFrom` defaults to the time of
    issuance. `cryptosuite` applies to `ldp` (default eddsa-rdfc-2022); with `jwt` a cryptosuite asks for an embedded
    proof inside the JWT as well (OB 3.0 VC-JWT format: the embedded proof is added before the JWT is made).
    """

    achievement_id: uuid.UUID
    recipient: Recipient
    evidence: Annotated[list[EvidenceInput], Field(max_length=LIST_MAX)] | None = None
    result: Annotated[list[ResultInput], Field(max_length=LIST_MAX)] | None = None
    narrative: Markdown | None = None
    activityStartDate: AwareDatetime | None = None
    activityEndDate: AwareDatetime | None = None
    creditsEarned: NonNegativeNumber | None = None
    validFrom: AwareDatetime | None = None
    validUntil: AwareDatetime | None = None
    format: CredentialFormat = "ldp"
    cryptosuite: Cryptosuite | None = None

    @model_validator(mode="after")
    def _ordered_dates(self) -> IssueCredentialRequest:
        if self.validFrom is not None and self.validUntil is not None and self.validUntil <= self.validFrom:
            raise ValueError("validUntil must be after validFrom")
        start, end = self.activityStartDate, self.activityEndDate
        if start is not None and end is not None and end < start:
            raise ValueError("activityEndDate must not be before activityStartDate")
        return self

    @property
    def proof_suite(self) -> Cryptosuite | None:
        """The Data Integrity suite to sign with: the requested one, eddsa-rdfc-2022 for ldp, none for plain jwt."""
        if self.cryptosuite is not None:
            return self.cryptosuite
        return DEFAULT_CRYPTOSUITE if self.format == "ldp" else None


class AutoAward(StrictModel):
    """Issue 5 `auto_award`: a composite credential awarded because this issuance completed a pathway."""

    pathway_id: uuid.UUID
    pathway_version: int
    id: str = Field(description="the composite credential's id in /api/v1/credentials")
    credential_id: str = Field(description="the composite credential's own `id` (urn:uuid:...)")


class AutoAwardError(StrictModel):
    """Issue 5 `auto_award`: a pathway that could not be judged or awarded; the issuance itself stands."""

    pathway_id: uuid.UUID | None = Field(description="null when the pathways could not even be looked up")
    code: str
    detail: str


class IssueCredentialResponse(StrictModel):
    """The issued credential exactly as signed and stored: a JSON object (ldp) or a compact JWS (jwt), and the
    pathways this issuance auto-awarded (issue 5 `auto_award`)."""

    id: str
    claim_url: str = Field(description="the learner's claim page (issue 6): give or email it to the learner")
    claim_expires_at: datetime
    awards: list[AutoAward]
    award_errors: list[AutoAwardError]
    credential: dict[str, Any] | str
