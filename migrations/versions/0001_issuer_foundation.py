"""Issuer foundation: organizations, API clients and access tokens, issuers and keys, achievements, audit log.

Revision ID: 0001
Revises:
Create Date: 2025-11-28

Written by hand. Constraint names follow `issuer.models.base.NAMING_CONVENTION` so later migrations can refer
to them on both SQLite and PostgreSQL; tests/service/test_migrations.py checks this file against the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Portable types: native uuid / JSONB / timestamptz on PostgreSQL, CHAR(32) / JSON text / naive-UTC on SQLite.
UUID = sa.Uuid()
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _organizations() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", UUID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        sa.UniqueConstraint("name", name="uq_organizations_name"),
    )


def _api_clients() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("scopes", sa.String(1000), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_clients"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_api_clients_organization_id_organizations"
        ),
        sa.UniqueConstraint("client_id", name="uq_api_clients_client_id"),
    )
    op.create_index("ix_api_clients_organization_id", "api_clients", ["organization_id"])


def _access_tokens() -> None:
    op.create_table(
        "access_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("api_client_id", UUID, nullable=False),
        sa.Column("scopes", sa.String(1000), nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_access_tokens"),
        sa.ForeignKeyConstraint(
            ["api_client_id"],
            ["api_clients.id"],
            name="fk_access_tokens_api_client_id_api_clients",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_access_tokens_api_client_id", "access_tokens", ["api_client_id"])
    op.create_index("ix_access_tokens_expires_at", "access_tokens", ["expires_at"])


def _issuers() -> None:
    op.create_table(
        "issuers",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("did", sa.String(500), nullable=False),
        sa.Column("did_method", sa.String(8), nullable=False),
        sa.Column("profile", JSON_DOCUMENT, nullable=False),
        sa.Column("suspension_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issuers"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_issuers_organization_id_organizations"
        ),
        sa.UniqueConstraint("did", name="uq_issuers_did"),
        # Target of composite (issuer, organization) foreign keys: rows can only point at their tenant's issuer.
        sa.UniqueConstraint("id", "organization_id", name="uq_issuers_id_organization_id"),
        sa.CheckConstraint("did_method IN ('web', 'key')", name="ck_issuers_did_method"),
    )
    op.create_index("ix_issuers_organization_id", "issuers", ["organization_id"])


def _issuer_keys() -> None:
    op.create_table(
        "issuer_keys",
        sa.Column("id", UUID, nullable=False),
        sa.Column("issuer_id", UUID, nullable=False),
        sa.Column("key_id", sa.String(200), nullable=False),
        sa.Column("public_key_multibase", sa.String(200), nullable=False),
        sa.Column("encrypted_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("encryption_algorithm", sa.String(32), nullable=False),
        sa.Column("key_encryption_key_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("retired_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_issuer_keys"),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name="fk_issuer_keys_issuer_id_issuers", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("issuer_id", "key_id", name="uq_issuer_keys_issuer_id_key_id"),
        sa.CheckConstraint("state IN ('active', 'rotated', 'retired')", name="ck_issuer_keys_state"),
    )
    # Partial unique index (both databases support it): at most one active key per issuer.
    op.create_index(
        "uq_issuer_keys_one_active",
        "issuer_keys",
        ["issuer_id"],
        unique=True,
        sqlite_where=sa.text("state = 'active'"),
        postgresql_where=sa.text("state = 'active'"),
    )


def _achievements() -> None:
    op.create_table(
        "achievements",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("issuer_id", UUID, nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_achievements"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_achievements_organization_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id", "organization_id"],
            ["issuers.id", "issuers.organization_id"],
            name="fk_achievements_issuer_id_organization_id_issuers",
        ),
        sa.CheckConstraint("current_version >= 1", name="ck_achievements_current_version"),
    )
    op.create_index("ix_achievements_organization_id", "achievements", ["organization_id"])
    op.create_index("ix_achievements_issuer_id", "achievements", ["issuer_id"])
    op.create_table(
        "achievement_versions",
        sa.Column("id", UUID, nullable=False),
        sa.Column("achievement_id", UUID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_achievement_versions"),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name="fk_achievement_versions_achievement_id_achievements",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("achievement_id", "version", name="uq_achievement_versions_achievement_id_version"),
        sa.CheckConstraint("version >= 1", name="ck_achievement_versions_version"),
    )


def _audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_audit_log_organization_id_organizations"
        ),
    )
    op.create_index("ix_audit_log_organization_id_at", "audit_log", ["organization_id", "at"])


def upgrade() -> None:
    _organizations()
    _api_clients()
    _access_tokens()
    _issuers()
    _issuer_keys()
    _achievements()
    _audit_log()


def downgrade() -> None:
    for table in (
        "audit_log",
        "achievement_versions",
        "achievements",
        "issuer_keys",
        "issuers",
        "access_tokens",
        "api_clients",
        "organizations",
    ):
        op.drop_table(table)
