"""OB 3.0 §B.1 AchievementCredentials as the API shows them: listing, one credential, and status changes.

Reads and writes are the caller's organization's only (another organization's credential is NotFound). A status
change (Bitstring Status List v1.0 §2.1 statusPurpose: revocation is final, suspension reversible) flips the bit,
records who (the API client), when and why in the credential's status history and in the audit log, and commits
before it returns: once the call has answered, the listing and the served status list show the new status.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.errors import Conflict
from issuer.keystore import MasterKey
from issuer.models import AchievementVersion, Credential, CredentialStatusChange
from issuer.principal import Principal
from issuer.recipient_lookup import key_of_query
from issuer.repositories.audit import record_audit
from issuer.repositories.credentials import CredentialFilter, CredentialRepository
from issuer.status_lists import StatusAction


class SuspensionNotEnabled(Conflict):
    """The credential has no suspension entry: its issuer had not opted in to suspension when it was issued."""

    code = "SUSPENSION_NOT_ENABLED"
    title = "The credential cannot be suspended"


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """A stored credential with the achievement (uuid and version number) it awards."""

    row: Credential
    achievement_id: uuid.UUID
    achievement_version: int


@dataclass(frozen=True, slots=True)
class CredentialListing:
    records: list[CredentialRecord]
    total: int


@dataclass(frozen=True, slots=True)
class ListQuery:
    """`GET /api/v1/credentials` filters (None: any) and page."""

    recipient: str | None = None
    achievement_id: uuid.UUID | None = None
    issuer_id: uuid.UUID | None = None
    status: str | None = None
    limit: int = 50
    offset: int = 0


def _records(session: Session, rows: Iterable[Credential]) -> list[CredentialRecord]:
    rows = list(rows)
    version_ids = {row.achievement_version_id for row in rows}
    versions = {
        version_id: (achievement_id, number)
        for version_id, achievement_id, number in session.execute(
            select(AchievementVersion.id, AchievementVersion.achievement_id, AchievementVersion.version).where(
                AchievementVersion.id.in_(version_ids)
            )
        )
    }
    return [CredentialRecord(row, *versions[row.achievement_version_id]) for row in rows]


def list_credentials(
    session: Session, organization_id: uuid.UUID, query: ListQuery, *, master: MasterKey
) -> CredentialListing:
    """The organization's credentials, newest first; `recipient` (an email address or a DID) via its lookup key."""
    recipient = (
        key_of_query(query.recipient, organization_id=organization_id, master=master)
        if query.recipient is not None
        else None
    )
    filters = CredentialFilter(
        recipient=recipient, achievement_id=query.achievement_id, issuer_id=query.issuer_id, status=query.status
    )
    page = CredentialRepository(session, organization_id).search(filters, limit=query.limit, offset=query.offset)
    return CredentialListing(_records(session, page.items), page.total)


def credential_record(session: Session, organization_id: uuid.UUID, row_id: uuid.UUID) -> CredentialRecord:
    """One of the organization's credentials (NotFound for anyone else's)."""
    return _records(session, [CredentialRepository(session, organization_id).get(row_id)])[0]


def status_history(session: Session, organization_id: uuid.UUID, row_id: uuid.UUID) -> list[CredentialStatusChange]:
    """Every revoke / suspend / reinstate of the credential, oldest first."""
    return CredentialRepository(session, organization_id).status_changes(row_id)


def change_status(
    session: Session,
    principal: Principal,
    row_id: uuid.UUID,
    action: StatusAction,
    *,
    reason: str | None,
    now: datetime,
) -> CredentialRecord:
    """Bitstring Status List v1.0 §2.1: revoke (final), suspend or reinstate; history and audit entry; committed.

    StatusChangeRefused (409) when the current status does not allow the action, SuspensionNotEnabled (409) for
    suspending or reinstating a credential issued without a suspension entry.
    """
    repository = CredentialRepository(session, principal.organization_id)
    credential = repository.get(row_id)
    if action is not StatusAction.REVOKE and credential.suspension_list_id is None:
        raise SuspensionNotEnabled(
            "the credential was issued without a suspension status entry (its issuer had not enabled suspension); "
            "it can only be revoked"
        )
    changed = repository.change_status(credential.id, action, actor=principal.actor, reason=reason, now=now)
    record_audit(
        session,
        organization_id=principal.organization_id,
        actor=principal.actor,
        action=f"credential.{action.value}",
        subject=f"credential:{changed.id}",
        at=now,
        reason=reason,
    )
    session.commit()
    return _records(session, [changed])[0]
