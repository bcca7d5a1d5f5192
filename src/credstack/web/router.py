"""Issue 4 "The page": `GET /` shows the verifier form, `POST /` verifies server-side and shows the report.

The form is a plain multipart POST, so the page works without JavaScript; `static/page.js` only adds drag-and-drop,
a size check before upload and the report download. Unreadable input is answered with the page and a message
(400), never with a JSON problem: the person at the other end is reading a web page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from credstack.settings import Settings
from credstack.web.present import page_environment
from schemas.report import VerificationReport
from verifier.api.routers import get_runner
from verifier.parse import UnreadableInput
from verifier.service import VerifyOptions, verify_input

Verify = Callable[[bytes, VerifyOptions], Awaitable[VerificationReport]]

STATIC = Path(__file__).parent / "static"
PAGE_PATH = "/"
# Multipart framing and the small fields around the file; the body cap of `/` is the image cap plus this.
FORM_OVERHEAD_BYTES = 64 * 1024
MAX_EMAIL_CHARS = 320  # RFC 5321 §4.5.3.1: 64 + 1 + 255, rounded as commonly done

# CSP Level 3: scripts and styles only from this origin. The report is embedded as a JSON data block, which the
# browser never executes, so no inline script is needed; images may be a credential's https or data: URI.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: https:; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # A report names a person; no shared cache keeps it.
    "Cache-Control": "no-store",
}


@dataclass(frozen=True, slots=True)
class PageState:
    """What the template shows: the form as submitted, and a report or a message about the input."""

    credential_text: str = ""
    recipient_email: str = ""
    file_name: str | None = None
    report: VerificationReport | None = None
    error: str | None = None
    notice: str | None = None


def page_body_limit(settings: Settings) -> int:
    """The body cap for `/`: an image at the image cap, or pasted JSON at the JSON cap, plus the form around it."""
    return max(settings.max_image_bytes, settings.max_json_bytes) + FORM_OVERHEAD_BYTES


def static_files() -> StaticFiles:
    """The page's CSS, JavaScript and icon, served from the package (mounted at /static)."""
    return StaticFiles(directory=STATIC)


def build_page_router() -> APIRouter:
    """Issue 4 "The page": `GET /` and `POST /`; the templates are loaded once, here, not at import."""
    router = APIRouter(include_in_schema=False)
    environment = page_environment()
    template = environment.get_template("page.html")

    def render(request: Request, state: PageState, status_code: int = 200) -> HTMLResponse:
        settings: Settings = request.app.state.settings
        body = template.render(state=state, max_upload_bytes=settings.max_image_bytes)
        return HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)

    @router.get(PAGE_PATH, response_class=HTMLResponse)
    async def page(request: Request) -> HTMLResponse:
        return render(request, PageState())

    @router.post(PAGE_PATH, response_class=HTMLResponse)
    async def verify_page(request: Request) -> HTMLResponse:
        settings: Settings = request.app.state.settings
        try:
            form = await request.form(max_files=1, max_fields=8, max_part_size=page_body_limit(settings))
        except HTTPException as exc:
            # Malformed multipart (400) or a streamed body over the cap (413), said on the page.
            return render(request, PageState(error=f"The form could not be read: {exc.detail}"), exc.status_code)
        runner = get_runner(request)

        async def run_pipeline(data: bytes, options: VerifyOptions) -> VerificationReport:
            # On the verification runner's loop, as the API's verifications: the CPU work stays off this one.
            return await runner.run(lambda ports: verify_input(data, ports, options))

        try:
            state = await _verify_form(form, run_pipeline)
        finally:
            await form.close()
        return render(request, state, 400 if state.error else 200)

    return router


async def _upload(form: FormData) -> tuple[str, bytes] | None:
    """The chosen file, if any: browsers send an empty part named "" when none was chosen."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return None
    await upload.seek(0)
    data = await upload.read()
    return (upload.filename or "upload", data) if data or upload.filename else None


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _submitted(form: FormData, upload: tuple[str, bytes] | None) -> PageState:
    return PageState(
        credential_text=_field(form, "credential"),
        recipient_email=_field(form, "recipient_email").strip()[:MAX_EMAIL_CHARS],
        file_name=upload[0] if upload else None,
    )


async def _verify_form(form: FormData, verify: Verify) -> PageState:
    """The file if one was chosen, else the pasted text (UTF-8); unusable input becomes the page's message."""
    upload = await _upload(form)
    state = _submitted(form, upload)
    notice = None
    if upload is not None:
        data = upload[1]
        if state.credential_text.strip():
            notice = "A file was chosen, so the file was verified and the pasted text was not."
    elif state.credential_text.strip():
        data = state.credential_text.encode("utf-8")
    else:
        return replace(state, error="Paste a credential or choose a file, then press Verify.")
    try:
        report = await verify(data, VerifyOptions(recipient_email=state.recipient_email or None))
    except UnreadableInput as exc:
        return replace(state, error=f"This could not be read as a credential: {exc}.")
    return replace(state, report=report, notice=notice)
