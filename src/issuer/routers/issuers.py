"""`/api/v1/issuers`: issuer profiles (OB 3.0 §B.1 Profile), DIDs and keys of the caller's organization. Thin: rules
live in issuer.issuers.

Changes need `issuers:write`. Reads take any of `issuers:write`, `achievements:write` (an achievement names its
issuer), `credentials:issue` and `credentials:read`. `build_issuers_router` also mounts the public, unauthenticated
Profile and DID document routes (issuer.routers.public_issuers).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from issuer import issuers as service
from issuer.any_scope import any_scope_openapi, require_any_scope
from issuer.dependencies import IssuerContextDep, SessionDep, WriteSessionDep, require_scope
from issuer.did_documents import verification_method_id
from issuer.did_web import PublicBase
from issuer.errors import NotFound
from issuer.keystore import MasterKey
from issuer.models import Issuer, IssuerKey
from issuer.principal import Principal
from issuer.profiles import public_profile
from issuer.repositories.issuers import IssuerRepository
from issuer.routers.public_issuers import build_public_issuers_router
from issuer.scopes import Scope
from schemas.problem import Problem
from schemas.profile import (
    IssuerCreate,
    IssuerKeyListResponse,
    IssuerKeyResponse,
    IssuerListResponse,
    IssuerReplace,
    IssuerResponse,
    RetireKeyRequest,
)

PREFIX = "/api/v1/issuers"
MERGE_PATCH = "application/merge-patch+json"
READ_SCOPES = (Scope.ISSUERS_WRITE, Scope.ACHIEVEMENTS_WRITE, Scope.CREDENTIALS_ISSUE, Scope.CREDENTIALS_READ)

Writer = Annotated[Principal, Depends(require_scope(Scope.ISSUERS_WRITE))]
Reader = Annotated[Principal, Depends(require_any_scope(*READ_SCOPES))]


def parse_issuer_id(value: str) -> uuid.UUID:
    """An issuer's `uuid`; anything that is not one names no issuer (404, like another organization's issuer)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such issuer") from None


def master_key(context: IssuerContextDep) -> MasterKey:
    if context.master_key is None:
        raise RuntimeError("IssuerContext.master_key is not set: the app's lifespan loads it")
    return context.master_key


MasterKeyDep = Annotated[MasterKey, Depends(master_key)]


def key_response(issuer: Issuer, key: IssuerKey) -> IssuerKeyResponse:
    return IssuerKeyResponse.model_validate(
        {
            "key_id": key.key_id,
            "verification_method": verification_method_id(issuer, key),
            "public_key_multibase": key.public_key_multibase,
            "state": key.state,
            "created_at": key.created_at,
            "retired_at": key.retired_at,
        }
    )


