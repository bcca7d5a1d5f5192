"""OB 3.0 §B.1 AchievementCredentials of one organization: stored as signed, listed, found, revoked or suspended.

Recipient lookup. `GET /api/v1/credentials?recipient=` needs an exact-match column, and the credential itself only
holds a salted IdentityHash (OB 3.0 §B.2) whose salt differs per credential, so it cannot be searched. The column
`recipient_key` is therefore HMAC-SHA-256 under a server-side pepper over (organization, kind, normalized
identifier). Keyed, because an unkeyed hash of an email address is reversed by hashing a list of addresses once
for the whole table; per organization, so the same learner cannot be linked across tenants by comparing columns.
A dump without the pepper yields nothing a dictionary attack on each credential's own salted hash would not.
The pepper must stay stable (changing it orphans every stored key); issuer.recipient_lookup derives it from the
master key.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credentials.identity import normalize_identifier as normalize_email
from issuer.errors import Conflict, InvalidInput, NotFound
from issuer.models import (
    CREDENTIAL_FORMATS,
    CREDENTIAL_STATUSES,
    RECIPIENT_KINDS,
    Achievement,
    AchievementVersion,
    Credential,
    CredentialStatusChange,
)
from issuer.repositories.status_lists import Allocation, set_status
from issuer.status_lists import StatusAction, status_transition

MIN_PEPPER_BYTES = 32
MAX_PAGE_SIZE = 1000
_RECIPIENT_KEY_LABEL = b"credstack recipient lookup v1\x00"


@dataclass(frozen=True, slots=True)
class RecipientKey:
    """What `credentials.recipient_kind` / `recipient_key` hold for one recipient."""

    kind: str
    key: str


def recipient_key(kind: str, identifier: str, *, organization_id: uuid.UUID, pepper: bytes) -> RecipientKey:
    """The lookup key of an email address (normalized as OB 3.0 §B.2 IdentityHash inputs are) or a DID."""
    if kind not in RECIPIENT_KINDS:
        raise ValueError(f"recipient kind must be one of {', '.join(RECIPIENT_KINDS)}")
    if len(pepper) < MIN_PEPPER_BYTES:
        raise ValueError(f"the recipient pepper needs at least {MIN_PEPPER_BYTES} bytes")
    value = normalize_email(identifier) if kind == "email" else identifier.strip()
    message = _RECIPIENT_KEY_LABEL + organization_id.bytes + kind.encode("ascii") + b"\x00" + value.encode("utf-8")
    return RecipientKey(kind, hmac.new(pepper, message, hashlib.sha256).hexdigest())


def recipient_kind_of(identifier: str) -> str:
    """How a `recipient=` query value is read: a DID when it starts with `did:`, else an email address."""
    return "did" if identifier.strip().startswith("did:") else "email"


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """The client's Idempotency-Key and the SHA-256 (hex) of the request it came with."""

    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A signed credential ready to store; `document` is the exact text served (JSON or compact JWT)."""

    issuer_id: uuid.UUID
    achievement_version_id: uuid.UUID
    credential_id: str
    format: str
    cryptosuite: str | None
    document: str
    recipient: RecipientKey
    revocation: Allocation
    suspension: Allocation | None
    issued_at: datetime
    idempotency: IdempotencyKey | None = None
    # The row's id, when the caller needs it before storing (the credential's own `id` is `urn:uuid:<row id>`).
    row_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class CredentialFilter:
    """Filters of the credential listing; None means "any"."""

    recipient: RecipientKey | None = None
    achievement_id: uuid.UUID | None = None
    issuer_id: uuid.UUID | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialPage:
    """One page, newest first, and how many credentials match in all."""

    items: list[Credential]
    total: int


def document_digest(document: str) -> str:
    """SHA-256 (hex) of the served bytes: the UTF-8 encoding of the stored text."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def credential_row(new: NewCredential, organization_id: uuid.UUID) -> Credential:
    """The `credentials` row of a new credential of `organization_id`, not yet added to any session."""
    return Credential(
        id=new.row_id if new.row_id is not None else uuid.uuid4(),
        organization_id=organization_id,
        issuer_id=new.issuer_id,
        achievement_version_id=new.achievement_version_id,
        credential_id=new.credential_id,
        format=new.format,
        cryptosuite=new.cryptosuite,
        document=new.document,
        digest=document_digest(new.document),
        recipient_kind=new.recipient.kind,
        recipient_key=new.recipient.key,
        status="active",
        revocation_list_id=new.revocation.list_id,
        revocation_index=new.revocation.index,
        suspension_list_id=new.suspension.list_id if new.suspension else None,
        suspension_index=new.suspension.index if new.suspension else None,
        idempotency_key=new.idempotency.key if new.idempotency else None,
        request_hash=new.idempotency.request_hash if new.idempotency else None,
        issued_at=new.issued_at,
    )


