"""Issue 6 "Public page": `GET /p/{slug}`, a credential its learner chose to show, with a live verification.

The page is what LinkedIn's "Show credential" (`certUrl`, WALLETS.md §5) opens. Each visit verifies the stored
credential with the service's own verifier (the same runner and pipeline as `POST /api/v1/verify` and the
employer's page, so its DID documents and status lists are answered from this service's database), and shows the
result with the employer page's report rendering: a revocation shows at once. The credential itself is at
`/p/{slug}/credential.json` (named by a `Link` header and `<link rel="alternate">`), readable without login and
from other origins: it is what the Learner Credential Wallet's "import from URL" fetches. Open Graph tags describe
the page to link previews. A page its learner removed answers 410, an unknown one 404. A visitor can have the
recipient checked too (`POST /p/{slug}` with `recipient_email`, like the employer's page), which changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from credstack.settings import Settings
from credstack.web.credential_pages import (
    BASE_HEADERS,
    Notice,
    ShownCredential,
    credential_response,
    learner_environment,
    notice_response,
    show_credential,
)
from credstack.web.present import safe_href
from credstack.web.router import MAX_EMAIL_CHARS
from issuer.dependencies import get_issuer_context
from issuer.errors import NotFound
from issuer.runtime import IssuerContext
from issuer.wallets.public_pages import PUBLIC_PATH, PublicPageWithdrawn, find_published, public_page_url
from schemas.report import VerificationReport
from verifier.api.routers import get_runner
from verifier.parse import UnreadableInput
from verifier.service import VerifyOptions, verify_input

PUBLIC_HEADERS = {
    **BASE_HEADERS,
    "Referrer-Policy": "no-referrer",
    # The verification is live: a cache may keep the page but must ask again before showing it.
    "Cache-Control": "no-cache",
}
JSON_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "no-cache",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True, slots=True)
class PublicState:
    shown: ShownCredential
    url: str
    path: str
    json_url: str
    report: VerificationReport | None
    og_image: str | None
    recipient_email: str = ""


def json_url_of(page_url: str) -> str:
    """The public credential's JSON (WALLETS.md §7 item 5), what LCW's "import from URL" fetches."""
    return f"{page_url}/credential.json"


def alternate_link(json_url: str, media_type: str) -> str:
    """RFC 8288 §3 Link header naming the credential's JSON (a VC-JWT's text for a JWT credential)."""
    return f'<{json_url}>; rel="alternate"; type="{media_type}"'


def og_image_of(report: VerificationReport | None, shown: ShownCredential) -> str | None:
    """Open Graph `og:image` must be an http(s) URL: the credential's image URL, never a data URI."""
    image = report.credential.image if report is not None else shown.image_uri
    return safe_href(image)


def _load(context: IssuerContext, slug: str) -> ShownCredential | Notice:
    with context.sessions() as session:
        try:
            published = find_published(session, slug)
        except PublicPageWithdrawn:
            return Notice(410, "This page was removed", "The credential's holder no longer shows it here.")
        except NotFound:
            return Notice(404, "No credential here", "There is no public credential page at this address.")
        return show_credential(session, published.credential)


class PublicPages:
    """The handlers, with the templates loaded once (by `build_public_pages_router`, not at import)."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.template = environment.get_template("public.html")

    async def _verify(self, request: Request, shown: ShownCredential, email: str) -> VerificationReport | None:
        runner = get_runner(request)
        data = shown.text.encode("utf-8")
        options = VerifyOptions(recipient_email=email or None)
        try:
            report = await runner.run(lambda ports: verify_input(data, ports, options))
        except UnreadableInput:
            return None
        if report.credential.image is None:
            # The default badge the claim page shows, so both pages show the same picture.
            report = report.model_copy(
                update={"credential": report.credential.model_copy(update={"image": shown.summary.image})}
            )
        return report

    async def page(self, request: Request, slug: str) -> Response:
        """Issue 6 public page: the credential and a live verification result; `Link` to its JSON."""
        return await self._page(request, slug, "")

    async def check_recipient(self, request: Request, slug: str) -> Response:
        """The public page verified again with the recipient a visitor expects (OB 3.0 §B.1 IdentityObject
        compared by the verifier's recipient check); a POST form, so the address stays out of URLs and logs."""
        try:
            form = await request.form(max_files=0, max_fields=4)
        except HTTPException:
            form = None
        value = form.get("recipient_email") if form is not None else None
        email = value.strip()[:MAX_EMAIL_CHARS] if isinstance(value, str) else ""
        return await self._page(request, slug, email)

    async def _page(self, request: Request, slug: str, email: str) -> Response:
        loaded = await run_in_threadpool(_load, get_issuer_context(request), slug)
        if isinstance(loaded, Notice):
            return notice_response(self.environment, loaded, PUBLIC_HEADERS)
        settings: Settings = request.app.state.settings
        url = public_page_url(settings.base_url, slug)
        report = await self._verify(request, loaded, email)
        state = PublicState(
            loaded, url, f"{PUBLIC_PATH}/{slug}", json_url_of(url), report, og_image_of(report, loaded), email
        )
        headers = {**PUBLIC_HEADERS, "Link": alternate_link(state.json_url, loaded.media_type)}
        return HTMLResponse(self.template.render(state=state), headers=headers)

    async def credential_json(self, request: Request, slug: str) -> Response:
        """The published credential as stored (`application/vc+ld+json`), for wallets and verifiers, no login."""
        loaded = await run_in_threadpool(_load, get_issuer_context(request), slug)
        if isinstance(loaded, Notice):
            return notice_response(self.environment, loaded, PUBLIC_HEADERS)
        return credential_response(loaded, attachment=False, headers=JSON_HEADERS)


def build_public_pages_router() -> APIRouter:
    """Issue 6 public page routes under `/p/{slug}`; templates are loaded here, once."""
    pages = PublicPages(learner_environment())
    router = APIRouter(prefix=f"{PUBLIC_PATH}/{{slug}}", include_in_schema=False)
    # HEAD too: link checkers and preview crawlers (LinkedIn's among them) may ask before they fetch.
    router.add_api_route("", pages.page, methods=["GET", "HEAD"], response_class=HTMLResponse)
    router.add_api_route("", pages.check_recipient, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route("/credential.json", pages.credential_json, methods=["GET", "HEAD"])
    return router
