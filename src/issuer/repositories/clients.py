"""API clients (RFC 6749 §2): created with a fresh secret that is returned once and stored hashed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from issuer.client_secrets import hash_client_secret, new_client_id, new_client_secret
from issuer.errors import InvalidInput, NotFound
from issuer.models import AccessToken, ApiClient
from issuer.scopes import Scope, format_scopes


def create_api_client(
    session: Session, *, organization_id: uuid.UUID, name: str, scopes: Iterable[Scope], now: datetime
) -> tuple[ApiClient, str]:
    """The new client and its secret in the clear; the secret is not kept anywhere and cannot be shown again."""
    granted = frozenset(scopes)
    if not granted:
        raise InvalidInput("an API client needs at least one scope")
    secret = new_client_secret()
    client = ApiClient(
        organization_id=organization_id,
        client_id=new_client_id(),
        name=name,
        secret_hash=hash_client_secret(secret),
        scopes=format_scopes(granted),
        created_at=now,
    )
    session.add(client)
    session.flush()
    return client, secret


def find_api_client(session: Session, client_id: str) -> ApiClient | None:
    return session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))


def list_api_clients(session: Session, organization_id: uuid.UUID) -> list[ApiClient]:
    query = select(ApiClient).where(ApiClient.organization_id == organization_id).order_by(ApiClient.created_at)
    return list(session.scalars(query))


def revoke_api_client(session: Session, client_id: str, *, now: datetime) -> ApiClient:
    """Mark the client revoked and drop its tokens; token checks also refuse revoked clients on their own."""
    client = find_api_client(session, client_id)
    if client is None:
        raise NotFound(f"no API client {client_id}")
    if client.revoked_at is None:
        client.revoked_at = now
    session.execute(delete(AccessToken).where(AccessToken.api_client_id == client.id))
    session.flush()
    return client
