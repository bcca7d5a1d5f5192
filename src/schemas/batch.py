"""Issue 3 batch issuance at the wire: `POST /api/v1/credentials/batch` and the jobs that larger batches become.

An item is an `IssueCredentialRequest` body (the body of `POST /api/v1/credentials`) plus its own optional
`idempotency_key`, the batch counterpart of the `Idempotency-Key` header. The envelope is validated as a whole
(`items` present, 1 to MAX_JOB_ITEMS of them); each item is validated on its own, so one invalid item fails alone.
Responses that carry credentials splice the stored text in (as `POST /api/v1/credentials` does); these models
describe that JSON for OpenAPI.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from schemas.achievement import StrictModel
from schemas.issuance import IssueCredentialRequest
from schemas.problem import Problem

MAX_SYNC_ITEMS = 1_000
"""Batches up to this many items are issued within the request; larger ones (or `?async=true`) become a job."""
MAX_JOB_ITEMS = 100_000
IDEMPOTENCY_KEY_MAX = 200

JobStatus = Literal["queued", "running", "completed", "failed"]
ItemState = Literal["pending", "succeeded", "failed"]

# draft-ietf-httpapi-idempotency-key-header §2: 1 to 200 visible ASCII characters, as the header takes them.
IdempotencyKey = Annotated[
    str, StringConstraints(min_length=1, max_length=IDEMPOTENCY_KEY_MAX, pattern=r"^[\x21-\x7e]+$")
]


class BatchItem(IssueCredentialRequest):
    """One item: the body `POST /api/v1/credentials` takes, plus the idempotency key its header would carry."""

    idempotency_key: IdempotencyKey | None = None

    def issue_request(self) -> IssueCredentialRequest:
        """The item without its key: the request a single `POST /api/v1/credentials` would have validated."""
        fields = {name: getattr(self, name) for name in IssueCredentialRequest.model_fields}
        return IssueCredentialRequest.model_validate(fields)


class BatchRequest(StrictModel):
    """`POST /api/v1/credentials/batch`: `items`, each an issuance request with an optional `idempotency_key`."""

    items: Annotated[
        list[Any],
        Field(
            min_length=1,
            max_length=MAX_JOB_ITEMS,
            description=(
                f"1 to {MAX_JOB_ITEMS} issuance requests (the body of POST /api/v1/credentials, plus an optional "
                f"`idempotency_key`); each is validated on its own. More than {MAX_SYNC_ITEMS} items run as a job."
            ),
            json_schema_extra={"items": {"type": "object"}},
        ),
    ]


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True)


class BatchItemResult(_Response):
    """What `POST /api/v1/credentials` would have answered for the item: 201, 200 (replayed key), or a problem."""

    index: int = Field(description="the item's position in `items`, from 0")
    status: int = Field(description="201 issued, 200 replayed (same idempotency key and request), else the error's")
    id: uuid.UUID | None = Field(default=None, description="the credential's id in this API (issued or replayed)")
    credential: dict[str, Any] | str | None = Field(default=None, description="the credential exactly as stored")
    error: Problem | None = None


class BatchResponse(_Response):
    """The synchronous answer (HTTP 200 even when items failed): one result per item, in order."""

    succeeded: int
    failed: int
    results: list[BatchItemResult]


class JobAccepted(_Response):
    """HTTP 202 for a batch that runs as a job; `Location` is `status_url`."""

    job_id: uuid.UUID
    status: JobStatus
    total: int
    status_url: str
    results_url: str


class JobResource(_Response):
    """`GET /api/v1/jobs/{id}`: state and progress of a batch job."""

    id: uuid.UUID
    kind: Literal["credential_batch"]
    status: JobStatus
    total: int
    succeeded: int
    failed: int
    progress: float = Field(description="share of items processed, 0 to 1")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    results_url: str
    error: Problem | None = Field(default=None, description="why the job itself failed (status `failed`)")


class JobItemResult(_Response):
    """One item of a job: `pending` until a worker processed it, then as in the synchronous batch response."""

    index: int
    state: ItemState
    status: int | None = None
    id: uuid.UUID | None = None
    credential: dict[str, Any] | str | None = None
    error: Problem | None = None


class JobResultsPage(_Response):
    """`GET /api/v1/jobs/{id}/results`: items in index order; `total` counts those matching the `state` filter."""

    job_id: uuid.UUID
    total: int
    offset: int
    limit: int
    results: list[JobItemResult]
