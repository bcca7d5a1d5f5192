"""`/api/v1/credentials`: issue (OB 3.0 §B.1 AchievementCredential), list, read, revoke, suspend and reinstate the
caller's organization's credentials. Thin: rules live in issuer.issuance and issuer.credential_records.

Issuing needs `credentials:issue`, reading `credentials:read`, status changes `credentials:revoke`. Handlers are
plain `def`: FastAPI runs them in its thread pool, so signing and canonicalization never block the event loop.
Responses that carry a credential are assembled around the stored text (issuer.routers.stored_json).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from issuer import credential_records as records
from issuer.credential_records import CredentialRecord, ListQuery
from issuer.dependencies import IssuerContextDep, SessionDep, WriteSessionDep, require_scope
from issuer.errors import NotFound
from issuer.issuance import IssuancePorts, issue_credential
from issuer.models import Credential, CredentialCopy, CredentialStatusChange
from issuer.pathway_auto_award import AutoAwarder
from issuer.pathway_definitions import PathwayUrls
from issuer.principal import Principal
from issuer.routers.stored_json import object_with_raw_member, stored_value
from issuer.runtime import IssuerContext
from issuer.scopes import Scope
from issuer.status_lists import StatusAction
from issuer.wallets.claim_links import (
    ClaimLinkView,
    claim_link_for,
    claimed_copies,
    current_claim_link,
)
from schemas.credential_api import (
    Claim,
    CredentialListResponse,
    CredentialResource,
    CredentialStatus,
    CredentialSummary,
    StatusChange,
    StatusChangeRequest,
)
from schemas.issuance import DID_MAX, IssueCredentialRequest, IssueCredentialResponse
from schemas.problem import Problem

PREFIX = "/api/v1/credentials"
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)
JSON = "application/json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1
IDEMPOTENCY_KEY_MAX = 200

Issuing = Annotated[Principal, Depends(require_scope(Scope.CREDENTIALS_ISSUE))]
Reader = Annotated[Principal, Depends(require_scope(Scope.CREDENTIALS_READ))]
Revoker = Annotated[Principal, Depends(require_scope(Scope.CREDENTIALS_REVOKE))]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="retries with the same key and body return the same credential (200); another body is 409",
    ),
]


def parse_credential_id(value: str) -> uuid.UUID:
    """A credential's id in this API; anything that is not a UUID names no credential (404, like another org's)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such credential") from None


def idempotency_key(value: str | None) -> str | None:
    """draft-ietf-httpapi-idempotency-key-header §2: an sf-string (quoted) or, as most clients send it, bare.

    1 to 200 visible ASCII characters; anything else is 422 located at the header.
    """
    if value is None:
        return None
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or any(not "\x21" <= c <= "\x7e" for c in key):
        message = f"must be 1 to {IDEMPOTENCY_KEY_MAX} visible ASCII characters"
        raise RequestValidationError([{"loc": ("header", "Idempotency-Key"), "msg": message, "type": "value_error"}])
    return key


def summary(record: CredentialRecord) -> CredentialSummary:
    row = record.row
    return CredentialSummary.model_validate(
        {
            "id": row.id,
            "credential_id": row.credential_id,
            "status": row.status,
            "format": row.format,
            "cryptosuite": row.cryptosuite,
            "issued_at": row.issued_at,
            "achievement_id": record.achievement_id,
            "achievement_version": record.achievement_version,
            "issuer_id": row.issuer_id,
            "digest": row.digest,
            "revoked_at": row.revoked_at,
            "status_reason": row.reason,
        }
    )


def _history(changes: list[CredentialStatusChange]) -> list[dict[str, Any]]:
    return [StatusChange.model_validate(change, from_attributes=True).model_dump(mode="json") for change in changes]


@dataclass(frozen=True, slots=True)
class WalletState:
    """Issue 6 members of a credential resource: the live claim link and the claimed copies."""

    claim: ClaimLinkView | None
    copies: list[CredentialCopy]

    def members(self) -> dict[str, Any]:
        claims = [Claim.model_validate(copy, from_attributes=True).model_dump(mode="json") for copy in self.copies]
        return {
            "claim_url": self.claim.url if self.claim is not None else None,
            "claim_expires_at": _json_datetime(self.claim.expires_at) if self.claim is not None else None,
            "claims": claims,
        }


