"""Issue 3 batch issuance jobs: a submitted batch, its lease while a worker runs it, and one row per item.

A job is worked by one worker at a time, the holder of its lease (`lease_owner` until `lease_expires_at`). The
holder extends the lease with every item it records; a job whose lease ran out (its worker died) is taken over by
the next worker, which carries on with the items still `pending`. An item's request is kept sealed (AES-256-GCM
under a key derived from the master key, issuer.job_sealing) only while the item is pending: recipients' email
addresses never sit in the database in the clear, and are erased once the item is processed.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base

JOB_KINDS = ("credential_batch",)
JOB_STATUSES = ("queued", "running", "completed", "failed")
JOB_ITEM_STATUSES = ("pending", "succeeded", "failed")


class Job(Base):
    """One batch job of an organization: counters, timestamps, the lease, and why it failed (if it did).

    `succeeded` and `failed` count the items recorded so far (items refused at submission count as failed from the
    start); `takeovers` counts how often the job was taken from a worker whose lease had run out.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("kind IN ('credential_batch')", name="kind"),
        CheckConstraint("status IN ('queued', 'running', 'completed', 'failed')", name="status"),
        CheckConstraint("total >= 1 AND succeeded >= 0 AND failed >= 0 AND succeeded + failed <= total", name="counts"),
        CheckConstraint("(status = 'running') = (lease_owner IS NOT NULL)", name="lease_owner"),
        CheckConstraint("(lease_owner IS NULL) = (lease_expires_at IS NULL)", name="lease_expires_at"),
        CheckConstraint("takeovers >= 0", name="takeovers"),
        # Target of the items' (job, organization) foreign key.
        UniqueConstraint("id", "organization_id"),
        # Workers look for the oldest claimable job.
        Index("ix_jobs_status_created_at", "status", "created_at"),
        Index("ix_jobs_organization_id_created_at", "organization_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(9), default="queued")
    total: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # The API client that submitted the job; its items are issued (and audited) as that client.
    created_by: Mapped[str] = mapped_column(ForeignKey("api_clients.client_id"))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    takeovers: Mapped[int] = mapped_column(Integer, default=0)
    # Problem details (JSON text) when the job itself failed; items carry their own errors.
    error: Mapped[str | None] = mapped_column(Text)


class JobItem(Base):
    """One item of a job: its sealed request while pending, then its outcome.

    `http_status` is what `POST /api/v1/credentials` would have answered for the item (201, 200 for a replayed
    idempotency key, or the error's status); `error` is that problem's JSON text; `credential_id` the credentials
    row it issued or replayed.
    """

    __tablename__ = "job_items"
    __table_args__ = (
        CheckConstraint("item_index >= 0", name="item_index"),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
        CheckConstraint("(status = 'pending') = (sealed_request IS NOT NULL)", name="sealed_request"),
        CheckConstraint("(status = 'pending') = (http_status IS NULL)", name="http_status"),
        CheckConstraint("(status = 'succeeded') = (credential_id IS NOT NULL)", name="credential_id"),
        CheckConstraint("(status = 'failed') = (error IS NOT NULL)", name="error"),
        ForeignKeyConstraint(["job_id", "organization_id"], ["jobs.id", "jobs.organization_id"], ondelete="CASCADE"),
        # The worker's "next pending items" and the results filter by state.
        Index("ix_job_items_job_id_status_item_index", "job_id", "status", "item_index"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    item_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(9), default="pending")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    sealed_request: Mapped[bytes | None] = mapped_column(LargeBinary)
    http_status: Mapped[int | None] = mapped_column(Integer)
    credential_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("credentials.id"))
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]
