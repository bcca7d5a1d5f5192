"""`GET /status-lists/{id}`: Bitstring Status List v1.0 §3.2, the signed BitstringStatusListCredential, for anyone.

Served as `application/vc+ld+json` (the media type verifiers ask for first; `application/vc`, `application/ld+json`
and `application/json` when asked for: same bytes), with a strong ETag over the bytes and media type, If-None-Match
(304), `Access-Control-Allow-Origin: *` (browser wallets and verifiers fetch lists) and `Cache-Control: public,
max-age=60`. Why 60 seconds: one list covers up to 131,072 credentials, so every verification of any of them fetches
it; a minute of shared caching absorbs those bursts, while a revocation still reaches every cache within a minute
(the response a verifier sees right after a revoke call returns is already the new one, when it asks us directly).
A verifier's own cache honours the shorter of this and its default (credentials.status.fetch).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from issuer.dependencies import IssuerContextDep
from issuer.errors import NotFound
from issuer.routers.representation import entity_tag, negotiate, none_match
from issuer.status_list_publishing import PublishingPorts, published_status_list
from issuer.status_lists import STATUS_LIST_PATH

VC_LD_JSON = "application/vc+ld+json"
OFFERED = (VC_LD_JSON, "application/vc", "application/ld+json", "application/json")
CACHE_CONTROL = "public, max-age=60"


def _list_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such status list") from None


def build_status_lists_router(*, base_url: str) -> APIRouter:
    """The public status list route; lists are published (and their credentials' ids set) under `base_url`."""

    def status_list(list_id: str, request: Request, context: IssuerContextDep) -> Response:
        """Bitstring Status List v1.0 §3.2: the list's signed credential, re-signed after any bit change."""
        ports = PublishingPorts(
            sessions=context.sessions,
            contexts=context.require_contexts(),
            master=context.require_master_key(),
            base_url=base_url,
            clock=context.clock,
        )
        published = published_status_list(_list_id(list_id), ports)
        media_type = negotiate(request.headers.get("accept"), OFFERED) or VC_LD_JSON
        body = published.text.encode("utf-8")
        etag = entity_tag(body, media_type)
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept", "Access-Control-Allow-Origin": "*"}
        if none_match(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "the signed BitstringStatusListCredential",
            "content": {media_type: {"schema": {"type": "object"}} for media_type in OFFERED},
        },
        304: {"description": "Not modified (If-None-Match)"},
        404: {"description": "No such status list"},
        409: {"description": "The list changed and its issuer has no active key to sign it (NO_ACTIVE_KEY)"},
    }
    router = APIRouter(tags=["status lists (public)"])
    router.add_api_route(
        f"/{STATUS_LIST_PATH}/{{list_id}}",
        status_list,
        methods=["GET"],
        summary="A status list credential (public)",
        response_class=Response,
        responses=responses,
    )
    return router
