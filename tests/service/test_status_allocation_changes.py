"""Bitstring Status List v1.0 §2.1 statusPurpose: revoke (final), suspend and reinstate flip exactly the credential's
bit in its list, bump the list's version, drop its signed copy and leave a history of who, when and why.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from issuer.errors import Conflict, NotFound
from issuer.repositories.credentials import CredentialRepository
from issuer.repositories.status_lists import StatusListRepository
from issuer.status_lists import StatusAction, StatusChangeRefused
from support.clock import FakeClock
from support.status_lists import IssuerSetup, bit, issue, issuer_with_achievement, run_concurrently
from support.tenancy import Tenants


@pytest.fixture
def issuer(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> IssuerSetup:
    return issuer_with_achievement(sessions, tenants.a.organization_id, now=clock(), suspension=True)


def test_suspend_reinstate_revoke(sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock) -> None:
    with sessions() as session:
        credential = issue(session, issuer, now=clock())
        other = issue(session, issuer, now=clock())
        session.commit()
    steps = [
        (StatusAction.SUSPEND, "suspended", (0, 1)),
        (StatusAction.REINSTATE, "active", (0, 0)),
        (StatusAction.SUSPEND, "suspended", (0, 1)),
        (StatusAction.REVOKE, "revoked", (1, 1)),  # a suspended credential may be revoked; revoked wins
    ]
    for action, status, (revoked_bit, suspended_bit) in steps:
        clock.advance(seconds=1)
        with sessions() as session:
            repository = CredentialRepository(session, issuer.organization_id)
            changed = repository.change_status(
                credential.id, action, actor="client:abc", reason=action.value, now=clock()
            )
            session.commit()
            assert (changed.status, changed.reason) == (status, action.value)
            assert bit(session, changed.revocation_list_id, changed.revocation_index) == revoked_bit
            assert bit(session, changed.suspension_list_id, changed.suspension_index) == suspended_bit
            assert bit(session, other.revocation_list_id, other.revocation_index) == 0
            assert bit(session, other.suspension_list_id, other.suspension_index) == 0
    with sessions() as session:
        repository = CredentialRepository(session, issuer.organization_id)
        assert repository.get(credential.id).revoked_at == clock()
        history = repository.status_changes(credential.id)
        assert [(h.action, h.from_status, h.to_status, h.actor, h.reason) for h in history] == [
            ("suspend", "active", "suspended", "client:abc", "suspend"),
            ("reinstate", "suspended", "active", "client:abc", "reinstate"),
            ("suspend", "active", "suspended", "client:abc", "suspend"),
            ("revoke", "suspended", "revoked", "client:abc", "revoke"),
        ]
        assert [h.at for h in history] == [clock() - timedelta(seconds=n) for n in (3, 2, 1, 0)]
        for action in StatusAction:
            with pytest.raises(StatusChangeRefused, match="final"):
                repository.change_status(credential.id, action, actor="cli", reason=None, now=clock())
        with pytest.raises(NotFound):
            repository.change_status(uuid.uuid4(), StatusAction.REVOKE, actor="cli", reason=None, now=clock())


def test_a_status_change_bumps_the_list_version_and_drops_the_signed_copy(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        credential = issue(session, issuer, now=clock())
        lists = StatusListRepository(session, issuer.organization_id)
        assert lists.cache_signed(credential.revocation_list_id, version=0, signed_credential="{}", now=clock())
        session.commit()
    list_id = credential.revocation_list_id

    def cached() -> tuple[int, str | None, str | None]:
        with sessions() as session:
            row = StatusListRepository(session, issuer.organization_id).get(list_id)
            return row.version, row.signed_credential, row.signed_etag

    assert cached() == (0, "{}", hashlib.sha256(b"{}").hexdigest())
    with sessions() as session:
        CredentialRepository(session, issuer.organization_id).change_status(
            credential.id, StatusAction.REVOKE, actor="cli", reason="fraud", now=clock()
        )
        session.commit()
    assert cached() == (1, None, None)
    with sessions() as session:
        lists = StatusListRepository(session, issuer.organization_id)
        # A copy signed before the change must not be cached over the new state.
        assert not lists.cache_signed(list_id, version=0, signed_credential="stale", now=clock())
        assert lists.cache_signed(list_id, version=1, signed_credential="fresh", now=clock())
        session.commit()
    assert cached() == (1, "fresh", hashlib.sha256(b"fresh").hexdigest())


def test_suspending_needs_a_suspension_entry(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        credential = issue(session, issuer, now=clock(), suspension=False)
        with pytest.raises(Conflict, match="without a suspension"):
            CredentialRepository(session, issuer.organization_id).change_status(
                credential.id, StatusAction.SUSPEND, actor="cli", reason=None, now=clock()
            )


def test_concurrent_status_changes_in_one_list_lose_no_bit(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    """Each change rewrites the whole bitstring: without the lock, concurrent revocations would undo each other."""
    with sessions() as session:
        credentials = [issue(session, issuer, now=clock(), suspension=False) for _ in range(12)]
        session.commit()

    def revoke(worker: int) -> bool:
        for credential in credentials[worker::4]:
            with sessions() as session:
                CredentialRepository(session, issuer.organization_id).change_status(
                    credential.id, StatusAction.REVOKE, actor=f"worker-{worker}", reason=None, now=clock()
                )
                session.commit()
        return True

    run_concurrently(4, revoke)
    with sessions() as session:
        assert all(bit(session, c.revocation_list_id, c.revocation_index) == 1 for c in credentials)
        row = StatusListRepository(session, issuer.organization_id).get(credentials[0].revocation_list_id)
        assert row.version == len(credentials)
        assert sum(bin(byte).count("1") for byte in row.bits) == len(credentials)