@dataclass(frozen=True, slots=True)
class IssuerRoutes:
    """The endpoints, bound to the public base URL the service publishes DIDs and documents under."""

    base: PublicBase

    def _response(self, issuer: Issuer) -> IssuerResponse:
        return IssuerResponse.model_validate(
            {
                "id": issuer.id,
                "did": issuer.did,
                "did_method": issuer.did_method,
                "did_document_url": self.base.did_document_url(issuer.id),
                "profile_url": self.base.profile_url(issuer.id),
                "profile": public_profile(issuer.did, issuer.profile),
                "suspension_enabled": issuer.suspension_enabled,
                "linkedin_organization_id": issuer.linkedin_organization_id,
                "wallet_proof_mode": issuer.wallet_proof_mode,
                "created_at": issuer.created_at,
            }
        )

    def create(
        self,
        request: IssuerCreate,
        response: Response,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
        master: MasterKeyDep,
    ) -> IssuerResponse:
        """Create an issuer: its OB Profile, its DID (did:web under the base URL, or did:key) and its first key."""
        issuer = service.create_issuer(session, principal, request, master=master, base=self.base, now=context.clock())
        response.headers["Location"] = f"{PREFIX}/{issuer.id}"
        return self._response(issuer)

    def index(self, principal: Reader, session: SessionDep) -> IssuerListResponse:
        """The organization's issuers, oldest first."""
        issuers = IssuerRepository(session, principal.organization_id).all()
        return IssuerListResponse(issuers=[self._response(issuer) for issuer in issuers])

    def get(self, issuer_id: str, principal: Reader, session: SessionDep) -> IssuerResponse:
        issuer = IssuerRepository(session, principal.organization_id).get(parse_issuer_id(issuer_id))
        return self._response(issuer)

    def replace(
        self,
        issuer_id: str,
        fields: IssuerReplace,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
    ) -> IssuerResponse:
        """Replace the profile: members left out are removed. The DID and keys do not change."""
        issuer = service.replace_profile(
            session,
            principal,
            parse_issuer_id(issuer_id),
            fields,
            now=context.clock(),
            settings=service.settings_of_replace(fields),
        )
        return self._response(issuer)

    def patch(
        self,
        issuer_id: str,
        patch: Annotated[dict[str, Any], Body(media_type=MERGE_PATCH)],
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
    ) -> IssuerResponse:
        """RFC 7396 JSON Merge Patch of the profile: given members replace, `null` removes, the rest stays."""
        try:
            issuer = service.patch_profile(session, principal, parse_issuer_id(issuer_id), patch, now=context.clock())
        except ValidationError as exc:
            # Located like FastAPI's own request validation errors, without the input values.
            errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_input=False)]
            raise RequestValidationError(errors) from None
        return self._response(issuer)

    def keys(self, issuer_id: str, principal: Reader, session: SessionDep) -> IssuerKeyListResponse:
        """Every key of the issuer with its state; retired keys are listed but not in the DID document."""
        repository = IssuerRepository(session, principal.organization_id)
        issuer = repository.get(parse_issuer_id(issuer_id))
        return IssuerKeyListResponse(keys=[key_response(issuer, key) for key in repository.keys(issuer.id)])

    def rotate(
        self,
        issuer_id: str,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
        master: MasterKeyDep,
    ) -> IssuerKeyResponse:
        """A new key signs from now on; earlier keys stay in the DID document. 409 for did:key issuers."""
        issuer, key = service.rotate_key(
            session, principal, parse_issuer_id(issuer_id), master=master, now=context.clock()
        )
        return key_response(issuer, key)

    def retire(
        self,
        issuer_id: str,
        key_id: str,
        principal: Writer,
        session: WriteSessionDep,
        context: IssuerContextDep,
        body: RetireKeyRequest | None = None,
    ) -> IssuerKeyResponse:
        """Withdraw a compromised key from the DID document and destroy its private key; idempotent."""
        reason = body.reason if body is not None else None
        issuer, key = service.retire_key(
            session, principal, parse_issuer_id(issuer_id), key_id, now=context.clock(), reason=reason
        )
        return key_response(issuer, key)


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        401: "no or an invalid access token",
        403: "the token lacks the scope",
        404: "no such issuer (or key) in your organization",
        409: "the key change is not possible (did:key rotation, concurrent rotation)",
        422: "invalid input; `errors` lists the fields",
    }.items()
}


def _api_router(routes: IssuerRoutes) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["issuers"], responses=_ERRORS)
    reads = any_scope_openapi(*READ_SCOPES)
    router.add_api_route("", routes.create, methods=["POST"], status_code=201, summary="Create an issuer")
    router.add_api_route("", routes.index, methods=["GET"], summary="List issuers", openapi_extra=reads)
    router.add_api_route("/{issuer_id}", routes.get, methods=["GET"], summary="Get an issuer", openapi_extra=reads)
    router.add_api_route("/{issuer_id}", routes.replace, methods=["PUT"], summary="Replace an issuer's profile")
    router.add_api_route("/{issuer_id}", routes.patch, methods=["PATCH"], summary="Edit an issuer's profile")
    router.add_api_route(
        "/{issuer_id}/keys", routes.keys, methods=["GET"], summary="List an issuer's keys", openapi_extra=reads
    )
    router.add_api_route(
        "/{issuer_id}/keys/rotate", routes.rotate, methods=["POST"], status_code=201, summary="Rotate the key"
    )
    router.add_api_route(
        "/{issuer_id}/keys/{key_id}/retire", routes.retire, methods=["POST"], summary="Retire a compromised key"
    )
    return router


def build_issuers_router(*, base_url: str) -> APIRouter:
    """The issuers API and the public Profile and DID documents, publishing DIDs under `base_url`.

    Raises issuer.did_web.InvalidBaseUrl when `base_url` cannot carry did:web identifiers (a configuration error).
    """
    router = APIRouter()
    router.include_router(_api_router(IssuerRoutes(PublicBase.parse(base_url))))
    router.include_router(build_public_issuers_router())
    return router
