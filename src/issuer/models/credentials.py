"""Issued credentials (OB 3.0 §B.1 AchievementCredential) exactly as signed, and their status history."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base

CREDENTIAL_FORMATS = ("ldp", "jwt")
CREDENTIAL_STATUSES = ("active", "revoked", "suspended")
RECIPIENT_KINDS = ("email", "did")
STATUS_ACTIONS = ("revoke", "suspend", "reinstate")


class Credential(Base):
    """One issued credential; `document` holds the bytes served (signed JSON text or compact JWT), never re-encoded.

    `credential_id` is the `id` inside the credential. `recipient_key` is a keyed hash of the recipient (see
    `issuer.repositories.credentials.recipient_key`): listing by recipient needs an exact-match column, and the
    per-credential salted IdentityHash cannot be searched. Each credential holds one revocation entry and, when its
    issuer enabled suspension, one suspension entry; the unique constraints make an index impossible to reuse.
    """

    __tablename__ = "credentials"
    __table_args__ = (
        CheckConstraint("format IN ('ldp', 'jwt')", name="format"),
        CheckConstraint("format = 'jwt' OR cryptosuite IS NOT NULL", name="ldp_cryptosuite"),
        CheckConstraint("recipient_kind IN ('email', 'did')", name="recipient_kind"),
        CheckConstraint("status IN ('active', 'revoked', 'suspended')", name="status"),
        CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_at"),
        CheckConstraint("revocation_index >= 0", name="revocation_index"),
        CheckConstraint(
            "(suspension_list_id IS NULL AND suspension_index IS NULL)"
            " OR (suspension_list_id IS NOT NULL AND suspension_index >= 0)",
            name="suspension_entry",
        ),
        CheckConstraint("(idempotency_key IS NULL) = (request_hash IS NULL)", name="idempotency"),
        UniqueConstraint("organization_id", "idempotency_key"),
        UniqueConstraint("revocation_list_id", "revocation_index"),
        UniqueConstraint("suspension_list_id", "suspension_index"),
        # Composite keys: the issuer is the organization's own, and each list is that issuer's own.
        ForeignKeyConstraint(["issuer_id", "organization_id"], ["issuers.id", "issuers.organization_id"]),
        ForeignKeyConstraint(["revocation_list_id", "issuer_id"], ["status_lists.id", "status_lists.issuer_id"]),
        ForeignKeyConstraint(["suspension_list_id", "issuer_id"], ["status_lists.id", "status_lists.issuer_id"]),
        # The listing endpoint's orders and filters, always within one organization.
        Index("ix_credentials_organization_id_issued_at", "organization_id", "issued_at"),
        Index("ix_credentials_organization_id_recipient_key", "organization_id", "recipient_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    issuer_id: Mapped[uuid.UUID] = mapped_column(index=True)
    achievement_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("achievement_versions.id"), index=True)
    credential_id: Mapped[str] = mapped_column(String(500), unique=True)
    format: Mapped[str] = mapped_column(String(3))
    cryptosuite: Mapped[str | None] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(Text)
    # SHA-256 (hex) of the UTF-8 bytes of `document`; composite awards cite it as the component's digest.
    digest: Mapped[str] = mapped_column(String(64))
    recipient_kind: Mapped[str] = mapped_column(String(5))
    recipient_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(9), default="active")
    revocation_list_id: Mapped[uuid.UUID]
    revocation_index: Mapped[int] = mapped_column(Integer)
    suspension_list_id: Mapped[uuid.UUID | None]
    suspension_index: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # SHA-256 (hex) of the canonical request, so a replayed key with a different body is told apart.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)


class CredentialStatusChange(Base):
    """Append-only history of revoke / suspend / reinstate: who (`actor`, as in the audit log), when and why.

    `credential_id` here is the credentials row (`credentials.id`), not the `id` inside the credential.
    """

    __tablename__ = "credential_status_changes"
    __table_args__ = (
        CheckConstraint("action IN ('revoke', 'suspend', 'reinstate')", name="action"),
        CheckConstraint("from_status IN ('active', 'revoked', 'suspended')", name="from_status"),
        CheckConstraint("to_status IN ('active', 'revoked', 'suspended')", name="to_status"),
        Index("ix_credential_status_changes_credential_id_at", "credential_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    credential_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credentials.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(9))
    from_status: Mapped[str] = mapped_column(String(9))
    to_status: Mapped[str] = mapped_column(String(9))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
