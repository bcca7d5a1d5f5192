"""FastAPI dependencies of the issuer's routes: the run-time context, a session, the authenticated principal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2
from sqlalchemy.orm import Session

from issuer.db import write_session
from issuer.errors import AuthenticationRequired, InsufficientScope, InvalidToken
from issuer.oauth.tokens import authenticate_bearer
from issuer.principal import Principal
from issuer.runtime import IssuerContext
from issuer.scopes import SCOPE_DESCRIPTIONS, Scope

TOKEN_URL = "/oauth/token"


def get_issuer_context(request: Request) -> IssuerContext:
    """The context the app's lifespan stored; missing means the app was wired wrongly (a bug, not input)."""
    context = getattr(request.app.state, "issuer_context", None)
    if not isinstance(context, IssuerContext):
        raise RuntimeError("app.state.issuer_context is not set: the issuer routes need the app's lifespan")
    return context


IssuerContextDep = Annotated[IssuerContext, Depends(get_issuer_context)]


def get_session(context: IssuerContextDep) -> Iterator[Session]:
    """One session per request; services commit, and anything uncommitted is rolled back on close."""
    with context.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_write_session(context: IssuerContextDep, session: SessionDep) -> Iterator[Session]:
    """SQLite "BEGIN IMMEDIATE" write session (issuer.db.write_session) for a request that writes; services commit.

    The request's read session (the one authentication used) ends its transaction first, so its connection goes
    back to the pool before the writer takes one. Declare the principal before this dependency, so that
    authentication runs first and this step is its last use.
    """
    session.rollback()
    with write_session(context.sessions) as writer:
        yield writer


WriteSessionDep = Annotated[Session, Depends(get_write_session)]


def _client_credentials_scheme() -> OAuth2:
    """OpenAPI `oauth2` client-credentials scheme; it only reads the Authorization header."""
    flow = OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=dict(SCOPE_DESCRIPTIONS))
    return OAuth2(flows=OAuthFlows(clientCredentials=flow), scheme_name="oauth2", auto_error=False)


def bearer_token(authorization: str | None) -> str | None:
    """RFC 6750 §2.1 `Authorization: Bearer <token>`; any other header counts as no token."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def require_scope(scope: Scope | str) -> Callable[..., Principal]:
    """A dependency that authenticates the bearer token (RFC 6750 §2.1) and requires `scope` (§3.1)."""
    required = Scope(scope)

    # A default rather than an Annotated alias: postponed annotations cannot see the closure's `required`.
    def authenticated_principal(
        session: SessionDep,
        context: IssuerContextDep,
        authorization: str | None = Security(_client_credentials_scheme(), scopes=[required]),
    ) -> Principal:
        token = bearer_token(authorization)
        if token is None:
            raise AuthenticationRequired("send an access token from POST /oauth/token as `Authorization: Bearer`")
        principal = authenticate_bearer(session, token, now=context.clock())
        if principal is None:
            raise InvalidToken("the access token is unknown, expired or revoked")
        if required not in principal.scopes:
            raise InsufficientScope(required)
        return principal

    return authenticated_principal
