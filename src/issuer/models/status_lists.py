"""Bitstring Status List v1.0 §2.2 BitstringStatusList: one row per published list of an issuer and purpose."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base

STATUS_PURPOSES = ("revocation", "suspension")


class StatusList(Base):
    """The raw bitstring of one list, its allocation counter and the cached signed list credential.

    `allocated` counts the entries handed out; entry number `allocated - 1` gets the index
    `issuer.status_lists.permute_position(allocated - 1, key=permutation_key, length=length)`, so indices look
    random yet are never reused. The list is full when `allocated == length`; the next one gets `sequence + 1`.
    `version` grows with every bit change (and when the issuer retires a key, so that the list is signed again);
    `signed_credential` (with `signed_etag`) is the signed BitstringStatusListCredential for the current version, or
    NULL when it must be signed again.
    """

    __tablename__ = "status_lists"
    __table_args__ = (
        CheckConstraint("purpose IN ('revocation', 'suspension')", name="purpose"),
        CheckConstraint("sequence >= 1", name="sequence"),
        CheckConstraint("length >= 1", name="length"),
        CheckConstraint("allocated >= 0 AND allocated <= length", name="allocated"),
        CheckConstraint("version >= 0", name="version"),
        # Two issuance transactions that both find the last list full race to create the next one; the loser's
        # insert fails here and it allocates from the winner's list instead.
        UniqueConstraint("issuer_id", "purpose", "sequence"),
        # Target of the credentials' (list, issuer) foreign keys: a credential can only use its own issuer's lists.
        UniqueConstraint("id", "issuer_id"),
        ForeignKeyConstraint(["issuer_id", "organization_id"], ["issuers.id", "issuers.organization_id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    issuer_id: Mapped[uuid.UUID]
    purpose: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    permutation_key: Mapped[bytes] = mapped_column(LargeBinary)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer, default=0)
    signed_credential: Mapped[str | None] = mapped_column(Text)
    signed_etag: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
