"""Batch issuance jobs (issue 3): jobs and their items.

Revision ID: 0003
Revises: 0002
Create Date: 2025-12-05

Written by hand, like 0001 and 0002: constraint names follow `issuer.models.base.NAMING_CONVENTION`, and
tests/service/test_migrations.py checks the result against the models on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Portable types: native uuid / timestamptz / bytea on PostgreSQL, CHAR(32) / naive-UTC / BLOB on SQLite.
UUID = sa.Uuid()
TIMESTAMP = sa.DateTime(timezone=True)


def _jobs() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=True),
        sa.Column("takeovers", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_jobs_organization_id_organizations"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["api_clients.client_id"], name="fk_jobs_created_by_api_clients"),
        # Target of the items' (job, organization) foreign key.
        sa.UniqueConstraint("id", "organization_id", name="uq_jobs_id_organization_id"),
        sa.CheckConstraint("kind IN ('credential_batch')", name="ck_jobs_kind"),
        sa.CheckConstraint("status IN ('queued', 'running', 'completed', 'failed')", name="ck_jobs_status"),
        sa.CheckConstraint(
            "total >= 1 AND succeeded >= 0 AND failed >= 0 AND succeeded + failed <= total", name="ck_jobs_counts"
        ),
        sa.CheckConstraint("(status = 'running') = (lease_owner IS NOT NULL)", name="ck_jobs_lease_owner"),
        sa.CheckConstraint("(lease_owner IS NULL) = (lease_expires_at IS NULL)", name="ck_jobs_lease_expires_at"),
        sa.CheckConstraint("takeovers >= 0", name="ck_jobs_takeovers"),
    )
    op.create_index("ix_jobs_status_created_at", "jobs", ["status", "created_at"])
    op.create_index("ix_jobs_organization_id_created_at", "jobs", ["organization_id", "created_at"])


def _job_items() -> None:
    op.create_table(
        "job_items",
        sa.Column("job_id", UUID, nullable=False),
        sa.Column("item_index", sa.Integer(), nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("sealed_request", sa.LargeBinary(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("credential_id", UUID, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("processed_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("job_id", "item_index", name="pk_job_items"),
        sa.ForeignKeyConstraint(
            ["job_id", "organization_id"],
            ["jobs.id", "jobs.organization_id"],
            name="fk_job_items_job_id_organization_id_jobs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["credential_id"], ["credentials.id"], name="fk_job_items_credential_id_credentials"),
        sa.CheckConstraint("item_index >= 0", name="ck_job_items_item_index"),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="ck_job_items_status"),
        sa.CheckConstraint("(status = 'pending') = (sealed_request IS NOT NULL)", name="ck_job_items_sealed_request"),
        sa.CheckConstraint("(status = 'pending') = (http_status IS NULL)", name="ck_job_items_http_status"),
        sa.CheckConstraint("(status = 'succeeded') = (credential_id IS NOT NULL)", name="ck_job_items_credential_id"),
        sa.CheckConstraint("(status = 'failed') = (error IS NOT NULL)", name="ck_job_items_error"),
    )
    op.create_index("ix_job_items_job_id_status_item_index", "job_items", ["job_id", "status", "item_index"])


def upgrade() -> None:
    _jobs()
    _job_items()


def downgrade() -> None:
    for table in ("job_items", "jobs"):
        op.drop_table(table)
