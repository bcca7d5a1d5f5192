"""Issuance is one transaction (SQLite and PostgreSQL): faults leave nothing half-stored, idempotency keys return the
stored credential, concurrent requests (the same key, or different requests) all end well."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from issuer import issuance
from issuer.models import AuditEntry, Credential, StatusList
from issuer.repositories.credentials import CredentialRepository
from support.api import assert_problem
from support.issuance import CREDENTIALS, issue, issued_credential, issuing
from support.status_lists import run_concurrently
from support.tenancy import Tenants


@pytest.fixture
def fragile_client(app: FastAPI) -> Iterator[TestClient]:
    """A client that gets the 500 problem response instead of the server's exception."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    """(credentials, allocated status entries, credential.issue audit entries)."""
    with sessions() as session:
        credentials = session.scalar(select(func.count()).select_from(Credential)) or 0
        allocated = session.scalar(select(func.coalesce(func.sum(StatusList.allocated), 0))) or 0
        audited = session.scalar(select(func.count()).where(AuditEntry.action == "credential.issue")) or 0
    return credentials, allocated, audited


def _fail(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("injected fault")


def test_a_fault_between_allocation_and_storing_leaves_nothing(
    fragile_client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = issuing(fragile_client, tenants.a, suspension=True)
    with monkeypatch.context() as patch:
        patch.setattr(issuance, "sign_credential", _fail)
        assert_problem(issue(fragile_client, setup, expect=None), 500, "INTERNAL_ERROR")
    assert _counts(sessions) == (0, 0, 0)
    issue(fragile_client, setup)
    # The next credential gets the first entries of each list: nothing was consumed by the failed attempt.
    assert _counts(sessions) == (1, 2, 1)


@pytest.mark.parametrize("where", ["store", "audit"])
def test_a_fault_between_storing_and_commit_leaves_nothing(
    fragile_client: TestClient,
    tenants: Tenants,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    setup = issuing(fragile_client, tenants.a)
    original = CredentialRepository.create

    def stored_then_database_error(self: CredentialRepository, new: Any) -> Credential:
        original(self, new)
        self.session.flush()  # the row is written in the transaction...
        raise OperationalError("INSERT", {}, Exception("injected: connection lost"))  # ...which then fails

    with monkeypatch.context() as patch:
        if where == "store":
            patch.setattr(CredentialRepository, "create", stored_then_database_error)
        else:
            patch.setattr(issuance, "record_audit", _fail)
        assert_problem(issue(fragile_client, setup, expect=None), 500, "INTERNAL_ERROR")
    assert _counts(sessions) == (0, 0, 0)
    issue(fragile_client, setup)
    assert _counts(sessions) == (1, 1, 1)


def test_a_replay_returns_the_same_bytes(client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]) -> None:
    setup = issuing(client, tenants.a)
    first = issue(client, setup, key="enrolment-42")
    assert "idempotent-replayed" not in first.headers
    # The same request, written differently: key order, defaults spelt out, another time-zone offset.
    again = client.post(
        CREDENTIALS,
        json={"recipient": {"email": "Learner@Example.edu"}, "format": "ldp", "achievement_id": setup.achievement_id},
        headers={**setup.headers, "Idempotency-Key": '"enrolment-42"'},
    )
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.content == first.content
    assert _counts(sessions)[0] == 1


def test_a_key_reused_for_another_request_is_a_conflict(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    issue(client, setup, key="k-1")
    conflict = issue(client, setup, key="k-1", expect=None, narrative="Something else")
    assert_problem(conflict, 409, "IDEMPOTENCY_KEY_REUSED")
    # Keys are per organization: another organization may use the same key.
    theirs = issuing(client, tenants.b)
    issue(client, theirs, key="k-1")
    assert _counts(sessions)[0] == 2


def test_without_a_key_every_request_issues(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    first, second = issued_credential(issue(client, setup)), issued_credential(issue(client, setup))
    assert first["id"] != second["id"]


def test_concurrent_retries_with_one_key_issue_exactly_once(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    responses = run_concurrently(6, lambda _: issue(client, setup, key="retry-storm", expect=None))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 200, 201], [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert _counts(sessions) == (1, 1, 1)


def test_concurrent_issuance_all_succeeds(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    """Eight writers at once. On SQLite, each transaction begins with BEGIN IMMEDIATE (issuer.db.write_session):
    with a deferred BEGIN, a transaction that read first fails with "database is locked" when another commits."""
    setup = issuing(client, tenants.a, suspension=True)
    responses = run_concurrently(8, lambda n: issue(client, setup, expect=None, narrative=f"Learner {n}"))
    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses if r.status_code != 201]
    ids = {uuid.UUID(r.json()["id"]) for r in responses}
    assert len(ids) == 8
    assert _counts(sessions) == (8, 16, 8)
    with sessions() as session:
        entries = session.execute(select(Credential.revocation_list_id, Credential.revocation_index)).all()
    assert len(set(entries)) == 8
