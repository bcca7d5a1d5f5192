"""Issue 6 "Claim page": `GET /claim/{token}`, the learner's page of one credential, and what it offers.

Downloads (`credential.json`, `badge.png`, `badge.svg`), wallet offers (the Learner Credential Wallet's deep link,
an OpenID4VCI offer: QR code and same-device link), "Add to LinkedIn" and the public page are all plain links and
POST forms, so the page works without JavaScript. A revoked or suspended credential's page shows its status and
offers nothing to take away (no downloads, wallets, LinkedIn or new public page); an existing public page can still
be removed, and keeps showing the live status until then.

Forms and CSRF: the claim token in the URL is the learner's only credential, and a cross-site form would have to
know it. As defence in depth, a POST is refused (403) unless its `Origin` (or, without one, its `Referer`) is this
service's origin; requests with neither (non-browser clients) pass. The pages send `Referrer-Policy: same-origin`,
so same-origin form posts carry a real `Origin` (with `no-referrer` Chromium sends `Origin: null`) while links out
(LinkedIn, lcw.app) never see the token.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy.orm import Session

from credstack.settings import Settings
from credstack.web.credential_pages import (
    BASE_HEADERS,
    Notice,
    ShownCredential,
    badge_response,
    credential_response,
    learner_environment,
    notice_response,
    show_credential,
)
from issuer.dependencies import IssuerContextDep, SessionDep, WriteSessionDep
from issuer.errors import NotFound
from issuer.wallets.claim_links import CLAIM_PATH, Claim, ClaimLinkExpired, open_claim
from issuer.wallets.linkedin import add_to_profile_url, certification_of
from issuer.wallets.offers import CredentialNotClaimable, Protocol, create_offer
from issuer.wallets.public_pages import CredentialNotPublishable, live_page, public_page_url, publish, withdraw
from issuer.wallets.qr import qr_png, qr_svg

CLAIM_HEADERS = {
    **BASE_HEADERS,
    "Referrer-Policy": "same-origin",
    # The page names a person and its URL is a secret: no cache keeps it, no search engine lists it.
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
WALLET_PROTOCOLS = {"lcw": Protocol.LCW, "oid4vci": Protocol.OID4VCI}
QR_TITLES = {
    Protocol.LCW: "QR code to scan with the Learner Credential Wallet",
    Protocol.OID4VCI: "QR code to scan with an OpenID4VCI wallet",
}
_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True, slots=True)
class OfferPanel:
    """A wallet offer just made on the page: the link, its QR code (inline SVG and a PNG to save), its expiry."""

    protocol: str
    uri: str
    qr_svg: Markup
    qr_png_uri: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimState:
    token: str
    shown: ShownCredential
    link_expires_at: datetime
    public_url: str | None
    linkedin_url: str | None
    offer: OfferPanel | None = None
    message: str | None = None


def origin_of(url: str) -> str:
    """RFC 6454 §6.2 ASCII serialization of a URL's origin (scheme://host[:port], default port left out)."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if not scheme or not host:
        return "null"
    host = f"[{host}]" if ":" in host else host
    port = parts.port if parts.port is not None else None
    suffix = f":{port}" if port is not None and str(port) != _DEFAULT_PORTS.get(scheme) else ""
    return f"{scheme}://{host}{suffix}"


