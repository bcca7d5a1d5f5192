"""`POST /oauth/token`: the client credentials grant (RFC 6749 §4.4). Thin: parsing and rules live in issuer.oauth."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from issuer.dependencies import TOKEN_URL, IssuerContextDep, SessionDep
from issuer.oauth.errors import OAuthError, OAuthErrorCode
from issuer.oauth.request import FORM_MEDIA_TYPE, read_token_request
from issuer.oauth.tokens import client_credentials_grant
from issuer.scopes import format_scopes
from schemas.oauth import TokenErrorResponse, TokenResponse
from schemas.problem import problem_type

# RFC 6749 §5.1: token responses, and errors about them, must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

_TITLES = {
    OAuthErrorCode.INVALID_REQUEST: "The token request is malformed",
    OAuthErrorCode.INVALID_CLIENT: "Client authentication failed",
    OAuthErrorCode.INVALID_GRANT: "The client's credentials are no longer valid",
    OAuthErrorCode.UNAUTHORIZED_CLIENT: "The client may not use this grant type",
    OAuthErrorCode.UNSUPPORTED_GRANT_TYPE: "The grant type is not supported",
    OAuthErrorCode.INVALID_SCOPE: "The requested scope is invalid",
}

_FORM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            FORM_MEDIA_TYPE: {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "client_id": {"type": "string", "description": "unless sent with HTTP Basic"},
                        "client_secret": {"type": "string", "description": "unless sent with HTTP Basic"},
                        "scope": {"type": "string", "description": "space-separated; default: all granted"},
                    },
                }
            }
        },
    }
}


async def _raw_body(request: Request) -> bytes:
    # Read here (async) so the endpoint itself can run in the thread pool: hashing and the database block.
    return await request.body()


def oauth_error_response(error: OAuthError) -> JSONResponse:
    """RFC 6749 §5.2 JSON body with the RFC 9457 members alongside (`application/json`, as §5.2 requires)."""
    code = f"OAUTH_{error.error.value.upper()}"
    body = TokenErrorResponse(
        error=error.error.value,
        error_description=error.description,
        type=problem_type(code),
        title=_TITLES[error.error],
        status=error.status,
        detail=error.description,
        code=code,
    )
    return JSONResponse(body.model_dump(), status_code=error.status, headers={**NO_STORE, **error.headers()})


def token(
    request: Request, body: Annotated[bytes, Depends(_raw_body)], session: SessionDep, context: IssuerContextDep
) -> JSONResponse:
    """RFC 6749 §4.4.2 Access Token Request -> §5.1 response, or a §5.2 error."""
    try:
        token_request = read_token_request(
            request.headers.get("content-type"), body, request.headers.get("authorization")
        )
        issued = client_credentials_grant(
            session, token_request, now=context.clock(), lifetime=context.access_token_lifetime
        )
    except OAuthError as error:
        return oauth_error_response(error)
    response = TokenResponse(
        access_token=issued.access_token, expires_in=issued.expires_in, scope=format_scopes(issued.scopes)
    )
    return JSONResponse(response.model_dump(), headers=NO_STORE)


def build_oauth_router() -> APIRouter:
    router = APIRouter(tags=["oauth"])
    router.add_api_route(
        TOKEN_URL,
        token,
        methods=["POST"],
        summary="Get an access token (OAuth 2.0 client credentials)",
        response_model=TokenResponse,
        responses={400: {"model": TokenErrorResponse}, 401: {"model": TokenErrorResponse}},
        openapi_extra=_FORM_BODY,
    )
    return router
