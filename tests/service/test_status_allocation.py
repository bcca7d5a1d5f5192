"""Status list index allocation (Bitstring Status List v1.0 §2.1 statusListIndex) on SQLite and PostgreSQL.

One transaction at a time here; tests/service/test_status_allocation_concurrency.py runs them side by side.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from issuer.errors import NotFound
from issuer.models import StatusList
from issuer.repositories.status_lists import StatusListRepository
from issuer.status_lists import PERMUTATION_KEY_BYTES, STATUS_LIST_LENGTH, permute_position
from support.clock import FakeClock
from support.status_lists import IssuerSetup, issuer_with_achievement
from support.tenancy import Tenants


@pytest.fixture
def issuer(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> IssuerSetup:
    return issuer_with_achievement(sessions, tenants.a.organization_id, now=clock())


def repository(session: Session, issuer: IssuerSetup) -> StatusListRepository:
    return StatusListRepository(session, issuer.organization_id)


def lists(sessions: sessionmaker[Session]) -> list[StatusList]:
    with sessions() as session:
        return list(session.scalars(select(StatusList).order_by(StatusList.purpose, StatusList.sequence)))


def test_first_allocation_creates_the_issuers_list(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        allocation = repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        session.commit()
    [row] = lists(sessions)
    assert (row.issuer_id, row.organization_id, row.purpose, row.sequence) == (
        issuer.issuer_id,
        issuer.organization_id,
        "revocation",
        1,
    )
    assert (row.length, row.allocated, row.version) == (STATUS_LIST_LENGTH, 1, 0)
    assert row.bits == bytes(STATUS_LIST_LENGTH // 8)
    assert len(row.permutation_key) == PERMUTATION_KEY_BYTES
    assert (row.signed_credential, row.signed_etag) == (None, None)
    assert (row.created_at, row.updated_at) == (clock(), clock())
    assert (allocation.list_id, allocation.purpose, allocation.position) == (row.id, "revocation", 1)
    assert allocation.index == permute_position(0, key=row.permutation_key, length=STATUS_LIST_LENGTH)


def test_indices_follow_the_counter_through_the_permutation(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        allocations = [
            repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock()) for _ in range(200)
        ]
        session.commit()
    [row] = lists(sessions)
    assert [a.position for a in allocations] == list(range(1, 201))
    assert [a.index for a in allocations] == [
        permute_position(p, key=row.permutation_key, length=row.length) for p in range(200)
    ]
    assert len({a.index for a in allocations}) == 200
    assert row.allocated == 200


def test_a_rollback_gives_the_position_back(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    """The counter lives in the caller's transaction: a failed issuance consumes no index."""
    with sessions() as session:
        for _ in range(3):
            repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        session.commit()
    with sessions() as session:
        abandoned = repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        session.rollback()
    with sessions() as session:
        reused = repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        session.commit()
    assert abandoned.position == reused.position == 4
    assert abandoned.index == reused.index
    assert lists(sessions)[0].allocated == 4


def test_a_rollback_of_the_first_allocation_leaves_no_list(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        session.rollback()
    assert lists(sessions) == []


def test_a_full_list_is_followed_by_a_new_one(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        first = repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        session.execute(update(StatusList).values(allocated=STATUS_LIST_LENGTH - 1))
        session.commit()
    with sessions() as session:
        last = repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        spill = repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        current = repository(session, issuer).current(issuer.issuer_id, "revocation")
        session.commit()
    full, second = lists(sessions)
    assert (last.list_id, last.position) == (first.list_id, STATUS_LIST_LENGTH)
    assert full.allocated == full.length
    assert (spill.list_id, spill.position, second.sequence, second.allocated) == (second.id, 1, 2, 1)
    assert current is not None and current.id == second.id
    assert second.permutation_key != full.permutation_key


def test_ensure_current_creates_the_list_once(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        owner = repository(session, issuer)
        assert owner.current(issuer.issuer_id, "suspension") is None
        created = owner.ensure_current(issuer.issuer_id, "suspension", now=clock())
        assert owner.ensure_current(issuer.issuer_id, "suspension", now=clock()).id == created.id
        assert owner.allocate(issuer.issuer_id, "suspension", now=clock()).list_id == created.id
        session.execute(update(StatusList).values(allocated=STATUS_LIST_LENGTH))
        following = owner.ensure_current(issuer.issuer_id, "suspension", now=clock())
        session.commit()
    assert (created.sequence, following.sequence, following.allocated) == (1, 2, 0)
    with sessions() as session, pytest.raises(NotFound):
        StatusListRepository(session, issuer.organization_id).ensure_current(uuid.uuid4(), "revocation", now=clock())


def test_purposes_and_issuers_have_their_own_lists(
    sessions: sessionmaker[Session], issuer: IssuerSetup, tenants: Tenants, clock: FakeClock
) -> None:
    other = issuer_with_achievement(sessions, tenants.a.organization_id, now=clock())
    with sessions() as session:
        allocations = [
            repository(session, setup).allocate(setup.issuer_id, purpose, now=clock())
            for setup in (issuer, other)
            for purpose in ("revocation", "suspension")
        ]
        session.commit()
    assert len({a.list_id for a in allocations}) == 4
    assert {(row.issuer_id, row.purpose, row.sequence, row.allocated) for row in lists(sessions)} == {
        (setup.issuer_id, purpose, 1, 1) for setup in (issuer, other) for purpose in ("revocation", "suspension")
    }


def test_another_organizations_issuer_is_not_found(
    sessions: sessionmaker[Session], issuer: IssuerSetup, tenants: Tenants, clock: FakeClock
) -> None:
    with sessions() as session:
        intruder = StatusListRepository(session, tenants.b.organization_id)
        with pytest.raises(NotFound):
            intruder.allocate(issuer.issuer_id, "revocation", now=clock())
        assert intruder.current(issuer.issuer_id, "revocation") is None
        allocation = repository(session, issuer).allocate(issuer.issuer_id, "revocation", now=clock())
        session.commit()
    with sessions() as session:
        with pytest.raises(NotFound):
            StatusListRepository(session, tenants.b.organization_id).get(allocation.list_id)
        # Once the owner has a list, the intruder's allocation still cannot reach it.
        with pytest.raises(NotFound):
            StatusListRepository(session, tenants.b.organization_id).allocate(
                issuer.issuer_id, "revocation", now=clock()
            )
        assert session.scalar(select(func.count()).select_from(StatusList)) == 1
        assert repository(session, issuer).get(allocation.list_id).allocated == 1


def test_unknown_purpose_is_a_caller_bug(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session, pytest.raises(ValueError):
        repository(session, issuer).allocate(issuer.issuer_id, "message", now=clock())
