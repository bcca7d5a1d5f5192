"""`GET /competencies/{uuid}`: a competency's public URL (issue 5), the `targetUrl` of OB 3.0 §B.1 Alignment entries.

Anyone may dereference an alignment found in a credential, so no token is needed. The body is plain JSON (not
JSON-LD: it names no context); it carries a strong ETag (RFC 9110 §8.8.3, `If-None-Match` gives 304) and is kept
briefly by caches.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from issuer.competencies import CompetencyUrls, competency_document
from issuer.competency_service import public_competency
from issuer.dependencies import SessionDep
from issuer.errors import NotFound
from issuer.routers.public_achievements import NotAcceptable
from issuer.routers.representation import entity_tag, negotiate, none_match

JSON = "application/json"
CACHE_CONTROL = "public, max-age=300"


def _competency_uuid(value: str) -> uuid.UUID:
    """Only the canonical (lower-case, hyphenated) form is the competency's URL; anything else names nothing."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != value:
        raise NotFound("no such competency")
    return parsed


def _represent(request: Request, document: dict[str, Any]) -> Response:
    if negotiate(request.headers.get("accept"), (JSON,)) is None:
        raise NotAcceptable(f"this resource is available as {JSON}")
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = entity_tag(body, JSON)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept", "Access-Control-Allow-Origin": "*"}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON, headers=headers)


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the competency as JSON", "content": {JSON: {"schema": {"type": "object"}}}},
    304: {"description": "Not modified (If-None-Match)"},
    404: {"description": "No such competency"},
    406: {"description": "Accept does not admit application/json"},
}


def build_public_competencies_router(urls: CompetencyUrls) -> APIRouter:
    """The public competency documents, with ids under `urls`."""

    def public_competency_document(competency_id: str, request: Request, session: SessionDep) -> Response:
        """Issue 5: the competency an alignment's `targetUrl` names."""
        competency = public_competency(session, _competency_uuid(competency_id))
        return _represent(request, competency_document(competency, urls))

    router = APIRouter(tags=["competencies (public)"])
    router.add_api_route(
        "/competencies/{competency_id}",
        public_competency_document,
        methods=["GET"],
        summary="A competency's public JSON",
        response_class=Response,
        responses=_RESPONSES,
    )
    return router
