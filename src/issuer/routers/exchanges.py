"""Wallet exchanges (WALLETS.md §3): the LCW legacy DIDAuth endpoint, VCALM exchanges and interaction URLs.

- `POST /exchanges/{handle}/direct`: the Learner Credential Wallet's `vc_request_url`; the body is the bare DIDAuth
  presentation; 200 answers the holder-bound copy, bare.
- `POST /exchanges/{handle}`: a VCALM exchange; `{}` answers a DIDAuth request (or, without holder binding, the
  credential as issued), `{"verifiablePresentation": ...}` the holder-bound copy in a presentation.
- `GET /exchanges/{handle}`: the exchange's state.
- `GET /interactions/{handle}?iuv=1`: the protocols (JSON) or, for a browser, how to open the link in a wallet.

No Authorization: the handle (an unguessable, expiring, single-use secret) is the capability. Every answer, errors
included, carries `Cache-Control: no-store`; errors are RFC 9457 problem details. Thin: rules live in
issuer.wallets.exchanges.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Final

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from issuer.dependencies import IssuerContextDep, SessionDep
from issuer.errors import IssuerError
from issuer.issuance import IssuancePorts
from issuer.runtime import IssuerContext
from issuer.wallets.exchange_messages import client_message, parse_json_object, presentation_message
from issuer.wallets.exchanges import (
    ClaimTarget,
    DidAuthenticationFailed,
    PresentationNotExpected,
    authenticate_holder,
    claim_target,
    did_auth_resolver,
    exchange_state,
    legacy_domain,
    redeem_with_holder,
    start_exchange,
)
from issuer.wallets.interactions import interaction_page, interaction_protocols, wants_json
from issuer.wallets.offers import Protocol
from schemas.problem import PROBLEM_MEDIA_TYPE, Problem, problem_type

JSON: Final = "application/json"
NO_STORE: Final = "no-store"
# The page has no script, style or image of its own: nothing else may load.
PAGE_POLICY: Final = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
JSON_BODY: Final[dict[str, Any]] = {
    "requestBody": {"required": True, "content": {JSON: {"schema": {"type": "object"}}}},
}


def problem(exc: IssuerError) -> JSONResponse:
    """RFC 9457 §3 for a domain error, as credstack.problems renders it (plus the DIDAuth verdict code)."""
    errors = (
        [{"loc": ["body"], "msg": exc.detail, "type": exc.reason}] if isinstance(exc, DidAuthenticationFailed) else None
    )
    body = Problem(
        type=problem_type(exc.code), title=exc.title, status=exc.status, detail=exc.detail, code=exc.code, errors=errors
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=exc.status, headers=exc.headers(), media_type=PROBLEM_MEDIA_TYPE
    )


class NoStoreRoute(APIRoute):
    """A route whose every answer, domain errors included, carries `Cache-Control: no-store` (RFC 9111 §5.2.2.5):
    challenges, credentials and exchange states are for one wallet, once."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def no_store(request: Request) -> Response:
            try:
                response = await handler(request)
            except IssuerError as exc:
                response = problem(exc)
            response.headers["Cache-Control"] = NO_STORE
            return response

        return no_store


