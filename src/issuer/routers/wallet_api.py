"""Issue 6 LMS API: `POST /api/v1/credentials/{id}/claim-link` and `POST /api/v1/credentials/{id}/offers`.

Both need `credentials:issue` (handing a credential to its learner is part of issuing it) and answer 404 for a
credential of another organization, as every credentials route does. A claim link can be made for a revoked or
suspended credential: its claim page then shows the status and offers nothing to take away. A wallet offer cannot
(409 CREDENTIAL_NOT_CLAIMABLE). Handlers are plain `def`, run in FastAPI's thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from issuer.dependencies import IssuerContextDep, WriteSessionDep, require_scope
from issuer.models import Credential
from issuer.principal import Principal
from issuer.repositories.credentials import CredentialRepository
from issuer.routers.credentials import PREFIX, parse_credential_id
from issuer.scopes import Scope
from issuer.wallets.claim_links import create_claim_link
from issuer.wallets.offers import CONFIGURATIONS, Protocol, create_offer
from issuer.wallets.qr import qr_svg
from schemas.problem import Problem
from schemas.wallet_api import ClaimLinkRequest, ClaimLinkResponse, OfferRequest, OfferResponse

Issuing = Annotated[Principal, Depends(require_scope(Scope.CREDENTIALS_ISSUE))]

QR_TITLES = {
    Protocol.OID4VCI: "QR code: add this credential to an OpenID4VCI wallet",
    Protocol.LCW: "QR code: add this credential to the Learner Credential Wallet",
    Protocol.VCAPI: "QR code: add this credential to a wallet (VC-API)",
}


def offer_qr_title(protocol: Protocol) -> str:
    """The QR code's accessible name (SVG 2 §5.9 `<title>`), naming the wallet it is for."""
    return QR_TITLES[protocol]


@dataclass(frozen=True, slots=True)
class WalletApiRoutes:
    """The handlers, bound to the public base URL that claim links and offers are made under."""

    base_url: str

    def _credential(self, session: Session, principal: Principal, credential_id: str) -> Credential:
        return CredentialRepository(session, principal.organization_id).get(parse_credential_id(credential_id))

    def claim_link(
        self,
        credential_id: str,
        principal: Issuing,
        session: WriteSessionDep,
        context: IssuerContextDep,
        body: Annotated[ClaimLinkRequest | None, Body()] = None,
    ) -> JSONResponse:
        """Issue 6 claim link: a new unguessable link to the learner's claim page; earlier links stop working."""
        request = body or ClaimLinkRequest()
        credential = self._credential(session, principal, credential_id)
        link = create_claim_link(
            session,
            credential,
            master=context.require_master_key(),
            base_url=self.base_url,
            now=context.clock(),
            ttl=timedelta(seconds=request.expires_in),
        )
        session.commit()
        response = ClaimLinkResponse(claim_url=link.url, expires_at=link.expires_at)
        return JSONResponse(response.model_dump(mode="json"), status_code=201)

    def offer(
        self,
        credential_id: str,
        body: OfferRequest,
        principal: Issuing,
        session: WriteSessionDep,
        context: IssuerContextDep,
    ) -> JSONResponse:
        """WALLETS.md §2.5 / §3.2 / §3.3: an offer of the credential to one wallet, and its QR code (SVG)."""
        credential = self._credential(session, principal, credential_id)
        protocol = Protocol(body.protocol)
        made = create_offer(
            session,
            credential,
            protocol,
            master=context.require_master_key(),
            base_url=self.base_url,
            now=context.clock(),
            tx_code=body.tx_code,
            holder_binding=body.holder_binding,
            configuration_ids=tuple(body.configuration_ids or CONFIGURATIONS),
            ttl=timedelta(seconds=body.expires_in),
        )
        session.commit()
        response = OfferResponse(
            offer_uri=made.offer_uri,
            qr_svg=qr_svg(made.offer_uri, title=offer_qr_title(protocol)),
            expires_at=made.expires_at,
            tx_code=made.tx_code,
            offer_by_value_uri=made.offer_by_value_uri,
        )
        return JSONResponse(response.model_dump(mode="json", exclude_none=True), status_code=201)


def _errors(conflict: str | None = None) -> dict[int | str, dict[str, Any]]:
    described = {
        401: "no or an invalid access token",
        403: "the token lacks the scope credentials:issue",
        404: "no such credential in your organization",
        422: "invalid body (`errors` lists the fields)",
    }
    if conflict is not None:
        described[409] = conflict
    return {status: {"model": Problem, "description": text} for status, text in described.items()}


def build_wallet_api_router(*, base_url: str) -> APIRouter:
    """The LMS's wallet API; claim links and offers are made under `base_url`."""
    routes = WalletApiRoutes(base_url)
    router = APIRouter(prefix=PREFIX, tags=["wallets"])
    router.add_api_route(
        "/{credential_id}/claim-link",
        routes.claim_link,
        methods=["POST"],
        status_code=201,
        summary="Make a new claim link for a credential",
        responses={201: {"model": ClaimLinkResponse, "description": "the new link"}, **_errors()},
    )
    router.add_api_route(
        "/{credential_id}/offers",
        routes.offer,
        methods=["POST"],
        status_code=201,
        summary="Offer a credential to a wallet",
        responses={
            201: {"model": OfferResponse, "description": "the offer"},
            **_errors("CREDENTIAL_NOT_CLAIMABLE: the credential is revoked or suspended"),
        },
    )
    return router