@dataclass(frozen=True, slots=True)
class CredentialRepository:
    """Every query carries the organization filter; another organization's credential is NotFound."""

    session: Session
    organization_id: uuid.UUID

    def _scoped(self) -> Select[Credential]:
        return select(Credential).where(Credential.organization_id == self.organization_id)

    def create(self, new: NewCredential) -> Credential:
        """Store a credential; Conflict when its `id` or idempotency key is already taken.

        After a Conflict the caller rolls its transaction back: the status entries allocated for this credential
        must go back with it, or they would stay consumed without a credential.
        """
        _check_new(new)
        self._check_achievement_version(new.issuer_id, new.achievement_version_id)
        credential = credential_row(new, self.organization_id)
        try:
            with self.session.begin_nested():
                self.session.add(credential)
        except IntegrityError as exc:
            raise Conflict("a credential with this id or idempotency key already exists") from exc
        return credential

    def _check_achievement_version(self, issuer_id: uuid.UUID, version_id: uuid.UUID) -> None:
        """The awarded version is of an achievement of this organization, and of the credential's issuer."""
        owner = self.session.scalar(
            select(Achievement.issuer_id)
            .join(AchievementVersion, AchievementVersion.achievement_id == Achievement.id)
            .where(Achievement.organization_id == self.organization_id, AchievementVersion.id == version_id)
        )
        if owner is None:
            raise NotFound(f"no achievement version {version_id}")
        if owner != issuer_id:
            raise InvalidInput("the achievement belongs to another issuer")

    def get(self, credential_row_id: uuid.UUID) -> Credential:
        credential = self.session.scalar(self._scoped().where(Credential.id == credential_row_id))
        if credential is None:
            raise NotFound(f"no credential {credential_row_id}")
        return credential

    def _locked(self, credential_row_id: uuid.UUID) -> Credential:
        """The row, locked by a no-op write before it is read (see issuer.repositories.status_lists, "Locking")."""
        locked = self.session.execute(
            update(Credential)
            .where(Credential.organization_id == self.organization_id, Credential.id == credential_row_id)
            .values(status=Credential.status)
            .returning(Credential.id)
            .execution_options(synchronize_session=False)
        ).first()
        if locked is None:
            raise NotFound(f"no credential {credential_row_id}")
        query = self._scoped().where(Credential.id == credential_row_id)
        return self.session.scalars(query.execution_options(populate_existing=True)).one()

    def find_by_credential_id(self, credential_id: str) -> Credential | None:
        """By the `id` inside the credential."""
        return self.session.scalar(self._scoped().where(Credential.credential_id == credential_id))

    def find_by_idempotency_key(self, key: str) -> Credential | None:
        return self.session.scalar(self._scoped().where(Credential.idempotency_key == key))

    def search(self, filters: CredentialFilter, *, limit: int, offset: int = 0) -> CredentialPage:
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
            raise InvalidInput(f"limit must be 1..{MAX_PAGE_SIZE} and offset at least 0")
        query = self._filtered(filters)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        page = query.order_by(Credential.issued_at.desc(), Credential.id.desc()).limit(limit).offset(offset)
        return CredentialPage(items=list(self.session.scalars(page)), total=total)

    def _filtered(self, filters: CredentialFilter) -> Select[Credential]:
        query = self._scoped()
        if filters.recipient is not None:
            query = query.where(
                Credential.recipient_kind == filters.recipient.kind, Credential.recipient_key == filters.recipient.key
            )
        if filters.achievement_id is not None:
            versions = select(AchievementVersion.id).where(AchievementVersion.achievement_id == filters.achievement_id)
            query = query.where(Credential.achievement_version_id.in_(versions))
        if filters.issuer_id is not None:
            query = query.where(Credential.issuer_id == filters.issuer_id)
        if filters.status is not None:
            if filters.status not in CREDENTIAL_STATUSES:
                raise InvalidInput(f"status must be one of {', '.join(CREDENTIAL_STATUSES)}")
            query = query.where(Credential.status == filters.status)
        return query

    def change_status(
        self, credential_row_id: uuid.UUID, action: StatusAction, *, actor: str, reason: str | None, now: datetime
    ) -> Credential:
        """Bitstring Status List v1.0 §2.1 statusPurpose: revoke (final), suspend or reinstate, with its history.

        The credential row is locked before its status is read, so two concurrent changes cannot both pass the
        rules (say, a reinstatement undoing the suspension bit of a credential revoked meanwhile).
        """
        credential = self._locked(credential_row_id)
        transition = status_transition(credential.status, action)
        set_status(self.session, credential, transition.purpose, transition.value, now=now)
        credential.status = transition.to_status
        credential.reason = reason
        if transition.to_status == "revoked":
            credential.revoked_at = now
        self.session.add(
            CredentialStatusChange(
                organization_id=self.organization_id,
                credential_id=credential.id,
                action=transition.action.value,
                from_status=transition.from_status,
                to_status=transition.to_status,
                actor=actor,
                reason=reason,
                at=now,
            )
        )
        self.session.flush()
        return credential

    def status_changes(self, credential_row_id: uuid.UUID) -> list[CredentialStatusChange]:
        """Oldest first."""
        credential = self.get(credential_row_id)
        query = (
            select(CredentialStatusChange)
            .where(CredentialStatusChange.credential_id == credential.id)
            .order_by(CredentialStatusChange.at, CredentialStatusChange.id)
        )
        return list(self.session.scalars(query))


def _check_new(new: NewCredential) -> None:
    """Caller bugs, not input: the API models already restrict these values."""
    if new.format not in CREDENTIAL_FORMATS:
        raise ValueError(f"format must be one of {', '.join(CREDENTIAL_FORMATS)}")
    if new.revocation.purpose != "revocation":
        raise ValueError("the revocation entry must come from a revocation list")
    if new.suspension is not None and new.suspension.purpose != "suspension":
        raise ValueError("the suspension entry must come from a suspension list")
