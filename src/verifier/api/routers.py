"""Issue 4 "API": `POST /api/v1/verify` and the VC-API routes `POST /credentials/verify` and
`POST /presentations/verify`. Public: verification needs no token. Thin: bodies are read here and everything else
(decoding, verification, the VC-API result) runs in the verification runner, off the service's event loop.

`POST /api/v1/verify` answers 200 with the report whether or not the input verifies; a 4xx problem only when the
request is unusable (README "Verification API"). The VC-API routes answer 200 when verified and 422 with the
result when not, 400 for a malformed request (VC-API.md §3.2, §3.3).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from credentials import baking
from schemas.problem import Problem
from schemas.report import VerificationReport
from verifier.api.problems import EMPTY_REQUEST, UNSUPPORTED_MEDIA_TYPE, RequestProblem, invalid_request, too_large
from verifier.api.runner import VerificationRunner
from verifier.api.submission import Recipient, Submission, decode
from verifier.api.vcapi import Kind, read_request, vcapi_result
from verifier.parse import Limits, UnreadableInput
from verifier.service import VerifierPorts, unreadable_report, verify_parsed

VERIFY_PATH = "/api/v1/verify"
CREDENTIALS_VERIFY_PATH = "/credentials/verify"
PRESENTATIONS_VERIFY_PATH = "/presentations/verify"
# Room for multipart boundaries and part headers around an upload of the largest allowed size.
MULTIPART_OVERHEAD = 64 * 1024
MAX_FORM_FIELDS = 8
NO_STORE = {"Cache-Control": "no-store"}  # a report is about one moment (status, validity), never reused

JSON_TYPES = frozenset({"application/json", "application/ld+json"})
TEXT_TYPES = frozenset({"text/plain", "application/jwt"})
FILE_TYPES = frozenset({"image/png", "image/svg+xml", "application/octet-stream"})
MULTIPART = "multipart/form-data"
ACCEPTED = "application/json (or any +json), text/plain or application/jwt (or any +jwt), image/png, image/svg+xml, "
ACCEPTED += "application/octet-stream, multipart/form-data"

EmailQuery = Annotated[str | None, Query(description="check the credential was issued to this email address")]
DidQuery = Annotated[str | None, Query(description="check the credential was issued to this DID")]


def verify_body_limit(limits: Limits) -> int:
    """The body cap of `POST /api/v1/verify` (BodySizeLimitMiddleware path limit): the largest upload plus framing."""
    return max(limits.max_json_bytes, limits.max_image_bytes) + MULTIPART_OVERHEAD


def get_runner(request: Request) -> VerificationRunner:
    """The runner the app's lifespan started; missing means the app was wired wrongly (a bug, not input)."""
    runner = getattr(request.app.state, "verification_runner", None)
    if not isinstance(runner, VerificationRunner):
        raise RuntimeError("app.state.verification_runner is not set: the verify routes need the app's lifespan")
    return runner


def media_type(request: Request) -> str | None:
    value = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return value or None


def _is_json(kind: str) -> bool:
    return kind in JSON_TYPES or (kind.startswith("application/") and kind.endswith("+json"))


def _is_text(kind: str) -> bool:
    return kind in TEXT_TYPES or (kind.startswith("application/") and kind.endswith("+jwt"))


def _unsupported(kind: str | None, accepted: str) -> RequestProblem:
    sent = f"`{kind}`" if kind else "no Content-Type"
    return RequestProblem(415, UNSUPPORTED_MEDIA_TYPE, f"{sent} is not accepted; send {accepted}")


def _empty() -> RequestProblem:
    return RequestProblem(400, EMPTY_REQUEST, "the request has no body: send a credential", title="Nothing to verify")


