"""`GET /achievements/{uuid}`: the dereferenceable OB 3.0 §B.1.1 Achievement `id`, served to anyone without a token.

The current version (`/achievements/{uuid}`) may change, so caches keep it briefly and revalidate with its ETag; a
fixed version (`/achievements/{uuid}/versions/{n}`) never changes and is cacheable for a year. The body is the stored
OB Achievement JSON with the OB 3.0 context, so it is also meaningful JSON-LD standing alone; `application/json`
and `application/ld+json` are offered (RFC 9110 §12.5.1), the bytes are the same.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response

from issuer.achievement_service import public_document
from issuer.dependencies import SessionDep
from issuer.errors import IssuerError, NotFound
from issuer.routers.representation import entity_tag, negotiate, none_match
from schemas import ob

JSON = "application/json"
JSON_LD = "application/ld+json"
OFFERED = (JSON, JSON_LD)
CURRENT_CACHE_CONTROL = "public, max-age=300"
VERSION_CACHE_CONTROL = "public, max-age=31536000, immutable"
MAX_VERSION = 2**31 - 1
_LEADING_KEYS = ("@context", "id", "type")


class NotAcceptable(IssuerError):
    """RFC 9110 §15.5.7: the Accept header admits neither JSON nor JSON-LD."""

    code = "NOT_ACCEPTABLE"
    status = 406
    title = "No acceptable representation"


def standalone_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """OB 3.0 §B.1.1 Achievement as a JSON-LD document of its own: the OB context first, then `id` and `type`."""
    standalone = {"@context": [ob.OB_CONTEXT], **document}
    leading = {key: standalone[key] for key in _LEADING_KEYS if key in standalone}
    return leading | {key: value for key, value in standalone.items() if key not in leading}


def _achievement_uuid(value: str) -> uuid.UUID:
    """Only the canonical (lower-case, hyphenated) form is the achievement's URL; anything else names nothing."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != value:
        raise NotFound("no such achievement")
    return parsed


def _version_number(value: str) -> int:
    # The length check comes first: int() of thousands of digits is slow, and refused beyond 4300 digits.
    if not (value.isascii() and value.isdigit()) or len(value) > 10 or value.startswith("0"):
        raise NotFound("no such version")
    if int(value) > MAX_VERSION:
        raise NotFound("no such version")
    return int(value)


def _represent(request: Request, document: Mapping[str, Any], cache_control: str) -> Response:
    """The negotiated representation with its ETag, or 304 Not Modified when the client holds it (RFC 9110 §15.4.5)."""
    media_type = negotiate(request.headers.get("accept"), OFFERED)
    if media_type is None:
        raise NotAcceptable(f"this resource is available as {' or '.join(OFFERED)}")
    body = json.dumps(standalone_document(document), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = entity_tag(body, media_type)
    headers = {
        "ETag": etag,
        "Cache-Control": cache_control,
        "Vary": "Accept",
        "Access-Control-Allow-Origin": "*",
    }
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def public_achievement(achievement_id: str, request: Request, session: SessionDep) -> Response:
    """OB 3.0 §B.1.1 Achievement JSON of the current version."""
    document = public_document(session, _achievement_uuid(achievement_id), None)
    return _represent(request, document, CURRENT_CACHE_CONTROL)


def public_achievement_version(achievement_id: str, number: str, request: Request, session: SessionDep) -> Response:
    """OB 3.0 §B.1.1 Achievement JSON of version `number`, which never changes."""
    document = public_document(session, _achievement_uuid(achievement_id), _version_number(number))
    return _represent(request, document, VERSION_CACHE_CONTROL)


_DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "OB 3.0 Achievement JSON (JSON-LD with the OB 3.0 context)",
        "content": {JSON: {"schema": {"type": "object"}}, JSON_LD: {"schema": {"type": "object"}}},
    },
    304: {"description": "Not modified (If-None-Match)"},
    404: {"description": "No such achievement or version"},
    406: {"description": "Accept admits neither application/json nor application/ld+json"},
}


def build_public_achievements_router() -> APIRouter:
    router = APIRouter(tags=["achievements (public)"])
    router.add_api_route(
        "/achievements/{achievement_id}",
        public_achievement,
        methods=["GET"],
        summary="An achievement's public OB 3.0 JSON (current version)",
        response_class=Response,
        responses=_DOCUMENT_RESPONSES,
    )
    router.add_api_route(
        "/achievements/{achievement_id}/versions/{number}",
        public_achievement_version,
        methods=["GET"],
        summary="An achievement's public OB 3.0 JSON (one fixed version)",
        response_class=Response,
        responses=_DOCUMENT_RESPONSES,
    )
    return router
