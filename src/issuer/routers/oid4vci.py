"""OpenID4VCI 1.0 pre-authorized code flow (WALLETS.md §2): metadata, offers by reference, token, nonce, credential
and notification endpoints. Thin: rules live in issuer.wallets.oid4vci.

Metadata is per issuer (each is a Credential Issuer, `{base}/issuers/{id}`), at the well-known URL of
OpenID4VCI 1.0 §12.2.2 / RFC 8414 §3.1 (inserted between host and path) and at the path-appended URL some clients
try (`{issuer}/.well-known/...`), each with and without a trailing slash, since real clients use all of them
(WALLETS.md §2.2). The protocol endpoints are shared: the offer behind the code or token names the issuer.

Errors are the specs' `{"error", "error_description"}` objects (never problem details), except 404s for unknown
issuers and offers, which are not OAuth answers. Handlers are plain `def`: FastAPI runs them in its thread pool, so
signing and the database never block the event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse

from issuer.db import write_session
from issuer.dependencies import IssuerContextDep, SessionDep
from issuer.issuance import IssuancePorts
from issuer.routers.public_issuers import published_issuer
from issuer.routers.stored_json import object_with_raw_member
from issuer.wallets.oid4vci.credential import CredentialIssued, credential_endpoint
from issuer.wallets.oid4vci.errors import NO_STORE, Oid4vciError
from issuer.wallets.oid4vci.metadata import authorization_server_metadata, credential_issuer_metadata
from issuer.wallets.oid4vci.nonce import nonce_endpoint
from issuer.wallets.oid4vci.notification import record_notification
from issuer.wallets.oid4vci.offer_reference import offer_by_reference
from issuer.wallets.oid4vci.token import exchange_pre_authorized_code, read_token_request
from schemas.problem import Problem

JSON = "application/json"
PREFIX = "/oid4vci"
ISSUER_METADATA = "openid-credential-issuer"
AS_METADATA = ("oauth-authorization-server", "openid-configuration")
# Public documents: cacheable for minutes, readable by browser wallets from any origin.
PUBLIC = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


async def _raw_body(request: Request) -> bytes:
    # Read here (async) so the endpoint itself can run in the thread pool.
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]
AuthorizationHeader = Annotated[str | None, Header(alias="Authorization", include_in_schema=False)]


def _error_response(error: Oid4vciError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers={**NO_STORE, **error.headers})


def _credential_response(issued: CredentialIssued) -> Response:
    """§8.3 `{"credentials": [{"credential": ...}], "notification_id"}` around the stored text, unchanged."""
    raw = issued.text if issued.format == "ldp" else json.dumps(issued.text)
    entry = object_with_raw_member({}, "credential", raw).decode()
    body = object_with_raw_member({"notification_id": issued.notification_id}, "credentials", f"[{entry}]")
    return Response(body, media_type=JSON, headers=NO_STORE)


@dataclass(frozen=True, slots=True)
class Oid4vciRoutes:
    """The handlers, bound to the public base URL that identifiers and endpoints are published under."""

    base_url: str

    def issuer_metadata(self, issuer_id: str, session: SessionDep) -> JSONResponse:
        """OpenID4VCI 1.0 §12.2 Credential Issuer Metadata of the issuer (WALLETS.md §2.3)."""
        return JSONResponse(
            credential_issuer_metadata(self.base_url, published_issuer(session, issuer_id)), headers=PUBLIC
        )

    def server_metadata(self, issuer_id: str, session: SessionDep) -> JSONResponse:
        """RFC 8414 §3 Authorization Server Metadata of the issuer (WALLETS.md §2.4)."""
        return JSONResponse(
            authorization_server_metadata(self.base_url, published_issuer(session, issuer_id)), headers=PUBLIC
        )

    def offer(self, handle: str, session: SessionDep, context: IssuerContextDep) -> JSONResponse:
        """OpenID4VCI 1.0 §4.1.3: the Credential Offer object by reference; 404 for unknown, used or expired."""
        offer = offer_by_reference(
            session, handle, master=context.require_master_key(), base_url=self.base_url, now=context.clock()
        )
        return JSONResponse(offer, headers=NO_STORE)

    def token(self, request: Request, body: RawBody, context: IssuerContextDep) -> JSONResponse:
        """OpenID4VCI 1.0 §6 Token Endpoint, pre-authorized code grant (form-encoded)."""
        try:
            token_request = read_token_request(request.headers.get("content-type"), body)
            with write_session(context.sessions) as session:
                granted = exchange_pre_authorized_code(session, token_request, now=context.clock())
        except Oid4vciError as error:
            return _error_response(error)
        return JSONResponse(granted.body(), headers=NO_STORE)

    def nonce(self, context: IssuerContextDep) -> JSONResponse:
        """OpenID4VCI 1.0 §7 Nonce Endpoint: a fresh c_nonce; any body is ignored (Sphereon sends an empty form)."""
        return JSONResponse({"c_nonce": nonce_endpoint(context.sessions, context.clock)}, headers=NO_STORE)

    def credential(
        self, body: RawBody, context: IssuerContextDep, authorization: AuthorizationHeader = None
    ) -> Response:
        """OpenID4VCI 1.0 §8 Credential Endpoint: one holder-bound copy per access token."""
        ports = IssuancePorts.of(context, self.base_url)
        try:
            issued = credential_endpoint(context.sessions, authorization, body, ports)
        except Oid4vciError as error:
            return _error_response(error)
        return _credential_response(issued)

    def notification(
        self, body: RawBody, context: IssuerContextDep, authorization: AuthorizationHeader = None
    ) -> Response:
        """OpenID4VCI 1.0 §11 Notification Endpoint: 204 once the event is recorded."""
        try:
            with write_session(context.sessions) as session:
                record_notification(session, authorization, body, now=context.clock())
        except Oid4vciError as error:
            return _error_response(error)
        return Response(status_code=204, headers=NO_STORE)


def _oauth_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: '`{"error", "error_description"}` (OpenID4VCI 1.0 §6.3, §8.3.1.2, §11.3)',
        401: "no, an unknown or an expired access token (`WWW-Authenticate: Bearer`)",
    }
    return {status: {"description": descriptions[status]} for status in statuses}


def _metadata_paths(document: str) -> list[str]:
    """RFC 8414 §3.1 / OpenID4VCI 1.0 §12.2.2 insertion, the path-appended form, each with a trailing slash too."""
    inserted = f"/.well-known/{document}/issuers/{{issuer_id}}"
    appended = f"/issuers/{{issuer_id}}/.well-known/{document}"
    return [inserted, f"{inserted}/", appended, f"{appended}/"]


def _add_metadata_routes(router: APIRouter, routes: Oid4vciRoutes) -> None:
    not_found: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "no such issuer"}}
    for path in _metadata_paths(ISSUER_METADATA):
        router.add_api_route(
            path,
            routes.issuer_metadata,
            methods=["GET"],
            summary="OpenID4VCI Credential Issuer metadata",
            responses=not_found,
            include_in_schema=path == _metadata_paths(ISSUER_METADATA)[0],
        )
    for document in AS_METADATA:
        for path in _metadata_paths(document):
            router.add_api_route(
                path,
                routes.server_metadata,
                methods=["GET"],
                summary="OAuth 2.0 Authorization Server metadata (OpenID4VCI)",
                responses=not_found,
                include_in_schema=path == _metadata_paths(AS_METADATA[0])[0],
            )


def build_oid4vci_router(*, base_url: str) -> APIRouter:
    """OpenID4VCI 1.0 §4.1.3, §6, §7, §8, §11 and §12 routes; identifiers and endpoint URLs are under `base_url`."""
    routes = Oid4vciRoutes(base_url)
    router = APIRouter(tags=["OpenID4VCI"])
    _add_metadata_routes(router, routes)
    router.add_api_route(
        f"{PREFIX}/offers/{{handle}}",
        routes.offer,
        methods=["GET"],
        summary="A credential offer by reference",
        responses={404: {"model": Problem, "description": "no such offer, or it was used or has expired"}},
    )
    router.add_api_route(
        f"{PREFIX}/token",
        routes.token,
        methods=["POST"],
        summary="Exchange a pre-authorized code for an access token",
        responses=_oauth_errors(400),
    )
    router.add_api_route(f"{PREFIX}/nonce", routes.nonce, methods=["POST"], summary="Get a c_nonce")
    router.add_api_route(
        f"{PREFIX}/credential",
        routes.credential,
        methods=["POST"],
        summary="Get the credential, bound to the key the proof shows",
        response_class=Response,
        responses=_oauth_errors(400, 401),
    )
    router.add_api_route(
        f"{PREFIX}/notification",
        routes.notification,
        methods=["POST"],
        status_code=204,
        summary="Tell the issuer what became of the credential",
        response_class=Response,
        responses=_oauth_errors(400, 401),
    )
    return router
