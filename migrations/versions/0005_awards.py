"""Composite awards (issue 5 "Evaluate and award").

Revision ID: 0005
Revises: 0004
Create Date: 2026-01-19

Written by hand, like 0001 to 0004: constraint names follow `issuer.models.base.NAMING_CONVENTION`, and
tests/service/test_migrations.py checks the result against the models on SQLite and PostgreSQL. The unique
(pathway_version_id, recipient_key) is what keeps two concurrent award requests from issuing twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Portable types: native uuid / JSONB / timestamptz on PostgreSQL, CHAR(32) / JSON text / naive-UTC on SQLite.
UUID = sa.Uuid()
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "awards",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("pathway_id", UUID, nullable=False),
        sa.Column("pathway_version_id", UUID, nullable=False),
        sa.Column("recipient_key", sa.String(64), nullable=False),
        sa.Column("credential_row_id", UUID, nullable=False),
        sa.Column("evaluation", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_awards"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_awards_organization_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id", "organization_id"],
            ["pathways.id", "pathways.organization_id"],
            name="fk_awards_pathway_id_organization_id_pathways",
        ),
        sa.ForeignKeyConstraint(
            ["pathway_version_id"], ["pathway_versions.id"], name="fk_awards_pathway_version_id_pathway_versions"
        ),
        sa.ForeignKeyConstraint(
            ["credential_row_id"], ["credentials.id"], name="fk_awards_credential_row_id_credentials"
        ),
        sa.UniqueConstraint("pathway_version_id", "recipient_key", name="uq_awards_pathway_version_id_recipient_key"),
        sa.UniqueConstraint("credential_row_id", name="uq_awards_credential_row_id"),
    )
    op.create_index("ix_awards_pathway_id", "awards", ["pathway_id"])


def downgrade() -> None:
    op.drop_table("awards")
