"""`GET /issuers/{uuid}` and `GET /issuers/{uuid}/did.json`: an issuer's OB Profile and DID document, for anyone.

The DID document is where did:web §3.2 (Read) finds `did:web:<base>:issuers:<uuid>`; it is served as
`application/did+json` (DID Core 1.0 §6.2), or as `application/json` / `application/did+ld+json` to clients that
ask for those. The Profile is OB 3.0 JSON-LD (`application/ld+json`, or `application/json`). Both allow any origin
(browser wallets and verifiers fetch them, did:web §3.2), are cacheable for five minutes and revalidate with their
ETag. A client whose Accept header admits none of the offered types gets the first one anyway (RFC 9110 §12.5.1
allows disregarding Accept): a public document is more useful than a 406.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from issuer.dependencies import SessionDep
from issuer.did_documents import issuer_did_document
from issuer.errors import NotFound
from issuer.models import Issuer
from issuer.profiles import public_profile
from issuer.repositories.issuers import find_published_issuer
from issuer.routers.representation import entity_tag, negotiate, none_match

DID_JSON = "application/did+json"
DID_LD_JSON = "application/did+ld+json"
JSON = "application/json"
JSON_LD = "application/ld+json"
DID_DOCUMENT_TYPES = (DID_JSON, JSON, DID_LD_JSON)
PROFILE_TYPES = (JSON_LD, JSON)
# Short: a rotation or retirement should reach verifiers' caches within minutes.
CACHE_CONTROL = "public, max-age=300"


def published_issuer(session: Session, issuer_id: str) -> Issuer:
    """The issuer a public URL names (any organization's: these documents are public); NotFound otherwise."""
    try:
        issuer = find_published_issuer(session, uuid.UUID(issuer_id))
    except ValueError:
        issuer = None
    if issuer is None:
        raise NotFound("no such issuer")
    return issuer


def represent(request: Request, document: Mapping[str, Any], offered: Sequence[str]) -> Response:
    """RFC 9110 §12.5.1 negotiated JSON with its ETag, or 304 Not Modified when the client holds it (§15.4.5)."""
    media_type = negotiate(request.headers.get("accept"), offered) or offered[0]
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = entity_tag(body, media_type)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept", "Access-Control-Allow-Origin": "*"}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def issuer_profile(issuer_id: str, request: Request, session: SessionDep) -> Response:
    """OB 3.0 §B.1 Profile of the issuer as JSON-LD; its `id` is the issuer DID."""
    issuer = published_issuer(session, issuer_id)
    return represent(request, public_profile(issuer.did, issuer.profile), PROFILE_TYPES)


def issuer_did_json(issuer_id: str, request: Request, session: SessionDep) -> Response:
    """DID Core 1.0 §5 document of the issuer's DID: its unretired keys as Multikey verification methods."""
    issuer = published_issuer(session, issuer_id)
    return represent(request, issuer_did_document(session, issuer), DID_DOCUMENT_TYPES)


def _content(media_types: Sequence[str], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "object"}} for media_type in media_types},
    }


def build_public_issuers_router() -> APIRouter:
    router = APIRouter(tags=["issuers (public)"])
    common: dict[int | str, dict[str, Any]] = {
        304: {"description": "Not modified (If-None-Match)"},
        404: {"description": "No such issuer"},
    }
    router.add_api_route(
        "/issuers/{issuer_id}",
        issuer_profile,
        methods=["GET"],
        summary="An issuer's public OB 3.0 Profile",
        response_class=Response,
        responses={200: _content(PROFILE_TYPES, "OB 3.0 Profile JSON-LD"), **common},
    )
    router.add_api_route(
        "/issuers/{issuer_id}/did.json",
        issuer_did_json,
        methods=["GET"],
        summary="An issuer's DID document (did:web)",
        response_class=Response,
        responses={200: _content(DID_DOCUMENT_TYPES, "DID document"), **common},
    )
    return router
