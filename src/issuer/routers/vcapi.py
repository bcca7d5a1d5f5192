"""VC-API (VCALM) issuer routes: `POST /credentials/issue`, `POST /credentials/status` and, for the bsl test suite,
`POST /status-lists/{id}/publish`. Thin: rules live in issuer.vcapi.

Who may call: by default a bearer token of the VC-API issuer's organization with `credentials:issue` (issuing) or
`credentials:revoke` (status). With `CREDSTACK_VCAPI_OPEN=1` anyone can, without a token, as the W3C test suites
do: anyone who can reach the service can then make it sign anything as the VC-API issuer (README "VC-API").
Each request's work runs in a worker thread (never on the event loop), at most `signing_concurrency` at a time.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, Request, Response, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from issuer.dependencies import TOKEN_URL, bearer_token, get_issuer_context
from issuer.errors import AuthenticationRequired, InsufficientScope, InvalidToken, NotFound
from issuer.models import Credential
from issuer.oauth.tokens import authenticate_bearer
from issuer.principal import Principal
from issuer.repositories.status_lists import find_status_list
from issuer.routers.stored_json import object_with_raw_member
from issuer.runtime import IssuerContext
from issuer.scopes import SCOPE_DESCRIPTIONS, Scope
from issuer.status_lists import STATUS_LIST_PATH
from issuer.vcapi.allocation_pool import AllocationPool
from issuer.vcapi.errors import VcApiNotConfigured
from issuer.vcapi.issuance import VcApiPorts, issue_vcapi_credential
from issuer.vcapi.record import RecordVersions
from issuer.vcapi.request import parse_issue_request
from issuer.vcapi.signing_issuer import SignerCache, signing_issuer
from issuer.vcapi.status_update import parse_status_request, update_vcapi_status
from schemas.problem import Problem

JSON = "application/json"
CREDENTIALS_API = "/api/v1/credentials"
JsonObject = Annotated[dict[str, Any], Body(description="a JSON object")]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class VcApiConfig:
    """CREDSTACK_VCAPI_ISSUER (the issuer that signs; None: VC-API answers 404) and CREDSTACK_VCAPI_OPEN."""

    issuer_id: uuid.UUID | None = None
    open: bool = False


def _scheme() -> OAuth2:
    """OpenAPI `oauth2` client-credentials scheme (as issuer.dependencies declares it); reads the header only."""
    flow = OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=dict(SCOPE_DESCRIPTIONS))
    return OAuth2(flows=OAuthFlows(clientCredentials=flow), scheme_name="oauth2", auto_error=False)


Authorization = Annotated[str | None, Security(_scheme())]


def _authenticated(session: Session, context: IssuerContext, authorization: str | None, scope: Scope) -> Principal:
    """RFC 6750 §2.1 bearer token with `scope` (as issuer.dependencies.require_scope checks it)."""
    token = bearer_token(authorization)
    if token is None:
        raise AuthenticationRequired("send an access token from POST /oauth/token as `Authorization: Bearer`")
    principal = authenticate_bearer(session, token, now=context.clock())
    if principal is None:
        raise InvalidToken("the access token is unknown, expired or revoked")
    if scope not in principal.scopes:
        raise InsufficientScope(scope)
    return principal


def signing_concurrency(context: IssuerContext) -> int:
    """How many VC-API requests a process works on at once: 1 on SQLite, 2 on PostgreSQL.

    The work is CPU-bound Python (canonicalization, signing) that holds the GIL, and every thread waiting for the
    database must win the GIL back after each round trip: more threads than that only make each request wait longer
    (bench/README.md, issue_http). On SQLite the database work is in-process CPU too, and writers take turns anyway;
    PostgreSQL round trips leave the CPU idle, which a second request fills.
    """
    bind = context.sessions.kw.get("bind")
    return 1 if isinstance(bind, Engine) and bind.dialect.name == "sqlite" else 2


class VcApiRoutes:
    """The handlers. Each request's work (token check, signing, database) runs in a worker thread, never on the event
    loop, and at most `signing_concurrency` of them at a time per process; the others wait in the event loop."""

    def __init__(self, base_url: str, config: VcApiConfig) -> None:
        self.base_url = base_url
        self.config = config
        self._limiter: anyio.CapacityLimiter | None = None
        self.records = RecordVersions()
        self.allocations = AllocationPool()
        self.signers = SignerCache()

    async def _run(self, context: IssuerContext, work: Callable[[], T]) -> T:
        if self._limiter is None:  # created in the event loop, on first use
            self._limiter = anyio.CapacityLimiter(signing_concurrency(context))
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    def ports(self, context: IssuerContext) -> VcApiPorts:
        return VcApiPorts(
            sessions=context.sessions,
            contexts=context.require_contexts(),
            master=context.require_master_key(),
            base_url=self.base_url,
            clock=context.clock,
            records=self.records,
            allocations=self.allocations,
            signers=self.signers,
        )

    def issuer_id(self) -> uuid.UUID:
        if self.config.issuer_id is None:
            raise VcApiNotConfigured("set CREDSTACK_VCAPI_ISSUER to the uuid of the issuer that signs")
        return self.config.issuer_id

    def caller(
        self, session: Session, context: IssuerContext, authorization: str | None, scope: Scope
    ) -> Principal | None:
        """Who calls: None in open mode, else the token's principal."""
        return None if self.config.open else _authenticated(session, context, authorization, scope)

    def issue_sync(self, body: dict[str, Any], authorization: str | None, context: IssuerContext) -> Credential:
        """VC-API §"Issue Credential", in a worker thread: who calls, the request, the issuer, then issuance."""
        issuer_id, ports = self.issuer_id(), self.ports(context)
        with context.sessions() as session:  # one read session: the token, then the issuer and its key
            caller = self.caller(session, context, authorization, Scope.CREDENTIALS_ISSUE)
            issue = parse_issue_request(body)
            acting = signing_issuer(session, issuer_id, caller, ports.master, ports.signers)
        return issue_vcapi_credential(acting, issue, ports)

    async def issue(self, request: Request, body: JsonObject, authorization: Authorization = None) -> Response:
        """VC-API §"Issue Credential": 201 `{"verifiableCredential"}`, the credential as sent plus status and proof.

        `Location` names the stored credential in the credentials API.
        """
        context = get_issuer_context(request)
        stored = await self._run(context, functools.partial(self.issue_sync, body, authorization, context))
        content = object_with_raw_member({}, "verifiableCredential", stored.document)
        headers = {"Location": f"{CREDENTIALS_API}/{stored.id}"}
        return Response(content, status_code=201, media_type=JSON, headers=headers)

    def status_sync(self, body: dict[str, Any], authorization: str | None, context: IssuerContext) -> dict[str, Any]:
        """VC-API §"Update Status", in a worker thread: who calls, the request, then the change."""
        issuer_id = self.issuer_id()
        with context.sessions() as session:
            caller = self.caller(session, context, authorization, Scope.CREDENTIALS_REVOKE)
        change = parse_status_request(body)
        updated = update_vcapi_status(issuer_id, caller, change, self.ports(context))
        return {"credentialId": change.credential_id, "status": updated.credential.status, "changed": updated.changed}

    async def status(self, request: Request, body: JsonObject, authorization: Authorization = None) -> dict[str, Any]:
        """VC-API §"Update Status": 200 with the credential's status afterwards and whether it changed."""
        context = get_issuer_context(request)
        return await self._run(context, functools.partial(self.status_sync, body, authorization, context))

    def publish_sync(self, list_id: str, authorization: str | None, context: IssuerContext) -> None:
        """Bitstring Status List v1.0 §3.2: the caller may publish, and the list exists (NotFound otherwise)."""
        self.issuer_id()
        with context.sessions() as session:
            self.caller(session, context, authorization, Scope.CREDENTIALS_REVOKE)
            try:
                wanted = uuid.UUID(list_id)
            except ValueError:
                raise NotFound("no such status list") from None
            if find_status_list(session, wanted) is None:
                raise NotFound("no such status list")

    async def publish(self, request: Request, list_id: str, authorization: Authorization = None) -> Response:
        """Bitstring Status List v1.0 §3.1 step 5 on request: lists are signed again on demand after any change
        (issuer.status_list_publishing), so there is nothing to do; 204 for a list that exists."""
        context = get_issuer_context(request)
        await self._run(context, functools.partial(self.publish_sync, list_id, authorization, context))
        return Response(status_code=204)