def _json_datetime(value: datetime) -> Any:
    return _DATETIME.dump_python(value, mode="json")


def resource_response(record: CredentialRecord, changes: list[CredentialStatusChange], wallet: WalletState) -> Response:
    """CredentialResource as bytes: the summary, the status history, then the stored credential spliced in."""
    members = {**summary(record).model_dump(mode="json"), "status_history": _history(changes), **wallet.members()}
    body = object_with_raw_member(members, "credential", stored_value(record.row))
    return Response(body, media_type=JSON)


@dataclass(frozen=True, slots=True)
class _IssuedText:
    """What the issuance response needs, read before the request's transaction ends."""

    id: str
    raw: str
    replayed: bool
    headers: dict[str, str]
    claim: ClaimLinkView


def _issue(
    session: Session, principal: Principal, body: IssueCredentialRequest, key: str | None, ports: IssuancePorts
) -> _IssuedText:
    """Issue (committed), then end the session's transaction: no transaction stays open while auto-awarding.

    Issue 6: the credential's claim link is made in the issuing transaction (issuer.issuance); a replay shows the
    live link again (or makes one, when the first has expired).
    """
    try:
        issued = issue_credential(session, principal, body, idempotency_key=key, ports=ports)
        row = issued.credential
        headers = {"Location": f"{PREFIX}/{row.id}"}
        if issued.replayed:
            headers["Idempotent-Replayed"] = "true"
        claim = claim_link_for(session, row, master=ports.master, base_url=ports.base_url, now=ports.clock())
        return _IssuedText(str(row.id), stored_value(row), issued.replayed, headers, claim)
    finally:
        session.rollback()


