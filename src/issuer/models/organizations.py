"""Tenancy and API access: organizations, their OAuth clients (RFC 6749 §2) and issued access tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base


class Organization(Base):
    """The tenant: owns issuers, achievements and API clients; nothing crosses between organizations."""

    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class ApiClient(Base):
    """A confidential client (RFC 6749 §2.1); only a salted hash of its secret is stored (issuer.client_secrets)."""

    __tablename__ = "api_clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(200))
    # RFC 6749 §3.3 scope string: space-separated, sorted.
    scopes: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AccessToken(Base):
    """An opaque bearer token (RFC 6750), stored as its SHA-256 so a dump holds no usable token."""

    __tablename__ = "access_tokens"
    __table_args__ = (Index("ix_access_tokens_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[str] = mapped_column(String(1000))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
