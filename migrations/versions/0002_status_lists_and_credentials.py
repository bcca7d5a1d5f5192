"""Status lists (Bitstring Status List v1.0), issued credentials and their status history.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-28

Written by hand, like 0001: constraint names follow `issuer.models.base.NAMING_CONVENTION`, and
tests/service/test_migrations.py checks the result against the models on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Portable types: native uuid / timestamptz / bytea on PostgreSQL, CHAR(32) / naive-UTC / BLOB on SQLite.
UUID = sa.Uuid()
TIMESTAMP = sa.DateTime(timezone=True)


def _status_lists() -> None:
    op.create_table(
        "status_lists",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("issuer_id", UUID, nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("permutation_key", sa.LargeBinary(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed_credential", sa.Text(), nullable=True),
        sa.Column("signed_etag", sa.String(64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_lists"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_status_lists_organization_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id", "organization_id"],
            ["issuers.id", "issuers.organization_id"],
            name="fk_status_lists_issuer_id_organization_id_issuers",
        ),
        # Concurrent creators of an issuer's next list: exactly one insert wins.
        sa.UniqueConstraint("issuer_id", "purpose", "sequence", name="uq_status_lists_issuer_id_purpose_sequence"),
        # Target of the credentials' (list, issuer) foreign keys.
        sa.UniqueConstraint("id", "issuer_id", name="uq_status_lists_id_issuer_id"),
        sa.CheckConstraint("purpose IN ('revocation', 'suspension')", name="ck_status_lists_purpose"),
        sa.CheckConstraint("sequence >= 1", name="ck_status_lists_sequence"),
        sa.CheckConstraint("length >= 1", name="ck_status_lists_length"),
        sa.CheckConstraint("allocated >= 0 AND allocated <= length", name="ck_status_lists_allocated"),
        sa.CheckConstraint("version >= 0", name="ck_status_lists_version"),
    )
    op.create_index("ix_status_lists_organization_id", "status_lists", ["organization_id"])


def _credentials() -> None:
    op.create_table(
        "credentials",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("issuer_id", UUID, nullable=False),
        sa.Column("achievement_version_id", UUID, nullable=False),
        sa.Column("credential_id", sa.String(500), nullable=False),
        sa.Column("format", sa.String(3), nullable=False),
        sa.Column("cryptosuite", sa.String(40), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("recipient_kind", sa.String(5), nullable=False),
        sa.Column("recipient_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(9), nullable=False),
        sa.Column("revocation_list_id", UUID, nullable=False),
        sa.Column("revocation_index", sa.Integer(), nullable=False),
        sa.Column("suspension_list_id", UUID, nullable=True),
        sa.Column("suspension_index", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_credentials_organization_id_organizations"
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id", "organization_id"],
            ["issuers.id", "issuers.organization_id"],
            name="fk_credentials_issuer_id_organization_id_issuers",
        ),
        sa.ForeignKeyConstraint(
            ["achievement_version_id"],
            ["achievement_versions.id"],
            name="fk_credentials_achievement_version_id_achievement_versions",
        ),
        # Composite keys: each status list a credential points into belongs to the credential's own issuer.
        sa.ForeignKeyConstraint(
            ["revocation_list_id", "issuer_id"],
            ["status_lists.id", "status_lists.issuer_id"],
            name="fk_credentials_revocation_list_id_issuer_id_status_lists",
        ),
        sa.ForeignKeyConstraint(
            ["suspension_list_id", "issuer_id"],
            ["status_lists.id", "status_lists.issuer_id"],
            name="fk_credentials_suspension_list_id_issuer_id_status_lists",
        ),
        sa.UniqueConstraint("credential_id", name="uq_credentials_credential_id"),
        sa.UniqueConstraint(
            "organization_id", "idempotency_key", name="uq_credentials_organization_id_idempotency_key"
        ),
        # The database's own guarantee that a status list index is never given to two credentials.
        sa.UniqueConstraint(
            "revocation_list_id", "revocation_index", name="uq_credentials_revocation_list_id_revocation_index"
        ),
        sa.UniqueConstraint(
            "suspension_list_id", "suspension_index", name="uq_credentials_suspension_list_id_suspension_index"
        ),
        sa.CheckConstraint("format IN ('ldp', 'jwt')", name="ck_credentials_format"),
        sa.CheckConstraint("format = 'jwt' OR cryptosuite IS NOT NULL", name="ck_credentials_ldp_cryptosuite"),
        sa.CheckConstraint("recipient_kind IN ('email', 'did')", name="ck_credentials_recipient_kind"),
        sa.CheckConstraint("status IN ('active', 'revoked', 'suspended')", name="ck_credentials_status"),
        sa.CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name="ck_credentials_revoked_at"),
        sa.CheckConstraint("revocation_index >= 0", name="ck_credentials_revocation_index"),
        sa.CheckConstraint(
            "(suspension_list_id IS NULL AND suspension_index IS NULL)"
            " OR (suspension_list_id IS NOT NULL AND suspension_index >= 0)",
            name="ck_credentials_suspension_entry",
        ),
        sa.CheckConstraint("(idempotency_key IS NULL) = (request_hash IS NULL)", name="ck_credentials_idempotency"),
    )
    op.create_index("ix_credentials_issuer_id", "credentials", ["issuer_id"])
    op.create_index("ix_credentials_achievement_version_id", "credentials", ["achievement_version_id"])
    op.create_index("ix_credentials_organization_id_issued_at", "credentials", ["organization_id", "issued_at"])
    op.create_index("ix_credentials_organization_id_recipient_key", "credentials", ["organization_id", "recipient_key"])


def _credential_status_changes() -> None:
    op.create_table(
        "credential_status_changes",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("credential_id", UUID, nullable=False),
        sa.Column("action", sa.String(9), nullable=False),
        sa.Column("from_status", sa.String(9), nullable=False),
        sa.Column("to_status", sa.String(9), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credential_status_changes"),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_credential_status_changes_organization_id_organizations",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name="fk_credential_status_changes_credential_id_credentials",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("action IN ('revoke', 'suspend', 'reinstate')", name="ck_credential_status_changes_action"),
        sa.CheckConstraint(
            "from_status IN ('active', 'revoked', 'suspended')", name="ck_credential_status_changes_from_status"
        ),
        sa.CheckConstraint(
            "to_status IN ('active', 'revoked', 'suspended')", name="ck_credential_status_changes_to_status"
        ),
    )
    op.create_index("ix_credential_status_changes_organization_id", "credential_status_changes", ["organization_id"])
    op.create_index(
        "ix_credential_status_changes_credential_id_at", "credential_status_changes", ["credential_id", "at"]
    )


def upgrade() -> None:
    _status_lists()
    _credentials()
    _credential_status_changes()


def downgrade() -> None:
    for table in ("credential_status_changes", "credentials", "status_lists"):
        op.drop_table(table)