@dataclass(frozen=True, slots=True)
class CredentialRoutes:
    """The handlers, bound to the public base URL that status list URLs are published under."""

    base_url: str

    async def issue(
        self,
        body: IssueCredentialRequest,
        principal: Issuing,
        session: WriteSessionDep,
        context: IssuerContextDep,
        key: IdempotencyKeyHeader = None,
    ) -> Response:
        """OB 3.0 §B.1: issue one credential; 201 `{"id", "awards", "award_errors", "credential"}` with the
        credential exactly as stored, then (issue 5 `auto_award`) the pathways it completed, awarded.

        A retry with the same Idempotency-Key and body answers 200 with the same credential and
        `Idempotent-Replayed`.
        """
        ports = IssuancePorts.of(context, self.base_url)
        issue = functools.partial(_issue, session, principal, body, idempotency_key(key), ports)
        issued = await run_in_threadpool(issue)
        awarder = AutoAwarder(context, principal, PathwayUrls(self.base_url))
        made = await awarder.run(body.recipient, body.achievement_id)
        members = {
            "id": issued.id,
            "claim_url": issued.claim.url,
            "claim_expires_at": _json_datetime(issued.claim.expires_at),
            "awards": [award.model_dump(mode="json") for award in made.awards],
            "award_errors": [error.model_dump(mode="json") for error in made.errors],
        }
        content = object_with_raw_member(members, "credential", issued.raw)
        status = 200 if issued.replayed else 201
        return Response(content, status_code=status, media_type=JSON, headers=issued.headers)

    def index(
        self,
        principal: Reader,
        session: SessionDep,
        context: IssuerContextDep,
        response: Response,
        recipient: Annotated[str | None, Query(max_length=DID_MAX, description="an email address or a DID")] = None,
        achievement_id: Annotated[uuid.UUID | None, Query(description="credentials of this achievement")] = None,
        issuer_id: Annotated[uuid.UUID | None, Query(description="credentials of this issuer")] = None,
        status: Annotated[CredentialStatus | None, Query(description="active, revoked or suspended")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> CredentialListResponse:
        """The organization's credentials, newest first, without their documents; the total in X-Total-Count."""
        query = ListQuery(recipient, achievement_id, issuer_id, status, limit, offset)
        found = records.list_credentials(session, principal.organization_id, query, master=context.require_master_key())
        response.headers["X-Total-Count"] = str(found.total)
        return CredentialListResponse(credentials=[summary(record) for record in found.records])

    def get(self, credential_id: str, principal: Reader, session: SessionDep, context: IssuerContextDep) -> Response:
        """One credential: its status, history, claim link and claims, and the signed credential exactly as stored."""
        row_id = parse_credential_id(credential_id)
        record = records.credential_record(session, principal.organization_id, row_id)
        changes = records.status_history(session, principal.organization_id, row_id)
        return resource_response(record, changes, self._wallet(session, context, record.row))

    def _wallet(self, session: Session, context: IssuerContext, row: Credential) -> WalletState:
        claim = current_claim_link(
            session, row, master=context.require_master_key(), base_url=self.base_url, now=context.clock()
        )
        return WalletState(claim, claimed_copies(session, row))

    def _change(
        self,
        action: StatusAction,
        credential_id: str,
        principal: Principal,
        session: Session,
        context: IssuerContextDep,
        body: StatusChangeRequest | None,
    ) -> Response:
        row_id = parse_credential_id(credential_id)
        reason = body.reason if body is not None else None
        record = records.change_status(session, principal, row_id, action, reason=reason, now=context.clock())
        changes = records.status_history(session, principal.organization_id, row_id)
        return resource_response(record, changes, self._wallet(session, context, record.row))

    def revoke(
        self,
        credential_id: str,
        principal: Revoker,
        session: WriteSessionDep,
        context: IssuerContextDep,
        body: Annotated[StatusChangeRequest | None, Body()] = None,
    ) -> Response:
        """Bitstring Status List v1.0 §2.1 revocation: final; the list shows it once this call has answered."""
        return self._change(StatusAction.REVOKE, credential_id, principal, session, context, body)

    def suspend(
        self,
        credential_id: str,
        principal: Revoker,
        session: WriteSessionDep,
        context: IssuerContextDep,
        body: Annotated[StatusChangeRequest | None, Body()] = None,
    ) -> Response:
        """Bitstring Status List v1.0 §2.1 suspension (reversible); 409 unless the issuer had enabled suspension."""
        return self._change(StatusAction.SUSPEND, credential_id, principal, session, context, body)

    def reinstate(
        self,
        credential_id: str,
        principal: Revoker,
        session: WriteSessionDep,
        context: IssuerContextDep,
        body: Annotated[StatusChangeRequest | None, Body()] = None,
    ) -> Response:
        """Bitstring Status List v1.0 §2.1: lift a suspension (a revoked credential stays revoked)."""
        return self._change(StatusAction.REINSTATE, credential_id, principal, session, context, body)


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        401: "no or an invalid access token",
        403: "the token lacks the scope",
        404: "no such credential (or achievement) in your organization",
        409: "idempotency key reused, no active key, or a status change the credential's status does not allow",
        422: "invalid input (`errors` lists the fields), or a credential that would not be a valid Open Badge",
    }.items()
}


def _one(description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": CredentialResource, "description": description}}


def build_credentials_router(*, base_url: str) -> APIRouter:
    """The credentials API; status list URLs in issued credentials are under `base_url`."""
    routes = CredentialRoutes(base_url)
    router = APIRouter(prefix=PREFIX, tags=["credentials"], responses=_ERRORS)
    issued: dict[int | str, dict[str, Any]] = {
        201: {"model": IssueCredentialResponse, "description": "issued"},
        200: {"model": IssueCredentialResponse, "description": "replayed (same Idempotency-Key and body)"},
    }
    router.add_api_route(
        "", routes.issue, methods=["POST"], status_code=201, summary="Issue a credential", responses=issued
    )
    router.add_api_route("", routes.index, methods=["GET"], summary="List credentials")
    router.add_api_route(
        "/{credential_id}", routes.get, methods=["GET"], summary="Get a credential", responses=_one("the credential")
    )
    for name, handler in (("revoke", routes.revoke), ("suspend", routes.suspend), ("reinstate", routes.reinstate)):
        router.add_api_route(
            f"/{{credential_id}}/{name}",
            handler,
            methods=["POST"],
            summary=f"{name.capitalize()} a credential",
            responses=_one("the credential after the change"),
        )
    return router
