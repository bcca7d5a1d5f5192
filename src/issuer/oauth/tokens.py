"""Issuing (RFC 6749 §4.4.3) and checking (RFC 6750 §2.1) opaque bearer tokens stored as SHA-256 hashes.

Opaque stored tokens rather than self-contained signed ones: every request already reads the database, one
primary-key lookup is cheap, there is no token-signing key to manage or rotate, and revoking a client stops
its tokens at once (the lookup joins the client and requires it unrevoked) instead of after their expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from issuer.client_secrets import burn_verification_time, hash_access_token, new_access_token, verify_client_secret
from issuer.models import AccessToken, ApiClient
from issuer.oauth.errors import OAuthError, OAuthErrorCode, invalid_client
from issuer.oauth.request import TokenRequest
from issuer.principal import Principal
from issuer.scopes import Scope, ScopeSyntaxError, format_scopes, parse_scopes


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: frozenset[Scope]


def stored_scopes(value: str) -> frozenset[Scope]:
    """Scopes as stored; a name no longer defined grants nothing rather than failing the request."""
    known = {str(scope) for scope in Scope}
    return frozenset(Scope(token) for token in value.split() if token in known)


def _authenticate_client(session: Session, request: TokenRequest) -> ApiClient:
    """§2.3.1 client authentication; revocation is only disclosed to a caller holding the right secret."""
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == request.client_id))
    if client is None:
        burn_verification_time(request.client_secret)
        raise invalid_client("client authentication failed", basic=request.used_basic)
    if not verify_client_secret(request.client_secret, client.secret_hash):
        raise invalid_client("client authentication failed", basic=request.used_basic)
    if client.revoked_at is not None:
        # §1.3.4: the client credentials are the grant; revoked credentials are a revoked grant.
        raise OAuthError(OAuthErrorCode.INVALID_GRANT, "the client's credentials have been revoked")
    return client


def _granted_scopes(requested: str | None, allowed: frozenset[Scope]) -> frozenset[Scope]:
    """§3.3: no scope asks for everything the client may have; asking for more than that is refused."""
    if requested is None:
        return allowed
    try:
        scopes = parse_scopes(requested)
    except ScopeSyntaxError as exc:
        raise OAuthError(OAuthErrorCode.INVALID_SCOPE, str(exc)) from exc
    missing = scopes - allowed
    if missing:
        raise OAuthError(OAuthErrorCode.INVALID_SCOPE, f"scope not granted to this client: {format_scopes(missing)}")
    return scopes


def client_credentials_grant(
    session: Session, request: TokenRequest, *, now: datetime, lifetime: timedelta
) -> IssuedToken:
    """RFC 6749 §4.4.3 Access Token Response: authenticate, narrow the scope, store the token's hash, commit."""
    client = _authenticate_client(session, request)
    scopes = _granted_scopes(request.scope, stored_scopes(client.scopes))
    if not scopes:
        raise OAuthError(OAuthErrorCode.INVALID_SCOPE, "this client has no scopes")
    token = new_access_token()
    # Housekeeping on the write path keeps the table bounded without a background job.
    session.execute(delete(AccessToken).where(AccessToken.api_client_id == client.id, AccessToken.expires_at <= now))
    session.add(
        AccessToken(
            token_hash=hash_access_token(token),
            api_client_id=client.id,
            scopes=format_scopes(scopes),
            issued_at=now,
            expires_at=now + lifetime,
        )
    )
    session.commit()
    return IssuedToken(access_token=token, expires_in=int(lifetime.total_seconds()), scopes=scopes)


def authenticate_bearer(session: Session, token: str, *, now: datetime) -> Principal | None:
    """RFC 6750 §2.1: the principal behind an unexpired token of an unrevoked client, else None."""
    row = session.execute(
        select(AccessToken.scopes, ApiClient.organization_id, ApiClient.client_id)
        .join(ApiClient, AccessToken.api_client_id == ApiClient.id)
        .where(
            AccessToken.token_hash == hash_access_token(token),
            AccessToken.expires_at > now,
            ApiClient.revoked_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return Principal(organization_id=row.organization_id, client_id=row.client_id, scopes=stored_scopes(row.scopes))