class VerifyRoutes:
    """The handlers; `limits` are the size caps checked before anything is decoded."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def _capped(self, data: bytes) -> bytes:
        """Images may be up to CREDSTACK_MAX_IMAGE_BYTES, anything else up to CREDSTACK_MAX_JSON_BYTES (413)."""
        limit = self.limits.max_image_bytes if baking.sniff_image(data) else self.limits.max_json_bytes
        if len(data) > limit:
            raise too_large(limit)
        if not data:
            raise _empty()
        return data

    def _declared_within(self, request: Request, limit: int) -> None:
        """Refuse before reading when Content-Length already says too much (the middleware allows uploads more)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large(limit)

    async def _json_body(self, request: Request, kind: str | None) -> bytes:
        if kind is not None and not _is_json(kind):
            raise _unsupported(kind, "application/json")
        self._declared_within(request, self.limits.max_json_bytes)
        data = await request.body()
        if len(data) > self.limits.max_json_bytes:
            raise too_large(self.limits.max_json_bytes)
        if not data:
            raise _empty()
        return data

    async def _submission(self, request: Request, recipient: Recipient) -> Submission:
        kind = media_type(request)
        if kind == MULTIPART:
            return await self._upload(request, recipient)
        if kind is not None and _is_json(kind):
            return Submission(await self._json_body(request, kind), "json", recipient)
        if kind is not None and (_is_text(kind) or kind in FILE_TYPES):
            return Submission(self._capped(await request.body()), "sniff", recipient)
        if kind is None and not await request.body():
            raise _empty()
        raise _unsupported(kind, ACCEPTED)

    async def _upload(self, request: Request, recipient: Recipient) -> Submission:
        """RFC 7578 form data: field `file` (a file or a text field), optionally `recipient_email`/`recipient_did`."""
        try:
            async with request.form(max_files=1, max_fields=MAX_FORM_FIELDS) as form:
                data = await self._uploaded(form)
                fields = Recipient.of(form.get("recipient_email"), form.get("recipient_did"), "form field recipient")
        except HTTPException as exc:
            if exc.status_code != 400:
                raise  # 413 from the body limit: rendered by the app's problem handlers
            raise invalid_request(f"the multipart body cannot be read: {exc.detail}") from exc
        if fields.given and recipient.given:
            raise invalid_request("give the recipient once: in the query string or in the form")
        return Submission(self._capped(data), "sniff", fields if fields.given else recipient)

    async def _uploaded(self, form: FormData) -> bytes:
        parts = form.getlist("file")
        if len(parts) != 1:
            raise invalid_request("send exactly one `file` field (a PNG, SVG, JSON or JWT)")
        part = parts[0]
        if isinstance(part, UploadFile):
            return await part.read(max(self.limits.max_image_bytes, self.limits.max_json_bytes) + 1)
        return part.encode("utf-8")

    async def verify(
        self, request: Request, recipient_email: EmailQuery = None, recipient_did: DidQuery = None
    ) -> Response:
        """Issue 4 "API": verify whatever was sent and return the report (200 whether or not it verifies)."""
        try:
            recipient = Recipient.of(recipient_email, recipient_did, "query recipient")
            submission = await self._submission(request, recipient)
            report = await get_runner(request).run(functools.partial(verify_submission, submission))
        except RequestProblem as problem:
            return problem.response()
        return JSONResponse(report.model_dump(mode="json"), headers=NO_STORE)

    async def _vcapi(self, request: Request, kind: Kind) -> Response:
        try:
            data = await self._json_body(request, media_type(request))
            status, body = await get_runner(request).run(functools.partial(verify_vcapi, data, kind))
        except RequestProblem as problem:
            return problem.response()
        return JSONResponse(body, status_code=status, headers=NO_STORE)

    async def verify_credential(self, request: Request) -> Response:
        """VC-API §"Verify Credential": `{"verifiableCredential", "options": {"checks"?}}`."""
        return await self._vcapi(request, "credential")

    async def verify_presentation(self, request: Request) -> Response:
        """VC-API §"Verify Presentation": `{"verifiablePresentation", "options": {"challenge", "domain", "checks"}}`."""
        return await self._vcapi(request, "presentation")


async def verify_submission(submission: Submission, ports: VerifierPorts) -> VerificationReport:
    """In the runner: decode the request, then the pipeline (verifier.service)."""
    decoded = decode(submission, ports.limits)
    return await verify_parsed(decoded.parsed, ports, decoded.options)


async def verify_vcapi(data: bytes, kind: Kind, ports: VerifierPorts) -> tuple[int, dict[str, Any]]:
    """In the runner: read the VC-API request, verify, shape the result; unreadable input is a failed `parse`."""
    request = read_request(data, kind, ports.limits)
    try:
        parsed = request.parsed(ports.limits)
    except UnreadableInput as exc:
        report = unreadable_report(str(exc), ports.clock())
    else:
        report = await verify_parsed(parsed, ports, request.options)
    return vcapi_result(report, request.excluded)


_JSON_BODY = {"schema": {"type": "object"}}
_VERIFY_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"oneOf": [{"type": "object"}, {"type": "string"}]},
            "example": {"credential": {"@context": ["…"]}, "options": {"recipient": {"email": "learner@example.edu"}}},
        },
        "text/plain": {"schema": {"type": "string", "description": "a compact JWT, or credential JSON"}},
        "image/png": {"schema": {"type": "string", "format": "binary"}},
        "image/svg+xml": {"schema": {"type": "string", "format": "binary"}},
        MULTIPART: {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "recipient_email": {"type": "string"},
                    "recipient_did": {"type": "string"},
                },
            }
        },
    },
}
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "EMPTY_REQUEST, or INVALID_REQUEST (a malformed wrapper, options, form)"},
    413: {"model": Problem, "description": "REQUEST_TOO_LARGE"},
    415: {"model": Problem, "description": "UNSUPPORTED_MEDIA_TYPE"},
}


def build_verify_router(*, limits: Limits) -> APIRouter:
    """The verification routes; `limits` must be the caps the verifier ports use (from Settings)."""
    routes = VerifyRoutes(limits)
    router = APIRouter(tags=["verification"])
    router.add_api_route(
        VERIFY_PATH,
        routes.verify,
        methods=["POST"],
        summary="Verify a credential, presentation, JWT or baked image",
        response_class=JSONResponse,
        openapi_extra={"requestBody": _VERIFY_BODY},
        responses={
            200: {"model": VerificationReport, "description": "the report, verified or not"},
            422: {"model": Problem, "description": "UNREADABLE_CREDENTIAL: the input is not a credential at all"},
            **_PROBLEMS,
        },
    )
    vcapi_responses: dict[int | str, dict[str, Any]] = {
        200: {"description": "verified: `{verified, checks, errors, warnings, problemDetails, report}`"},
        422: {"description": "not verified: the same body with `verified: false`"},
        **_PROBLEMS,
    }
    for path, handler, summary in (
        (CREDENTIALS_VERIFY_PATH, routes.verify_credential, "Verify a credential (VC-API)"),
        (PRESENTATIONS_VERIFY_PATH, routes.verify_presentation, "Verify a presentation (VC-API)"),
    ):
        router.add_api_route(
            path,
            handler,
            methods=["POST"],
            summary=summary,
            tags=["VC-API"],
            response_class=JSONResponse,
            openapi_extra={"requestBody": {"required": True, "content": {"application/json": _JSON_BODY}}},
            responses=vcapi_responses,
        )
    return router
