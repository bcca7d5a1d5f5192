"""Request body size limit (ARCHITECTURE habit 8: bound work on untrusted input), answered with 413 problem+json."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credstack.problems import http_status_code, problem_response


class BodyTooLarge(HTTPException):
    """Raised while reading a body without (or with a false) Content-Length; the problem handlers render it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


class BodySizeLimitMiddleware:
    """Refuses a declared Content-Length over the limit before the app runs; counts streamed bodies too.

    `path_limits` gives exact paths their own limit (issue 3: batch submissions are larger than any other body).
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, path_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope["path"], self.max_body_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            response = problem_response(413, http_status_code(413), detail=f"the request body exceeds {limit} bytes")
            await response(scope, receive, send)
            return
        await self.app(scope, self._counting(receive, limit), send)

    def _counting(self, receive: Receive, limit: int) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return counted


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
