"""A route that several scopes may each open (RFC 6750 §3.1): `require_any_scope`, next to `require_scope`.

The authentication is `require_scope`'s own (bearer token per RFC 6750 §2.1, `authenticate_bearer`, the same
problems); only the scope rule differs. OpenAPI cannot say "one of these scopes" through FastAPI's `Security`
(its scopes are all required), so `any_scope_openapi` gives the route the security requirement alternatives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2

from issuer.dependencies import TOKEN_URL, IssuerContextDep, SessionDep, bearer_token
from issuer.errors import AuthenticationRequired, InsufficientScope, InvalidToken
from issuer.oauth.tokens import authenticate_bearer
from issuer.principal import Principal
from issuer.scopes import SCOPE_DESCRIPTIONS, Scope

SCHEME_NAME = "oauth2"


class InsufficientScopes(InsufficientScope):
    """RFC 6750 §3.1 `insufficient_scope` when any one of several scopes would have done."""

    def __init__(self, accepted: tuple[Scope, ...]) -> None:
        super().__init__(" ".join(accepted))
        self.detail = f"this operation requires one of the scopes {', '.join(accepted)}"
        self.args = (self.detail,)


def _scheme() -> OAuth2:
    # The same scheme (name, flow) as issuer.dependencies, so OpenAPI lists one `oauth2` security scheme.
    flow = OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=dict(SCOPE_DESCRIPTIONS))
    return OAuth2(flows=OAuthFlows(clientCredentials=flow), scheme_name=SCHEME_NAME, auto_error=False)


def require_any_scope(*scopes: Scope) -> Callable[..., Principal]:
    """A dependency that authenticates the bearer token (RFC 6750 §2.1) and requires one of `scopes` (§3.1)."""
    if not scopes:
        raise ValueError("require_any_scope needs at least one scope")
    accepted = tuple(scopes)

    def authenticated_principal(
        session: SessionDep,
        context: IssuerContextDep,
        authorization: str | None = Security(_scheme(), scopes=[accepted[0]]),
    ) -> Principal:
        token = bearer_token(authorization)
        if token is None:
            raise AuthenticationRequired("send an access token from POST /oauth/token as `Authorization: Bearer`")
        principal = authenticate_bearer(session, token, now=context.clock())
        if principal is None:
            raise InvalidToken("the access token is unknown, expired or revoked")
        if principal.scopes.isdisjoint(accepted):
            raise InsufficientScopes(accepted)
        return principal

    return authenticated_principal


def any_scope_openapi(*scopes: Scope) -> dict[str, Any]:
    """`openapi_extra` for a route guarded by `require_any_scope(*scopes)`: OpenAPI security alternatives.

    FastAPI already lists the first scope (the one `Security` names); these are appended as further alternatives.
    """
    return {"security": [{SCHEME_NAME: [str(scope)]} for scope in scopes[1:]]}
