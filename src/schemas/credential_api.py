"""`/api/v1/credentials` resources other than the issuance request: listings, one credential, status changes.

`credential` is never a parsed-and-re-serialised value in responses: the service splices the stored text into the
JSON it sends (for a VC-JWT, as a JSON string). These models describe that JSON for OpenAPI and validate requests.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.achievement import ShortText, StrictModel
from schemas.issuance import CredentialFormat

CredentialStatus = Literal["active", "revoked", "suspended"]
StatusActionName = Literal["revoke", "suspend", "reinstate"]
REASON_MAX = 500


class StatusChangeRequest(StrictModel):
    """`POST /api/v1/credentials/{id}/revoke | suspend | reinstate`: why, for the history and the audit log."""

    reason: Annotated[ShortText, Field(max_length=REASON_MAX)] | None = None


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True)


class CredentialSummary(_Response):
    """A stored credential without its document: what the listing returns per credential."""

    id: uuid.UUID = Field(description="this API's id of the credential (the credential's own `id` is `urn:uuid:<id>`)")
    credential_id: str = Field(description="the `id` inside the credential")
    status: CredentialStatus
    format: CredentialFormat
    cryptosuite: str | None = Field(description="the embedded Data Integrity proof's cryptosuite, if any")
    issued_at: datetime
    achievement_id: uuid.UUID
    achievement_version: int
    issuer_id: uuid.UUID
    digest: str = Field(description="SHA-256 (hex) of the UTF-8 bytes of the stored credential text")
    revoked_at: datetime | None = None
    status_reason: str | None = Field(default=None, description="the reason given with the latest status change")


class CredentialListResponse(_Response):
    credentials: list[CredentialSummary]


class StatusChange(_Response):
    """One entry of a credential's status history: who (the API client), when and why."""

    action: StatusActionName
    from_status: CredentialStatus
    to_status: CredentialStatus
    actor: str
    reason: str | None = None
    at: datetime


class Claim(BaseModel):
    """A claimed copy (issue 6): the credential re-issued to a wallet, bound to the holder's DID."""

    model_config = ConfigDict(frozen=True)

    credential_id: str
    protocol: Literal["oid4vci", "lcw", "vcapi"]
    holder: str
    format: Literal["ldp", "jwt"]
    issued_at: datetime
    notification_event: str | None = Field(description="what the wallet last reported (OpenID4VCI notification)")


class CredentialResource(CredentialSummary):
    """One credential: the summary, its status history and the credential exactly as stored and signed."""

    status_history: list[StatusChange]
    claim_url: str | None = Field(description="the live claim link, if there is one (POST .../claim-link makes one)")
    claim_expires_at: datetime | None
    claims: list[Claim] = Field(description="copies a learner took into a wallet, bound to the wallet's DID")
    credential: dict[str, Any] | str = Field(description="the signed credential (JSON) or compact VC-JWT, as stored")