def same_origin(request: Request, base_url: str) -> bool:
    """The form was posted from our own pages: Origin, else Referer, names this service (or no browser sent it)."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent is None:
        return True
    try:
        origin = origin_of(sent)
    except ValueError:
        return False
    return origin != "null" and origin in {origin_of(base_url), origin_of(str(request.base_url))}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _linkedin_url(shown: ShownCredential, public_url: str | None) -> str | None:
    if public_url is None or not shown.active:
        return None
    try:
        certification = certification_of(
            shown.document,
            cert_url=public_url,
            organization_id=shown.linkedin_organization_id,
            issuer_name=shown.issuer_name,
        )
    except ValueError:
        return None
    return add_to_profile_url(certification)


def claim_state(session: Session, claim: Claim, token: str, base_url: str) -> ClaimState:
    """Issue 6 claim page: what it shows, read while the session is open (the public page and LinkedIn link too)."""
    shown = show_credential(session, claim.credential)
    page = live_page(session, claim.credential)
    public_url = public_page_url(base_url, page.slug) if page is not None else None
    return ClaimState(token, shown, claim.link.expires_at, public_url, _linkedin_url(shown, public_url))


def offer_panel(protocol: Protocol, uri: str, expires_at: datetime) -> OfferPanel:
    """OpenID4VCI 1.0 §4.1 / WALLETS.md §3.2: the offer as a link and a QR code (inline SVG, and PNG to save)."""
    png = base64.b64encode(qr_png(uri)).decode("ascii")
    # Markup: segno's SVG is generated here (title escaped by segno), not taken from input.
    svg = Markup(qr_svg(uri, title=QR_TITLES[protocol]))
    return OfferPanel(protocol.value, uri, svg, f"data:image/png;base64,{png}", expires_at)


class ClaimPages:
    """The handlers, with the templates loaded once (by `build_claim_pages_router`, not at import)."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.template = environment.get_template("claim.html")

    def notice(self, status_code: int, title: str, message: str, hint: str = "") -> HTMLResponse:
        return notice_response(self.environment, Notice(status_code, title, message, hint), CLAIM_HEADERS)

    def render(self, state: ClaimState, status_code: int = 200) -> HTMLResponse:
        return HTMLResponse(self.template.render(state=state), status_code=status_code, headers=CLAIM_HEADERS)

    def open_or_notice(self, session: Session, token: str, now: datetime) -> Claim | HTMLResponse:
        try:
            return open_claim(session, token, now=now)
        except ClaimLinkExpired:
            return self.notice(
                410,
                "This claim link has expired",
                "Links to claim a credential work for a limited time, and only the newest link works.",
                "Ask the institution that issued the credential to send you a new link.",
            )
        except NotFound:
            return self.notice(
                404, "No credential here", "This claim link is not known. Check that it was copied whole."
            )

    def not_active(self, shown: ShownCredential) -> HTMLResponse:
        return self.notice(
            409,
            f"This credential is {shown.status}",
            "A revoked or suspended credential cannot be downloaded or added to a wallet.",
            "Contact the institution that issued it if you think this is a mistake.",
        )

    def refused_form(self) -> HTMLResponse:
        return self.notice(
            403, "The form was not sent from this site", "For your safety, forms on this page only work from the page."
        )

    def page(self, request: Request, token: str, context: IssuerContextDep, session: SessionDep) -> HTMLResponse:
        """Issue 6 claim page: the credential, its status, and what the learner can do with it."""
        claim = self.open_or_notice(session, token, context.clock())
        if isinstance(claim, HTMLResponse):
            return claim
        return self.render(claim_state(session, claim, token, _settings(request).base_url))

    def credential_json(self, token: str, context: IssuerContextDep, session: SessionDep) -> Response:
        """WALLETS.md §7 item 5: the credential as stored, `application/vc+ld+json` (a VC-JWT: `application/vc+jwt`)."""
        return self._download(
            token, context, session, lambda shown: credential_response(shown, attachment=True, headers=CLAIM_HEADERS)
        )

    def badge_png(self, token: str, context: IssuerContextDep, session: SessionDep) -> Response:
        """OB 3.0 §5.3.1: the credential baked into the badge PNG."""
        return self._download(
            token, context, session, lambda shown: badge_response(shown, "png", headers=CLAIM_HEADERS)
        )

    def badge_svg(self, token: str, context: IssuerContextDep, session: SessionDep) -> Response:
        """OB 3.0 §5.3.2: the credential baked into the badge SVG."""
        return self._download(
            token, context, session, lambda shown: badge_response(shown, "svg", headers=CLAIM_HEADERS)
        )

    def _download(
        self, token: str, context: IssuerContextDep, session: Session, respond: Callable[[ShownCredential], Response]
    ) -> Response:
        claim = self.open_or_notice(session, token, context.clock())
        if isinstance(claim, HTMLResponse):
            return claim
        shown = show_credential(session, claim.credential)
        return respond(shown) if shown.active else self.not_active(shown)

    def add_to_wallet(
        self, request: Request, token: str, wallet: str, context: IssuerContextDep, session: WriteSessionDep
    ) -> Response:
        """WALLETS.md §3.2 (LCW deep link) and §2.5 (OpenID4VCI offer, no tx_code: the claim URL is the secret)."""
        protocol = WALLET_PROTOCOLS.get(wallet)
        if protocol is None:
            return self.notice(404, "No such wallet", "This page offers the Learner Credential Wallet and OpenID4VCI.")
        if not same_origin(request, _settings(request).base_url):
            return self.refused_form()
        claim = self.open_or_notice(session, token, context.clock())
        if isinstance(claim, HTMLResponse):
            return claim
        base_url = _settings(request).base_url
        try:
            made = create_offer(
                session,
                claim.credential,
                protocol,
                master=context.require_master_key(),
                base_url=base_url,
                now=context.clock(),
            )
        except CredentialNotClaimable:
            return self.not_active(show_credential(session, claim.credential))
        session.commit()
        state = claim_state(session, claim, token, base_url)
        return self.render(replace(state, offer=offer_panel(protocol, made.offer_uri, made.expires_at)))

    def _publishing(
        self, request: Request, token: str, context: IssuerContextDep, session: Session, *, on: bool, anchor: str
    ) -> Response:
        if not same_origin(request, _settings(request).base_url):
            return self.refused_form()
        claim = self.open_or_notice(session, token, context.clock())
        if isinstance(claim, HTMLResponse):
            return claim
        try:
            if on:
                publish(session, claim.credential, now=context.clock())
            else:
                withdraw(session, claim.credential, now=context.clock())
        except CredentialNotPublishable:
            return self.not_active(show_credential(session, claim.credential))
        session.commit()
        # Post/Redirect/Get: reloading the page does not post the form again.
        return RedirectResponse(f"{CLAIM_PATH}/{token}#{anchor}", status_code=303, headers=CLAIM_HEADERS)

    def make_public(
        self, request: Request, token: str, context: IssuerContextDep, session: WriteSessionDep
    ) -> Response:
        """Issue 6 public page: publish it (opt-in), at the same URL as before if it was published earlier."""
        return self._publishing(request, token, context, session, on=True, anchor="public-page")

    def remove_public(
        self, request: Request, token: str, context: IssuerContextDep, session: WriteSessionDep
    ) -> Response:
        """Issue 6 public page: withdraw it; its URL answers 410 until it is published again."""
        return self._publishing(request, token, context, session, on=False, anchor="public-page")

    def linkedin(self, request: Request, token: str, context: IssuerContextDep, session: WriteSessionDep) -> Response:
        """WALLETS.md §5: LinkedIn's `certUrl` is the public page, so publish it first; the page then shows the link."""
        return self._publishing(request, token, context, session, on=True, anchor="linkedin")


def build_claim_pages_router() -> APIRouter:
    """Issue 6 claim page routes under `/claim/{token}`; templates are loaded here, once."""
    pages = ClaimPages(learner_environment())
    router = APIRouter(prefix=f"{CLAIM_PATH}/{{token}}", include_in_schema=False)
    router.add_api_route("", pages.page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/credential.json", pages.credential_json, methods=["GET"])
    router.add_api_route("/badge.png", pages.badge_png, methods=["GET"])
    router.add_api_route("/badge.svg", pages.badge_svg, methods=["GET"])
    router.add_api_route("/wallet/{wallet}", pages.add_to_wallet, methods=["POST"])
    router.add_api_route("/public-page", pages.make_public, methods=["POST"])
    router.add_api_route("/public-page/withdraw", pages.remove_public, methods=["POST"])
    router.add_api_route("/linkedin", pages.linkedin, methods=["POST"])
    return router
