"""`GET /api/v1/pathways/{id}/progress` (issue 5): learners per requirements met, completion rate and the median
days from a learner's first component to their award, from the organization's stored credentials."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credentials.keys import Ed25519KeyPair
from issuer.issuance import IssuancePorts
from issuer.models import Award, Credential
from issuer.runtime import IssuerContext
from issuer.wallets.copies import issue_copy
from issuer.wallets.offers import Protocol, create_offer
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.pathway_awards import CREDENTIALS, LEARNER, OTHER_LEARNER, Stack, make_stack
from support.tenancy import Tenants

LIN = "lin@example.edu"
HAL = "hal@example.edu"


@pytest.fixture
def stack(client: TestClient, tenants: Tenants) -> Stack:
    return make_stack(client, tenants.a)


def _later(client: TestClient, tenants: Tenants, clock: FakeClock, stack: Stack, days: int) -> Stack:
    """The clock `days` further on, with a fresh token (tokens live an hour)."""
    clock.advance(days=days)
    return replace(stack, headers=bearer(client, tenants.a))


def _award(client: TestClient, stack: Stack, pathway: str, email: str) -> None:
    response = stack.post(client, pathway, "award", learner={"email": email})
    assert response.status_code == 201, response.text


def test_progress_counts_learners_completion_and_velocity(
    client: TestClient, tenants: Tenants, clock: FakeClock, stack: Stack
) -> None:
    pathway = stack.pathway(client)
    stack.issue(client, 0)
    stack.issue(client, 0, OTHER_LEARNER)
    stack = _later(client, tenants, clock, stack, 2)
    stack.issue(client, 1)
    stack.issue(client, 2)
    stack.issue(client, 0, LIN)
    revoked = stack.issue(client, 1, HAL)
    assert client.post(f"{CREDENTIALS}/{revoked['id']}/revoke", headers=stack.headers).status_code == 200
    stack = _later(client, tenants, clock, stack, 2)
    stack.issue(client, 1, OTHER_LEARNER)
    stack.issue(client, 2, OTHER_LEARNER)
    _award(client, stack, pathway, LEARNER)  # 4 days after Ada's first component
    stack = _later(client, tenants, clock, stack, 6)
    _award(client, stack, pathway, OTHER_LEARNER)  # 10 days after Grace's first component
    reader = bearer(client, tenants.a, scope="credentials:read")

    response = client.get(f"/api/v1/pathways/{pathway}/progress", headers=reader)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "pathway_id": pathway,
        "version": 1,
        "requirements_total": 3,
        "learners": 3,
        "learners_by_requirements_met": [
            {"requirements_met": 1, "learners": 1},
            {"requirements_met": 2, "learners": 0},
            {"requirements_met": 3, "learners": 2},
        ],
        "awards": 2,
        "awarded_learners": 2,
        "completion_rate": pytest.approx(2 / 3),
        "median_days_to_award": 7.0,
        "measured_learners": 2,
        "claimed_components": 0,
        "claimed_awards": 0,
    }


def test_progress_without_learners(client: TestClient, stack: Stack) -> None:
    pathway = stack.pathway(client)

    body = client.get(f"/api/v1/pathways/{pathway}/progress", headers=stack.headers).json()

    assert (body["learners"], body["awards"], body["completion_rate"], body["median_days_to_award"]) == (
        0,
        0,
        None,
        None,
    )
    assert [row["learners"] for row in body["learners_by_requirements_met"]] == [0, 0, 0]


def test_progress_of_another_organizations_pathway_is_404(client: TestClient, tenants: Tenants, stack: Stack) -> None:
    pathway = stack.pathway(client)

    response = client.get(f"/api/v1/pathways/{pathway}/progress", headers=bearer(client, tenants.b))

    assert_problem(response, 404, "NOT_FOUND")
    assert_problem(
        client.get(f"/api/v1/pathways/{pathway}/progress", headers=bearer(client, tenants.a, scope="issuers:write")),
        403,
        "INSUFFICIENT_SCOPE",
    )


def _claim(app: FastAPI, sessions: sessionmaker[Session], row_id: uuid.UUID) -> None:
    """A learner takes the credential into a wallet: an offer, then the holder-bound copy (issue 6)."""
    context: IssuerContext = app.state.issuer_context
    base = "http://127.0.0.1:8000"
    ports = IssuancePorts(context.require_contexts(), context.require_master_key(), base, context.clock)
    with sessions() as session:
        credential = session.get(Credential, row_id)
        assert credential is not None
        made = create_offer(session, credential, Protocol.LCW, master=ports.master, base_url=base, now=ports.clock())
        session.commit()
        issue_copy(session, made.offer, holder=Ed25519KeyPair.generate().did_key, format="ldp", ports=ports)


def test_progress_counts_what_learners_took_into_wallets(
    app: FastAPI, client: TestClient, sessions: sessionmaker[Session], stack: Stack
) -> None:
    pathway = stack.pathway(client)
    components = [stack.issue(client, index) for index in range(3)]
    other = stack.issue(client, 0, OTHER_LEARNER)
    _award(client, stack, pathway, LEARNER)
    for issued in (components[0], components[2], other):
        _claim(app, sessions, uuid.UUID(issued["id"]))
    with sessions() as session:
        award = session.query(Award).one()
    _claim(app, sessions, award.credential_row_id)
    revoked = client.post(f"{CREDENTIALS}/{other['id']}/revoke", headers=stack.headers)
    assert revoked.status_code == 200, revoked.text

    body = client.get(f"/api/v1/pathways/{pathway}/progress", headers=stack.headers).json()

    assert (body["claimed_components"], body["claimed_awards"]) == (2, 1)
