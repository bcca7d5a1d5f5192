"""RFC 9457 problem details for verification requests that cannot be used at all (README "Verification API").

The verifier layer may not import credstack's handlers, so its routes render these themselves, with the same
`urn:credstack:problem:<code>` types and `application/problem+json` media type as every other route.
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi.responses import JSONResponse

from schemas.problem import PROBLEM_MEDIA_TYPE, Problem, problem_type

EMPTY_REQUEST = "EMPTY_REQUEST"
INVALID_REQUEST = "INVALID_REQUEST"
UNREADABLE_CREDENTIAL = "UNREADABLE_CREDENTIAL"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"


class RequestProblem(Exception):
    """RFC 9457 §3: the request itself is unusable; `code` is stable, `detail` says what to change."""

    def __init__(self, status: int, code: str, detail: str, *, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase

    def response(self) -> JSONResponse:
        problem = Problem(
            type=problem_type(self.code), title=self.title, status=self.status, detail=self.detail, code=self.code
        )
        return JSONResponse(
            problem.model_dump(exclude_none=True), status_code=self.status, media_type=PROBLEM_MEDIA_TYPE
        )


def invalid_request(detail: str) -> RequestProblem:
    return RequestProblem(400, INVALID_REQUEST, detail, title="The verification request is malformed")


def unreadable(detail: str) -> RequestProblem:
    return RequestProblem(422, UNREADABLE_CREDENTIAL, detail, title="The input cannot be read as a credential")


def too_large(limit: int) -> RequestProblem:
    return RequestProblem(413, REQUEST_TOO_LARGE, f"the input exceeds {limit} bytes")