class ExchangeRoutes:
    """The handlers, bound to the public base URL (the VCALM `domain`, and the root of every URL handed out)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.resolver = did_auth_resolver()

    def ports(self, context: IssuerContext) -> IssuancePorts:
        return IssuancePorts.of(context, self.base_url)

    def _target(self, context: IssuerContext, handle: str, protocol: Protocol) -> ClaimTarget:
        with context.sessions() as session:
            return claim_target(session, handle, protocol, master=context.require_master_key(), now=context.clock())

    async def _bound_copy(
        self, context: IssuerContext, target: ClaimTarget, presentation: dict[str, Any], domain: str | None
    ) -> str:
        """Verify the DIDAuth for the offer's challenge, then sign, store and return the holder-bound copy."""
        holder = await authenticate_holder(
            presentation,
            challenge=target.challenge,
            domain=domain,
            contexts=context.require_contexts(),
            resolver=self.resolver,
            now=context.clock(),
        )
        redeem = functools.partial(
            redeem_with_holder, context.sessions, target.offer_id, holder=holder, ports=self.ports(context)
        )
        return await run_in_threadpool(redeem)

    async def direct(self, request: Request, handle: str, context: IssuerContextDep) -> Response:
        """WALLETS.md §3.2: the LCW legacy `vc_request_url`; the bare DIDAuth VP in, the bare holder-bound VC out."""
        presentation = parse_json_object(await request.body())
        target = await run_in_threadpool(self._target, context, handle, Protocol.LCW)
        domain = legacy_domain(presentation, self.base_url)
        return Response(await self._bound_copy(context, target, presentation, domain), media_type=JSON)

    async def exchange(self, request: Request, handle: str, context: IssuerContextDep) -> Response:
        """WALLETS.md §3.3 steps 2-3 (VCALM "participate in an exchange"): `{}` or `{"verifiablePresentation"}`."""
        message = client_message(await request.body())
        if message.presentation is None:
            start = functools.partial(
                start_exchange,
                context.sessions,
                handle,
                master=context.require_master_key(),
                base_url=self.base_url,
                now=context.clock(),
            )
            started = await run_in_threadpool(start)
            if started.credential_text is not None:
                return Response(presentation_message([started.credential_text]), media_type=JSON)
            return JSONResponse(started.request)
        target = await run_in_threadpool(self._target, context, handle, Protocol.VCAPI)
        if not target.holder_binding:
            raise PresentationNotExpected("this exchange hands out the credential as issued: POST {}")
        copy = await self._bound_copy(context, target, message.presentation, self.base_url)
        return Response(presentation_message([copy]), media_type=JSON)

    def state(self, handle: str, session: SessionDep, context: IssuerContextDep) -> dict[str, Any]:
        """VCALM "get exchange state": `{"id", "state", "expires"}`; 404 for an unknown or expired exchange."""
        return exchange_state(session, handle, now=context.clock())

    def interaction(
        self,
        handle: str,
        session: SessionDep,
        context: IssuerContextDep,
        accept: Annotated[str | None, Header()] = None,
    ) -> Response:
        """VCALM interaction URL: the protocols as JSON for a wallet, an HTML explanation for a browser."""
        master = context.require_master_key()
        found = interaction_protocols(session, handle, master=master, base_url=self.base_url, now=context.clock())
        headers = {"Vary": "Accept"}
        if wants_json(accept):
            return JSONResponse(found, headers=headers)
        page = interaction_page(found["protocols"], base_url=self.base_url, handle=handle)
        return HTMLResponse(page, headers={**headers, "Content-Security-Policy": PAGE_POLICY})


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        400: "the body is not the JSON message this step expects",
        401: "the DIDAuth presentation did not verify (`errors[0].type` is the verdict: challenge_mismatch, ...)",
        404: "no such exchange, or it has expired",
        409: "the offer was redeemed already, or the credential is revoked or suspended",
        413: "the body is larger than an exchange message can be",
    }.items()
}


def build_exchanges_router(*, base_url: str) -> APIRouter:
    """The wallet exchange routes; every URL they hand out is under `base_url`, the VCALM `domain`."""
    routes = ExchangeRoutes(base_url)
    router = APIRouter(tags=["wallets"], route_class=NoStoreRoute, responses=_ERRORS)
    router.add_api_route(
        "/exchanges/{handle}/direct",
        routes.direct,
        methods=["POST"],
        summary="LCW legacy deep link: DIDAuth presentation in, holder-bound credential out",
        response_class=Response,
        openapi_extra=JSON_BODY,
    )
    router.add_api_route(
        "/exchanges/{handle}",
        routes.exchange,
        methods=["POST"],
        summary="Take part in a VC-API (VCALM) exchange",
        response_class=Response,
        openapi_extra=JSON_BODY,
    )
    router.add_api_route("/exchanges/{handle}", routes.state, methods=["GET"], summary="A VC-API exchange's state")
    router.add_api_route(
        "/interactions/{handle}",
        routes.interaction,
        methods=["GET"],
        summary="VCALM interaction URL: protocols (JSON) or how to open it in a wallet (HTML)",
        response_class=Response,
    )
    return router
