"""Reserving several status list entries at once (StatusListRepository.reserve) and handing them out per process
(issuer.vcapi.allocation_pool), on SQLite and PostgreSQL: the same indices the counter gives one by one, lists
still filled to the last entry, and no entry handed out twice, also by concurrent threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from issuer.models import Issuer, StatusList
from issuer.repositories.status_lists import StatusListRepository
from issuer.status_lists import STATUS_LIST_LENGTH, permute_position
from issuer.vcapi.allocation_pool import AllocationPool
from support.clock import FakeClock
from support.status_lists import IssuerSetup, issuer_with_achievement
from support.tenancy import Tenants


@pytest.fixture
def issuer(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> IssuerSetup:
    return issuer_with_achievement(sessions, tenants.a.organization_id, now=clock())


def _issuer_row(sessions: sessionmaker[Session], setup: IssuerSetup) -> Issuer:
    with sessions() as session:
        row = session.get(Issuer, setup.issuer_id)
        assert row is not None
        return row


def test_a_reservation_is_consecutive_positions(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        repository = StatusListRepository(session, issuer.organization_id)
        first = repository.reserve(issuer.issuer_id, "revocation", 5, now=clock())
        second = repository.reserve(issuer.issuer_id, "revocation", 3, now=clock())
        session.commit()
        row = session.scalars(select(StatusList)).one()
    assert [a.position for a in first + second] == list(range(1, 9))
    assert [a.index for a in first + second] == [
        permute_position(p, key=row.permutation_key, length=row.length) for p in range(8)
    ]
    assert row.allocated == 8


def test_the_end_of_a_list_is_taken_one_by_one_then_a_new_list(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    with sessions() as session:
        StatusListRepository(session, issuer.organization_id).allocate(issuer.issuer_id, "revocation", now=clock())
        session.execute(update(StatusList).values(allocated=STATUS_LIST_LENGTH - 2))
        session.commit()
    with sessions() as session:
        repository = StatusListRepository(session, issuer.organization_id)
        taken = [repository.reserve(issuer.issuer_id, "revocation", 4, now=clock()) for _ in range(3)]
        session.commit()
        rows = list(session.scalars(select(StatusList).order_by(StatusList.sequence)))
    assert [len(batch) for batch in taken] == [1, 1, 4]
    assert [a.position for batch in taken for a in batch] == [STATUS_LIST_LENGTH - 1, STATUS_LIST_LENGTH, 1, 2, 3, 4]
    assert [(r.sequence, r.allocated) for r in rows] == [(1, STATUS_LIST_LENGTH), (2, 4)]


def test_the_pool_hands_out_each_reserved_entry_once(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    row, pool = _issuer_row(sessions, issuer), AllocationPool(batch=4)
    taken = [pool.take(sessions, row, ("revocation", "suspension"), now=clock()) for _ in range(10)]
    revocations = [t["revocation"] for t in taken]
    assert [a.position for a in revocations] == list(range(1, 11))
    assert len({(a.list_id, a.index) for t in taken for a in t.values()}) == 20
    with sessions() as session:
        allocated = {r.purpose: r.allocated for r in session.scalars(select(StatusList))}
    assert allocated == {"revocation": 12, "suspension": 12}, "three reservations of 4 per purpose"


def test_concurrent_takers_never_share_an_entry(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock
) -> None:
    row, pool = _issuer_row(sessions, issuer), AllocationPool(batch=3)
    barrier = threading.Barrier(4)

    def take_many(_: int) -> list[tuple[object, int]]:
        barrier.wait()
        return [
            (a.list_id, a.index)
            for _ in range(15)
            for a in pool.take(sessions, row, ("revocation",), now=clock()).values()
        ]

    with ThreadPoolExecutor(4) as executor:
        taken = [entry for batch in executor.map(take_many, range(4)) for entry in batch]
    assert len(taken) == len(set(taken)) == 60


def test_a_batch_must_be_positive() -> None:
    with pytest.raises(ValueError):
        AllocationPool(batch=0)
