"""Competencies, pathways and pathway versions (issue 5).

Revision ID: 0004
Revises: 0003
Create Date: 2026-01-12

Written by hand, like 0001 to 0003: constraint names follow `issuer.models.base.NAMING_CONVENTION`, and
tests/service/test_migrations.py checks the result against the models on SQLite and PostgreSQL. Awards come later,
in a migration of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Portable types: native uuid / JSONB / timestamptz on PostgreSQL, CHAR(32) / JSON text / naive-UTC on SQLite.
UUID = sa.Uuid()
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _competencies() -> None:
    op.create_table(
        "competencies",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("framework", sa.String(200), nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("level", sa.String(1024), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_competencies"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_competencies_organization_id_organizations"
        ),
        # Also the index of the organization's listings (its leading column).
        sa.UniqueConstraint(
            "organization_id", "framework", "code", name="uq_competencies_organization_id_framework_code"
        ),
    )


def _pathways() -> None:
    op.create_table(
        "pathways",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("issuer_id", UUID, nullable=False),
        sa.Column("composite_achievement_id", UUID, nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pathways"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_pathways_organization_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id", "organization_id"],
            ["issuers.id", "issuers.organization_id"],
            name="fk_pathways_issuer_id_organization_id_issuers",
        ),
        sa.ForeignKeyConstraint(
            ["composite_achievement_id"],
            ["achievements.id"],
            name="fk_pathways_composite_achievement_id_achievements",
        ),
        sa.UniqueConstraint("id", "organization_id", name="uq_pathways_id_organization_id"),
        sa.CheckConstraint("current_version >= 1", name="ck_pathways_current_version"),
    )
    op.create_index("ix_pathways_organization_id", "pathways", ["organization_id"])
    op.create_index("ix_pathways_issuer_id", "pathways", ["issuer_id"])
    op.create_index("ix_pathways_composite_achievement_id", "pathways", ["composite_achievement_id"])


def _pathway_versions() -> None:
    op.create_table(
        "pathway_versions",
        sa.Column("id", UUID, nullable=False),
        sa.Column("pathway_id", UUID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("rule", JSON_DOCUMENT, nullable=False),
        sa.Column("trusted_issuers", JSON_DOCUMENT, nullable=False),
        sa.Column("equivalences", JSON_DOCUMENT, nullable=False),
        sa.Column("max_age_days", sa.Integer(), nullable=True),
        sa.Column("auto_award", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pathway_versions"),
        sa.ForeignKeyConstraint(
            ["pathway_id"], ["pathways.id"], name="fk_pathway_versions_pathway_id_pathways", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("pathway_id", "version", name="uq_pathway_versions_pathway_id_version"),
        sa.CheckConstraint("version >= 1", name="ck_pathway_versions_version"),
        sa.CheckConstraint("max_age_days IS NULL OR max_age_days >= 1", name="ck_pathway_versions_max_age_days"),
    )


def upgrade() -> None:
    _competencies()
    _pathways()
    _pathway_versions()


def downgrade() -> None:
    for table in ("pathway_versions", "pathways", "competencies"):
        op.drop_table(table)
