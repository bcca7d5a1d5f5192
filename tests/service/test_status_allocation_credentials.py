"""OB 3.0 §B.1 issued credentials: stored verbatim with their status entries, unique, listed, isolated per organization.

Status changes are in tests/service/test_status_allocation_changes.py.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Hashable
from dataclasses import dataclass

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from issuer.errors import Conflict, InvalidInput, NotFound
from issuer.models import Credential
from issuer.repositories.credentials import (
    CredentialFilter,
    CredentialRepository,
    IdempotencyKey,
    recipient_key,
    recipient_kind_of,
)
from issuer.repositories.status_lists import StatusListRepository
from issuer.status_lists import StatusAction
from support.clock import FakeClock
from support.status_lists import (
    PEPPER,
    IssuerSetup,
    email_recipient,
    issue,
    issuer_with_achievement,
    new_credential,
)
from support.tenancy import Tenant, Tenants, assert_isolated


@pytest.fixture
def issuer(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> IssuerSetup:
    return issuer_with_achievement(sessions, tenants.a.organization_id, now=clock(), suspension=True)


def test_the_document_is_stored_verbatim_with_its_digest(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        credential = issue(session, issuer, now=clock())
        session.commit()
        document, row_id = credential.document, credential.id
    with sessions() as session:
        stored = CredentialRepository(session, issuer.organization_id).get(row_id)
        assert stored.document == document and "Ünïcødé ✓" in stored.document and "\n" in stored.document
        assert stored.digest == hashlib.sha256(document.encode("utf-8")).hexdigest()
        assert (stored.status, stored.revoked_at, stored.reason, stored.issued_at) == ("active", None, None, clock())
        assert (stored.format, stored.cryptosuite, stored.recipient_kind) == ("ldp", "eddsa-rdfc-2022", "email")
        assert stored.suspension_list_id is not None and stored.suspension_index is not None
        repository = CredentialRepository(session, issuer.organization_id)
        assert repository.find_by_credential_id(stored.credential_id) is stored
        assert repository.find_by_credential_id("urn:uuid:unknown") is None


def test_credential_ids_and_idempotency_keys_are_unique(
    sessions: sessionmaker[Session], issuer: IssuerSetup, tenants: Tenants, clock: FakeClock
) -> None:
    key = IdempotencyKey("order-42", "0" * 64)
    other_org = issuer_with_achievement(sessions, tenants.b.organization_id, now=clock())
    with sessions() as session:
        first = issue(session, issuer, now=clock(), idempotency=key)
        session.commit()
    with sessions() as session, pytest.raises(Conflict):
        issue(session, issuer, now=clock(), credential_id=first.credential_id)
    with sessions() as session, pytest.raises(Conflict):
        issue(session, issuer, now=clock(), idempotency=key)
    with sessions() as session:
        # The same key in another organization is another key.
        issue(session, other_org, now=clock(), suspension=False, idempotency=key)
        session.commit()
        replayed = CredentialRepository(session, issuer.organization_id).find_by_idempotency_key("order-42")
        assert replayed is not None and replayed.id == first.id
        assert CredentialRepository(session, issuer.organization_id).find_by_idempotency_key("order-43") is None


def test_the_database_refuses_a_reused_index(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    """The last line of defence, whatever the allocator does: unique (list, index)."""
    with sessions() as session:
        first = issue(session, issuer, now=clock(), suspension=False)
        session.commit()
    with sessions() as session:
        allocation = StatusListRepository(session, issuer.organization_id).allocate(
            issuer.issuer_id, "revocation", now=clock()
        )
        duplicate = new_credential(issuer, allocation, now=clock())
        session.add(
            Credential(
                organization_id=issuer.organization_id,
                issuer_id=issuer.issuer_id,
                achievement_version_id=issuer.version_id,
                credential_id=duplicate.credential_id,
                format="jwt",
                cryptosuite=None,
                document="eyJ...",
                digest="0" * 64,
                recipient_kind="did",
                recipient_key="0" * 64,
                status="active",
                revocation_list_id=first.revocation_list_id,
                revocation_index=first.revocation_index,
                issued_at=clock(),
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()


def test_the_achievement_version_must_be_the_organizations_and_the_issuers(
    sessions: sessionmaker[Session], issuer: IssuerSetup, tenants: Tenants, clock: FakeClock
) -> None:
    foreign = issuer_with_achievement(sessions, tenants.b.organization_id, now=clock())
    sibling = issuer_with_achievement(sessions, tenants.a.organization_id, now=clock())
    with sessions() as session, pytest.raises(NotFound):
        issue(session, issuer, now=clock(), version_id=foreign.version_id)
    with sessions() as session, pytest.raises(InvalidInput):
        issue(session, issuer, now=clock(), version_id=sibling.version_id)


def test_recipient_keys() -> None:
    org, other_org = uuid.uuid4(), uuid.uuid4()
    email = recipient_key("email", " Learner@Example.EDU ", organization_id=org, pepper=PEPPER)
    assert email == recipient_key("email", "learner@example.edu", organization_id=org, pepper=PEPPER)
    assert email.kind == "email" and len(email.key) == 64
    assert email != recipient_key("email", "learner@example.edu", organization_id=other_org, pepper=PEPPER)
    assert email != recipient_key("email", "learner@example.edu", organization_id=org, pepper=PEPPER[::-1])
    assert email.key != hashlib.sha256(b"learner@example.edu").hexdigest()
    did = recipient_key("did", "did:example:Learner", organization_id=org, pepper=PEPPER)
    assert did != recipient_key("did", "did:example:learner", organization_id=org, pepper=PEPPER)
    assert (recipient_kind_of(" did:key:z6Mk"), recipient_kind_of("did@example.edu")) == ("did", "email")
    with pytest.raises(ValueError):
        recipient_key("email", "x@y", organization_id=org, pepper=b"short")
    with pytest.raises(ValueError):
        recipient_key("phone", "+1", organization_id=org, pepper=PEPPER)


def test_search_filters_and_pages(
    sessions: sessionmaker[Session], issuer: IssuerSetup, tenants: Tenants, clock: FakeClock
) -> None:
    second_issuer = issuer_with_achievement(sessions, tenants.a.organization_id, now=clock())
    ada = email_recipient(issuer, "ada@example.edu")
    did = recipient_key("did", "did:example:bob", organization_id=issuer.organization_id, pepper=PEPPER)
    with sessions() as session:
        ids = []
        for recipient, setup in ((ada, issuer), (did, issuer), (ada, second_issuer), (ada, issuer)):
            clock.advance(minutes=1)
            ids.append(issue(session, setup, now=clock(), suspension=setup is issuer, recipient=recipient).id)
        repository = CredentialRepository(session, issuer.organization_id)
        repository.change_status(ids[3], StatusAction.REVOKE, actor="cli", reason=None, now=clock())
        session.commit()

    def found(limit: int = 10, offset: int = 0, **filters: object) -> tuple[list[uuid.UUID], int]:
        with sessions() as session:
            page = CredentialRepository(session, issuer.organization_id).search(
                CredentialFilter(**filters),  # type: ignore[arg-type]
                limit=limit,
                offset=offset,
            )
            return [c.id for c in page.items], page.total

    newest_first = ids[::-1]
    assert found() == (newest_first, 4)
    assert found(recipient=email_recipient(issuer, " ADA@example.edu")) == ([ids[3], ids[2], ids[0]], 3)
    assert found(recipient=did) == ([ids[1]], 1)
    assert found(issuer_id=second_issuer.issuer_id) == ([ids[2]], 1)
    assert found(achievement_id=issuer.achievement_id) == ([ids[3], ids[1], ids[0]], 3)
    assert found(status="revoked") == ([ids[3]], 1)
    assert found(status="active", recipient=ada) == ([ids[2], ids[0]], 2)
    assert found(limit=2) == (newest_first[:2], 4)
    assert found(limit=2, offset=2) == (newest_first[2:], 4)
    assert found(limit=2, offset=4) == ([], 4)
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"status": "deleted"}):
        with pytest.raises(InvalidInput):
            found(**bad)


@dataclass
class CredentialProbe:
    """tests/support/tenancy.TenancyProbe over the credentials repository; the change is a suspension."""

    sessions: sessionmaker[Session]
    now: FakeClock

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        with self.sessions() as session:
            assert isinstance(row_id, uuid.UUID)
            try:
                credential = CredentialRepository(session, tenant.organization_id).get(row_id)
            except NotFound:
                return None
            return (credential.status, credential.document)

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        with self.sessions() as session:
            page = CredentialRepository(session, tenant.organization_id).search(CredentialFilter(), limit=100)
            return {credential.id for credential in page.items}

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        with self.sessions() as session:
            repository = CredentialRepository(session, tenant.organization_id)
            assert isinstance(row_id, uuid.UUID)
            try:
                repository.change_status(row_id, StatusAction.SUSPEND, actor="t", reason=None, now=self.now())
            except NotFound:
                return False
            session.commit()
            return True


def test_credentials_are_isolated_between_organizations(
    sessions: sessionmaker[Session], issuer: IssuerSetup, tenants: Tenants, clock: FakeClock
) -> None:
    with sessions() as session:
        row_id = issue(session, issuer, now=clock()).id
        session.commit()
    assert_isolated(CredentialProbe(sessions, clock), owner=tenants.a, intruder=tenants.b, row_id=row_id)
    with sessions() as session:
        assert (
            CredentialRepository(session, tenants.b.organization_id).find_by_credential_id(
                CredentialRepository(session, tenants.a.organization_id).get(row_id).credential_id
            )
            is None
        )
        with pytest.raises(NotFound):
            CredentialRepository(session, tenants.b.organization_id).status_changes(row_id)
