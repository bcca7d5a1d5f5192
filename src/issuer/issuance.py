"""OB 3.0 §B.1 AchievementCredential issuance (ARCHITECTURE "Issue"): request in, stored signed credential out.

One transaction, in this order: load the achievement's current version and its issuer (the caller's organization
only), open the issuer's active key, allocate the status entries (revocation, and suspension when the issuer opted
in), render, gate (strict JSON-LD and the 1EdTech schema), sign, verify the signature just made, store the exact
text and its digest with an audit entry, commit. The allocation is in the same transaction as the credential, so
any failure before the commit (a gate refusal, a crash, a database error) rolls both back: no half-issued
credential, no index consumed without a credential. The learner's claim link (issue 6) is made in the same
transaction.

Idempotency (the `Idempotency-Key` header): the key is stored with the SHA-256 of the canonical request (RFC 8785
JSON of the validated request, defaults included). The same key with the same request returns the credential
stored the first time (`Issued.replayed`); with another request, IdempotencyKeyReused (409). Two concurrent requests
with one key: the database's unique key lets exactly one store; the other rolls back and returns the winner's.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from sqlalchemy.orm import Session

from credentials.jsonld import ContextStore
from issuer.achievement_service import achievement_for_issuance
from issuer.achievements import FieldProblem
from issuer.credential_signing import sign_credential
from issuer.errors import Conflict
from issuer.issuable import CredentialSchema, validate_issuable
from issuer.keystore import MasterKey
from issuer.models import Credential, Issuer
from issuer.principal import Principal
from issuer.recipient_lookup import key_of_recipient
from issuer.render import RenderError, render_credential
from issuer.repositories.audit import record_audit
from issuer.repositories.credentials import CredentialRepository, IdempotencyKey, NewCredential
from issuer.repositories.status_lists import Allocation, StatusListRepository
from issuer.runtime import Clock, IssuerContext
from issuer.signing_keys import active_signer
from issuer.status_lists import entry_for, status_list_url
from issuer.wallets.claim_links import first_claim_link
from schemas.issuance import IssueCredentialRequest

SALT_BYTES = 16

BeforeCommit = Callable[[Session, Credential], None]
"""Runs in the issuing transaction right before its commit (a batch job records its item there); raising rolls back."""


class IdempotencyKeyReused(Conflict):
    """The Idempotency-Key was first used with a different request (draft-ietf-httpapi-idempotency-key-header §2.6)."""

    code = "IDEMPOTENCY_KEY_REUSED"
    title = "The idempotency key was already used with a different request"


class NotIssuable(RenderError):
    """ARCHITECTURE "Issue" step 3: the rendered credential fails strict JSON-LD or the 1EdTech schema (HTTP 422).

    The request was valid; what fails is the stored data it draws on (the achievement, the issuer profile).
    `loc` paths start with `credential` and point into the rendered credential.
    """

    code = "CREDENTIAL_NOT_ISSUABLE"
    title = "The credential would not be a valid Open Badge"


class _StoreRace(Exception):
    """Storing hit a unique key (idempotency key, credential id) that a concurrent transaction took first."""


@dataclass(frozen=True, slots=True)
class IssuancePorts:
    """What issuance needs besides the session: contexts, the master key, the public base URL, the clock."""

    contexts: ContextStore
    master: MasterKey
    base_url: str
    clock: Clock
    # The 1EdTech AchievementCredential schema by default (issuer.issuable.packaged_credential_schema).
    schema: CredentialSchema | None = None

    @classmethod
    def of(cls, context: IssuerContext, base_url: str) -> IssuancePorts:
        """The running service's ports: its contexts, master key and clock, under the public `base_url`."""
        return cls(
            contexts=context.require_contexts(),
            master=context.require_master_key(),
            base_url=base_url,
            clock=context.clock,
        )


@dataclass(frozen=True, slots=True)
class Issued:
    """The stored credential; `replayed` when an earlier request with the same idempotency key stored it."""

    credential: Credential
    replayed: bool = False


