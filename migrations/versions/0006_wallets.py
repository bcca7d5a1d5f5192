"""Learners' wallets (issue 6): claim links, public pages, wallet offers, claimed copies, nonces; issuer settings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

Written by hand, like 0001 to 0005: constraint names follow `issuer.models.base.NAMING_CONVENTION`, and
tests/service/test_migrations.py checks the result against the models on SQLite and PostgreSQL. The two issuer
columns are added with batch_alter_table, which SQLite needs for the check constraint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UUID = sa.Uuid()
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _organization(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"], ["organizations.id"], name=f"fk_{table}_organization_id_organizations"
    )


def _credential(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["credential_row_id"], ["credentials.id"], name=f"fk_{table}_credential_row_id_credentials"
    )


def upgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.add_column(sa.Column("linkedin_organization_id", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column("wallet_proof_mode", sa.String(6), nullable=False, server_default="compat"),
        )
        batch.create_check_constraint("wallet_proof_mode", "wallet_proof_mode IN ('compat', 'strict')")
    op.create_table(
        "claim_links",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("credential_row_id", UUID, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("superseded_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_claim_links"),
        _organization("claim_links"),
        _credential("claim_links"),
        sa.UniqueConstraint("token_hash", name="uq_claim_links_token_hash"),
    )
    op.create_index("ix_claim_links_credential_row_id", "claim_links", ["credential_row_id"])
    op.create_table(
        "public_pages",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("credential_row_id", UUID, nullable=False),
        sa.Column("slug", sa.String(32), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("withdrawn_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_public_pages"),
        _organization("public_pages"),
        _credential("public_pages"),
        sa.UniqueConstraint("credential_row_id", name="uq_public_pages_credential_row_id"),
        sa.UniqueConstraint("slug", name="uq_public_pages_slug"),
    )
    op.create_table(
        "wallet_offers",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("credential_row_id", UUID, nullable=False),
        sa.Column("protocol", sa.String(7), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("handle_hash", sa.String(64), nullable=False),
        sa.Column("configuration_ids", JSON_DOCUMENT, nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("tx_code_hash", sa.String(64), nullable=True),
        sa.Column("tx_code_attempts", sa.Integer(), nullable=False),
        sa.Column("access_token_hash", sa.String(64), nullable=True),
        sa.Column("token_expires_at", TIMESTAMP, nullable=True),
        sa.Column("holder_binding", sa.Boolean(), nullable=False),
        sa.Column("companion_offer_id", UUID, nullable=True),
        sa.Column("challenge_hash", sa.String(64), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("redeemed_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_wallet_offers"),
        _organization("wallet_offers"),
        _credential("wallet_offers"),
        sa.ForeignKeyConstraint(
            ["companion_offer_id"], ["wallet_offers.id"], name="fk_wallet_offers_companion_offer_id_wallet_offers"
        ),
        sa.CheckConstraint("protocol IN ('oid4vci', 'lcw', 'vcapi')", name="ck_wallet_offers_protocol"),
        sa.CheckConstraint("state IN ('pending', 'active', 'redeemed', 'dead')", name="ck_wallet_offers_state"),
        sa.CheckConstraint("tx_code_attempts >= 0", name="ck_wallet_offers_tx_code_attempts"),
        sa.UniqueConstraint("handle_hash", name="uq_wallet_offers_handle_hash"),
        sa.UniqueConstraint("code_hash", name="uq_wallet_offers_code_hash"),
        sa.UniqueConstraint("access_token_hash", name="uq_wallet_offers_access_token_hash"),
    )
    op.create_index("ix_wallet_offers_credential_row_id", "wallet_offers", ["credential_row_id"])
    op.create_table(
        "credential_copies",
        sa.Column("id", UUID, nullable=False),
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("credential_row_id", UUID, nullable=False),
        sa.Column("offer_id", UUID, nullable=False),
        sa.Column("credential_id", sa.String(500), nullable=False),
        sa.Column("holder", sa.String(2000), nullable=False),
        sa.Column("protocol", sa.String(7), nullable=False),
        sa.Column("format", sa.String(3), nullable=False),
        sa.Column("cryptosuite", sa.String(40), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("notification_id", sa.String(64), nullable=True),
        sa.Column("notification_event", sa.String(40), nullable=True),
        sa.Column("notified_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_credential_copies"),
        _organization("credential_copies"),
        _credential("credential_copies"),
        sa.ForeignKeyConstraint(["offer_id"], ["wallet_offers.id"], name="fk_credential_copies_offer_id_wallet_offers"),
        sa.CheckConstraint("format IN ('ldp', 'jwt')", name="ck_credential_copies_format"),
        sa.UniqueConstraint("offer_id", name="uq_credential_copies_offer_id"),
        sa.UniqueConstraint("credential_id", name="uq_credential_copies_credential_id"),
        sa.UniqueConstraint("notification_id", name="uq_credential_copies_notification_id"),
    )
    op.create_index("ix_credential_copies_credential_row_id", "credential_copies", ["credential_row_id"])
    op.create_table(
        "wallet_nonces",
        sa.Column("nonce_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("nonce_hash", name="pk_wallet_nonces"),
    )
    op.create_index("ix_wallet_nonces_expires_at", "wallet_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_table("wallet_nonces")
    op.drop_table("credential_copies")
    op.drop_table("wallet_offers")
    op.drop_table("public_pages")
    op.drop_table("claim_links")
    with op.batch_alter_table("issuers") as batch:
        batch.drop_constraint("wallet_proof_mode", type_="check")
        batch.drop_column("wallet_proof_mode")
        batch.drop_column("linkedin_organization_id")
