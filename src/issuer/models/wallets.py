"""Issue 6 (learners take their credentials anywhere): claim links, public pages, wallet offers, claimed copies.

Every secret a learner or wallet holds (claim token, offer handle, pre-authorized code, transaction code, access
token, challenge, nonce) is stored as its SHA-256 only, like the API's access tokens: a database dump hands out
nothing usable. A claimed copy (`CredentialCopy`) is a new credential bound to the wallet holder's DID; it carries
the original's credentialStatus entries, so revoking or suspending the award changes every copy with it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base
from issuer.models.types import JSONDocument

WALLET_PROTOCOLS = ("oid4vci", "lcw", "vcapi")
OFFER_STATES = ("pending", "active", "redeemed", "dead")


class ClaimLink(Base):
    """An unguessable, expiring link to a credential's claim page; a new link for the credential ends the old ones."""

    __tablename__ = "claim_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    credential_row_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credentials.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # Set when a newer link replaced this one (POST /api/v1/credentials/{id}/claim-link).
    superseded_at: Mapped[datetime | None]


class PublicPage(Base):
    """A learner's opt-in public page of one credential: a stable slug, withdrawn and republished by the learner."""

    __tablename__ = "public_pages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    credential_row_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credentials.id"), unique=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class WalletOffer(Base):
    """One offer of one credential to one wallet, over OpenID4VCI, the LCW deep link or a VC-API exchange.

        `handle_hash` names the offer in URLs (the OpenID4VCI credential_offer_uri, the exchange and interaction URLs).
        `state`: pending (created), active (a VC-API exchange handed out its DIDAuth challenge, or an OpenID4VCI code
        was exchanged for a token), redeemed (a copy was issued, or an unbound credential handed over), dead (too many
    wrong transaction codes, or the other offer of the same interaction URL was redeemed).
    """

    __tablename__ = "wallet_offers"
    __table_args__ = (
        CheckConstraint("protocol IN ('oid4vci', 'lcw', 'vcapi')", name="protocol"),
        CheckConstraint("state IN ('pending', 'active', 'redeemed', 'dead')", name="state"),
        CheckConstraint("tx_code_attempts >= 0", name="tx_code_attempts"),
        Index("ix_wallet_offers_credential_row_id", "credential_row_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    credential_row_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credentials.id"))
    protocol: Mapped[str] = mapped_column(String(7))
    state: Mapped[str] = mapped_column(String(8), default="pending")
    handle_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # OpenID4VCI: the offered credential_configuration_ids, the pre-authorized code, its transaction code.
    configuration_ids: Mapped[list[Any] | None] = mapped_column(JSONDocument)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    tx_code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    # VC-API: whether the exchange asks for DIDAuth (a bound copy) or offers the credential as issued; and the
    # OpenID4VCI offer made with it, which the interaction URL lists as a second protocol.
    holder_binding: Mapped[bool] = mapped_column(default=True)
    companion_offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wallet_offers.id"))
    # LCW and VC-API: the DIDAuth challenge (LCW: in the deep link; VC-API: handed out by POST {}).
    challenge_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]


class CredentialCopy(Base):
    """A credential re-issued to a wallet, bound to the holder's DID (`credentialSubject.id`): a recorded claim."""

    __tablename__ = "credential_copies"
    __table_args__ = (CheckConstraint("format IN ('ldp', 'jwt')", name="format"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    credential_row_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credentials.id"), index=True)
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_offers.id"), unique=True)
    credential_id: Mapped[str] = mapped_column(String(500), unique=True)
    holder: Mapped[str] = mapped_column(String(2000))
    protocol: Mapped[str] = mapped_column(String(7))
    format: Mapped[str] = mapped_column(String(3))
    cryptosuite: Mapped[str | None] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    # OpenID4VCI §11 notification: the id handed to the wallet, and the last event it reported.
    notification_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    notification_event: Mapped[str | None] = mapped_column(String(40))
    notified_at: Mapped[datetime | None]


class WalletNonce(Base):
    """An OpenID4VCI §7 c_nonce: single use, short-lived; rows past `expires_at` are deleted as new ones are made."""

    __tablename__ = "wallet_nonces"
    __table_args__ = (Index("ix_wallet_nonces_expires_at", "expires_at"),)

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