def request_hash(request: IssueCredentialRequest) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of the validated request: equal requests, equal hashes.

    Validated means defaults filled in and values normalized (trimmed email, date-times as UTC instants), so two
    spellings of one request hash alike and a retry that re-serialises its body still matches.
    """
    canonical: bytes = rfc8785.dumps(_json_ready(request.model_dump()))
    return hashlib.sha256(canonical).hexdigest()


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def issue_credential(
    session: Session,
    principal: Principal,
    request: IssueCredentialRequest,
    *,
    idempotency_key: str | None,
    ports: IssuancePorts,
    before_commit: BeforeCommit | None = None,
) -> Issued:
    """OB 3.0 §B.1: issue (or, for a repeated idempotency key, return) one credential; committed on return.

    `session` should be a write session (issuer.db.write_session). Raises NotFound (another organization's or no
    achievement), NoActiveKey, RenderError (the request does not fit the achievement), NotIssuable,
    IdempotencyKeyReused. `before_commit` runs only when a credential is newly stored, inside its transaction.
    """
    idempotency = IdempotencyKey(idempotency_key, request_hash(request)) if idempotency_key is not None else None
    if idempotency is not None:
        earlier = _earlier(session, principal, idempotency)
        if earlier is not None:
            return Issued(earlier, replayed=True)
    try:
        return Issued(_issue(session, principal, request, idempotency, ports, before_commit))
    except _StoreRace:
        session.rollback()
        earlier = _earlier(session, principal, idempotency) if idempotency is not None else None
        if earlier is None:
            raise Conflict("a concurrent request kept the credential from being stored; send it again") from None
        return Issued(earlier, replayed=True)


def _earlier(session: Session, principal: Principal, idempotency: IdempotencyKey) -> Credential | None:
    stored = CredentialRepository(session, principal.organization_id).find_by_idempotency_key(idempotency.key)
    if stored is not None and stored.request_hash != idempotency.request_hash:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used for a different request; use a new key for a new credential"
        )
    return stored


def _issue(
    session: Session,
    principal: Principal,
    request: IssueCredentialRequest,
    idempotency: IdempotencyKey | None,
    ports: IssuancePorts,
    before_commit: BeforeCommit | None = None,
) -> Credential:
    """ARCHITECTURE "Issue" steps 2-6 in one transaction; committed when it returns, rolled back when it raises."""
    organization_id, now = principal.organization_id, ports.clock()
    version, achievement, issuer = achievement_for_issuance(session, organization_id, request.achievement_id)
    signer, _ = active_signer(session, issuer, ports.master)
    row_id = uuid.uuid4()
    revocation, suspension = _allocate(session, organization_id, issuer, now)
    unsigned = _render(session, request, issuer, achievement, row_id, [revocation, suspension], ports, now)
    signed = sign_credential(
        unsigned,
        format=request.format,
        cryptosuite=request.proof_suite,
        signer=signer,
        contexts=ports.contexts,
        now=now,
    )
    new = NewCredential(
        issuer_id=issuer.id,
        achievement_version_id=version.id,
        credential_id=unsigned["id"],
        format=signed.format,
        cryptosuite=signed.cryptosuite,
        document=signed.text,
        recipient=key_of_recipient(request.recipient, organization_id=organization_id, master=ports.master),
        revocation=revocation,
        suspension=suspension,
        issued_at=now,
        idempotency=idempotency,
        row_id=row_id,
    )
    stored = _store(session, principal, new)
    record_audit(
        session,
        organization_id=organization_id,
        actor=principal.actor,
        action="credential.issue",
        subject=f"credential:{stored.id}",
        at=now,
    )
    # Issue 6: every credential gets its learner's claim link, whichever route issued it (single, batch, job, award).
    first_claim_link(session, stored, master=ports.master, base_url=ports.base_url, now=now)
    if before_commit is not None:
        before_commit(session, stored)
    session.commit()
    return stored


def _allocate(
    session: Session, organization_id: uuid.UUID, issuer: Issuer, now: datetime
) -> tuple[Allocation, Allocation | None]:
    """Bitstring Status List v1.0 §2.1: a revocation entry always, a suspension entry when the issuer opted in."""
    lists = StatusListRepository(session, organization_id)
    revocation = lists.allocate(issuer.id, "revocation", now=now)
    suspension = lists.allocate(issuer.id, "suspension", now=now) if issuer.suspension_enabled else None
    return revocation, suspension


def _render(
    session: Session,
    request: IssueCredentialRequest,
    issuer: Issuer,
    achievement: dict[str, Any],
    row_id: uuid.UUID,
    allocations: list[Allocation | None],
    ports: IssuancePorts,
    now: datetime,
) -> dict[str, Any]:
    """ARCHITECTURE "Issue" steps 2-3: the unsigned credential, and the gate in front of signing."""
    lists = StatusListRepository(session, issuer.organization_id)
    status = []
    for allocation in allocations:
        if allocation is not None:
            url = status_list_url(ports.base_url, allocation.list_id)
            status.append(entry_for(lists.get(allocation.list_id), allocation.index, url))
    try:
        unsigned = render_credential(
            credential_id=f"urn:uuid:{row_id}",
            issuer_profile=issuer.profile,
            achievement=achievement,
            request=request,
            now=now,
            salt=secrets.token_hex(SALT_BYTES),
            status=status,
        )
    except RenderError as exc:
        raise RenderError([FieldProblem(("body", *p.loc), p.msg, p.type) for p in exc.problems]) from exc
    try:
        validate_issuable(unsigned, ports.contexts, schema=ports.schema)
    except RenderError as exc:
        raise NotIssuable([FieldProblem(("credential", *p.loc), p.msg, p.type) for p in exc.problems]) from exc
    return unsigned


def _store(session: Session, principal: Principal, new: NewCredential) -> Credential:
    try:
        return CredentialRepository(session, principal.organization_id).create(new)
    except Conflict as exc:
        raise _StoreRace() from exc