def _responses(success: int, description: str) -> dict[int | str, dict[str, Any]]:
    errors = {
        400: "malformed credential, options or status request (`errors` say where), or a foreign issuer",
        401: "no or an invalid access token (unless CREDSTACK_VCAPI_OPEN)",
        403: "the token lacks the scope, or belongs to another organization than the VC-API issuer",
        404: "VC-API not configured, or no such credential / status list",
        409: "no active key, revocation is final, or the credential has no such status entry",
        422: "the body is not a JSON object",
    }
    responses: dict[int | str, dict[str, Any]] = {
        code: {"model": Problem, "description": text} for code, text in errors.items()
    }
    responses[success] = {"description": description}
    return responses


def build_vcapi_router(*, base_url: str, config: VcApiConfig) -> APIRouter:
    """The VC-API routes; status list URLs in issued credentials are under `base_url`."""
    routes = VcApiRoutes(base_url, config)
    router = APIRouter(tags=["VC-API"])
    router.add_api_route(
        "/credentials/issue",
        routes.issue,
        methods=["POST"],
        status_code=201,
        summary="Issue a credential (VC-API)",
        response_class=Response,
        responses=_responses(201, '`{"verifiableCredential": …}`'),
    )
    router.add_api_route(
        "/credentials/status",
        routes.status,
        methods=["POST"],
        summary="Update a credential's status (VC-API)",
        responses=_responses(200, "the status after the update"),
    )
    router.add_api_route(
        f"/{STATUS_LIST_PATH}/{{list_id}}/publish",
        routes.publish,
        methods=["POST"],
        status_code=204,
        summary="Publish a status list (no-op: lists are signed on demand)",
        response_class=Response,
        responses=_responses(204, "the list exists; its served credential is current"),
    )
    return router
