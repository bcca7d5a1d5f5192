"""Issuer profiles (OB 3.0 §B.2.17 Profile) and their signing keys, encrypted at rest."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base

DID_METHODS = ("web", "key")
KEY_STATES = ("active", "rotated", "retired")


class Issuer(Base):
    """An organization's issuing identity: its DID and the OB 3.0 Profile document served for it."""

    __tablename__ = "issuers"
    __table_args__ = (
        CheckConstraint("did_method IN ('web', 'key')", name="did_method"),
        CheckConstraint("wallet_proof_mode IN ('compat', 'strict')", name="wallet_proof_mode"),
        # Target of the (issuer, organization) foreign keys: a row can only point at its own tenant's issuer.
        UniqueConstraint("id", "organization_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    did: Mapped[str] = mapped_column(String(500), unique=True)
    did_method: Mapped[str] = mapped_column(String(8))
    profile: Mapped[dict[str, Any]]
    suspension_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime]
    # Issue 6: the numeric id of the issuer's LinkedIn organization page ("Add to profile" links name it), and how
    # strictly OpenID4VCI proofs of possession are checked (WALLETS.md §2.10: compat tolerates known client quirks).
    linkedin_organization_id: Mapped[str | None] = mapped_column(String(20))
    wallet_proof_mode: Mapped[str] = mapped_column(String(6), default="compat", server_default="compat")


class IssuerKey(Base):
    """An Ed25519 key of an issuer (CID 1.0 Multikey); the private half only as AEAD ciphertext.

    `key_id` is the verification method fragment; `encryption_algorithm` and `key_encryption_key_id` say how
    and under which master key the private key was wrapped, so master keys can rotate.
    """

    __tablename__ = "issuer_keys"
    __table_args__ = (
        CheckConstraint("state IN ('active', 'rotated', 'retired')", name="state"),
        UniqueConstraint("issuer_id", "key_id"),
        # At most one active key per issuer: issuance never has to choose.
        Index(
            "uq_issuer_keys_one_active",
            "issuer_id",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    key_id: Mapped[str] = mapped_column(String(200))
    public_key_multibase: Mapped[str] = mapped_column(String(200))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    encryption_algorithm: Mapped[str] = mapped_column(String(32))
    key_encryption_key_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
