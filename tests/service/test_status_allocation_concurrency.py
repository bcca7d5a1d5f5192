"""Concurrent issuers: status list indices stay unique across threads and processes, on SQLite and PostgreSQL.

Every worker has its own connection, as separate worker processes or app instances would. Each issuance is one
short transaction that allocates and stores a credential, which is what the credentials' unique (list, index)
constraints check as well; the assertions below check the allocations themselves.
"""

from __future__ import annotations

import multiprocessing
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from issuer.db import create_database_engine, session_factory
from issuer.models import Credential, StatusList
from issuer.repositories.credentials import CredentialRepository
from issuer.repositories.status_lists import Allocation, StatusListRepository
from issuer.status_lists import STATUS_LIST_LENGTH
from support.clock import START, FakeClock
from support.status_lists import IssuerSetup, flatten, issuer_with_achievement, new_credential, run_concurrently
from support.tenancy import Tenants

WORKERS = 6
PER_WORKER = 20


@pytest.fixture
def issuer(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> IssuerSetup:
    return issuer_with_achievement(sessions, tenants.a.organization_id, now=clock())


def issue_one(sessions: sessionmaker[Session], issuer: IssuerSetup, *, commit: bool = True) -> Allocation:
    """One issuance transaction: allocate first (it takes the list's lock), store the credential, commit."""
    with sessions() as session:
        allocation = StatusListRepository(session, issuer.organization_id).allocate(
            issuer.issuer_id, "revocation", now=START
        )
        CredentialRepository(session, issuer.organization_id).create(new_credential(issuer, allocation, now=START))
        if commit:
            session.commit()
        else:
            session.rollback()
    return allocation


def entries(allocations: list[Allocation]) -> list[tuple[uuid.UUID, int]]:
    return [(a.list_id, a.index) for a in allocations]


def stored(sessions: sessionmaker[Session]) -> tuple[list[StatusList], list[tuple[uuid.UUID, int]]]:
    with sessions() as session:
        lists = list(session.scalars(select(StatusList).order_by(StatusList.sequence)))
        rows = session.execute(select(Credential.revocation_list_id, Credential.revocation_index)).all()
        return lists, [(row[0], row[1]) for row in rows]


def test_concurrent_issuers_never_share_an_index(sessions: sessionmaker[Session], issuer: IssuerSetup) -> None:
    allocations = flatten(run_concurrently(WORKERS, lambda _: [issue_one(sessions, issuer) for _ in range(PER_WORKER)]))
    total = WORKERS * PER_WORKER
    assert len(set(entries(allocations))) == total
    assert sorted(a.position for a in allocations) == list(range(1, total + 1))
    [row], credentials = stored(sessions)
    assert row.allocated == total
    assert sorted(credentials) == sorted(entries(allocations))


def test_concurrent_issuers_fill_a_list_and_open_exactly_one_next(
    sessions: sessionmaker[Session], issuer: IssuerSetup
) -> None:
    issue_one(sessions, issuer)
    free = 7
    with sessions() as session:
        session.execute(update(StatusList).values(allocated=STATUS_LIST_LENGTH - free))
        session.commit()
    allocations = flatten(run_concurrently(WORKERS, lambda _: [issue_one(sessions, issuer) for _ in range(PER_WORKER)]))
    total = WORKERS * PER_WORKER
    assert len(set(entries(allocations))) == total
    (full, following), _ = stored(sessions)
    assert (full.allocated, following.sequence, following.allocated) == (STATUS_LIST_LENGTH, 2, total - free)
    assert sorted(a.position for a in allocations if a.list_id == full.id) == list(
        range(STATUS_LIST_LENGTH - free + 1, STATUS_LIST_LENGTH + 1)
    )


def test_concurrent_rollbacks_leave_no_consumed_index(sessions: sessionmaker[Session], issuer: IssuerSetup) -> None:
    """Half the issuances fail after allocating: the committed half still holds positions 1..n without gaps."""

    def work(worker: int) -> list[Allocation]:
        return [issue_one(sessions, issuer, commit=(worker + n) % 2 == 0) for n in range(PER_WORKER)]

    run_concurrently(WORKERS, work)
    [row], credentials = stored(sessions)
    committed = WORKERS * PER_WORKER // 2
    assert row.allocated == len(credentials) == committed
    assert len(set(credentials)) == committed


def _process_issuer(url: str, issuer: IssuerSetup, count: int, results: Any) -> None:
    engine = create_database_engine(url)
    try:
        sessions = session_factory(engine)
        results.put([(str(a.list_id), a.index) for a in (issue_one(sessions, issuer) for _ in range(count))])
    except BaseException as exc:
        results.put(repr(exc))
    finally:
        engine.dispose()


def test_concurrent_processes_never_share_an_index(
    database_url: str, sessions: sessionmaker[Session], issuer: IssuerSetup
) -> None:
    """Separate processes, each with its own engine: what several workers or app instances do."""
    # fork: the children reuse the imported modules, so they start at once; each opens its own connections.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=_process_issuer, args=(database_url, issuer, PER_WORKER, results)) for _ in range(3)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert all(isinstance(outcome, list) for outcome in outcomes), outcomes
    allocated = flatten(outcomes)
    assert len(set(allocated)) == len(allocated) == 3 * PER_WORKER
    with sessions() as session:
        assert session.scalar(select(func.sum(StatusList.allocated))) == 3 * PER_WORKER
