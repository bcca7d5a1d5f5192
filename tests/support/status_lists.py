"""Rows the status list and credential tests build on: an issuer with one achievement version, and new credentials.

Rows are inserted through the models directly, so these tests depend on the schema only, not on the issuer and
achievement services.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from credentials.status.bitstring import StatusList as Bitstring
from issuer.models import Achievement, AchievementVersion, Credential, Issuer, StatusList
from issuer.repositories.credentials import (
    CredentialRepository,
    IdempotencyKey,
    NewCredential,
    RecipientKey,
    recipient_key,
)
from issuer.repositories.status_lists import Allocation, StatusListRepository

PEPPER = bytes(range(32))
T = TypeVar("T")


@dataclass(frozen=True)
class IssuerSetup:
    organization_id: uuid.UUID
    issuer_id: uuid.UUID
    achievement_id: uuid.UUID
    version_id: uuid.UUID
    did: str


def issuer_with_achievement(
    sessions: sessionmaker[Session], organization_id: uuid.UUID, *, now: datetime, suspension: bool = False
) -> IssuerSetup:
    did = f"did:web:issuer.example:{uuid.uuid4().hex}"
    with sessions() as session:
        issuer = Issuer(
            organization_id=organization_id,
            did=did,
            did_method="web",
            profile={"id": did, "type": ["Profile"], "name": "Example University"},
            suspension_enabled=suspension,
            created_at=now,
        )
        session.add(issuer)
        session.flush()
        achievement = Achievement(
            organization_id=organization_id, issuer_id=issuer.id, current_version=1, created_at=now
        )
        session.add(achievement)
        session.flush()
        version = AchievementVersion(
            achievement_id=achievement.id, version=1, document={"type": ["Achievement"], "name": "A"}, created_at=now
        )
        session.add(version)
        session.commit()
        return IssuerSetup(organization_id, issuer.id, achievement.id, version.id, did)


def email_recipient(setup: IssuerSetup, email: str) -> RecipientKey:
    return recipient_key("email", email, organization_id=setup.organization_id, pepper=PEPPER)


def new_credential(
    setup: IssuerSetup,
    revocation: Allocation,
    *,
    now: datetime,
    suspension: Allocation | None = None,
    recipient: RecipientKey | None = None,
    idempotency: IdempotencyKey | None = None,
    credential_id: str | None = None,
    version_id: uuid.UUID | None = None,
) -> NewCredential:
    """A stand-in signed credential: JSON text with non-ASCII and odd spacing, to show it is stored verbatim."""
    credential_id = credential_id or f"urn:uuid:{uuid.uuid4()}"
    document = json.dumps({"id": credential_id, "name": "Ünïcødé ✓", "n": 1.0}, ensure_ascii=False, indent=1)
    return NewCredential(
        issuer_id=setup.issuer_id,
        achievement_version_id=version_id or setup.version_id,
        credential_id=credential_id,
        format="ldp",
        cryptosuite="eddsa-rdfc-2022",
        document=document,
        recipient=recipient or email_recipient(setup, "learner@example.edu"),
        revocation=revocation,
        suspension=suspension,
        issued_at=now,
        idempotency=idempotency,
    )


def issue(
    session: Session,
    setup: IssuerSetup,
    *,
    now: datetime,
    suspension: bool = True,
    recipient: RecipientKey | None = None,
    idempotency: IdempotencyKey | None = None,
    credential_id: str | None = None,
    version_id: uuid.UUID | None = None,
) -> Credential:
    """Allocate the status entries and store a credential, in the caller's transaction (uncommitted)."""
    lists = StatusListRepository(session, setup.organization_id)
    revocation = lists.allocate(setup.issuer_id, "revocation", now=now)
    suspended = lists.allocate(setup.issuer_id, "suspension", now=now) if suspension else None
    new = new_credential(
        setup,
        revocation,
        now=now,
        suspension=suspended,
        recipient=recipient,
        idempotency=idempotency,
        credential_id=credential_id,
        version_id=version_id,
    )
    return CredentialRepository(session, setup.organization_id).create(new)


def bit(session: Session, list_id: uuid.UUID | None, index: int | None) -> int:
    """The stored bit, read from the database rather than from the session's copy of the row."""
    assert list_id is not None and index is not None
    query = select(StatusList).where(StatusList.id == list_id).execution_options(populate_existing=True)
    return Bitstring(session.scalars(query).one().bits).get(index)


def run_concurrently(workers: int, work: Callable[[int], T]) -> list[T]:
    """Run `work(worker_number)` on `workers` threads released together; re-raise the first failure."""
    barrier = threading.Barrier(workers)
    results: list[T | None] = [None] * workers
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait()
            results[number] = work(number)
        except BaseException as exc:  # collected and re-raised in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return [result for result in results if result is not None]


def flatten(groups: Sequence[Sequence[T]]) -> list[T]:
    return [item for group in groups for item in group]
