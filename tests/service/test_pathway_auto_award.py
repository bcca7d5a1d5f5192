"""`auto_award` (issue 5 "Evaluate and award"): `POST /api/v1/credentials` awards the pathways the new credential
completes, lists them as `awards`, and reports a failing award as `award_errors` without failing the issuance."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import issuer.pathway_auto_award
from issuer.errors import Conflict
from issuer.models import Award
from support.pathway_awards import CREDENTIALS, Stack, make_stack
from support.tenancy import Tenants


@pytest.fixture
def stack(client: TestClient, tenants: Tenants) -> Stack:
    return make_stack(client, tenants.a)


def _two_components(stack: Stack) -> dict[str, Any]:
    return {"all_of": [{"achievement": stack.micro[0]["uuid"]}, {"achievement": stack.micro[1]["id"]}]}


def _awards(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Award)) or 0


def test_the_last_component_awards_the_pathway_once(
    client: TestClient, stack: Stack, sessions: sessionmaker[Session]
) -> None:
    pathway = stack.pathway(client, _two_components(stack), auto_award=True)

    first = stack.issue(client, 0)
    second = stack.issue(client, 1)
    unrelated = stack.issue(client, 2)

    assert (first["awards"], first["award_errors"]) == ([], [])
    [award] = second["awards"]
    assert second["award_errors"] == []
    assert award["pathway_id"] == pathway and award["pathway_version"] == 1
    record = client.get(f"{CREDENTIALS}/{award['id']}", headers=stack.headers).json()
    assert record["credential_id"] == award["credential_id"]
    assert record["credential"]["credentialSubject"]["achievement"]["id"] == stack.composite["id"]
    again = stack.post(client, pathway, "award")
    assert again.status_code == 200 and again.json()["id"] == award["id"]
    assert (unrelated["awards"], unrelated["award_errors"]) == ([], [])
    assert _awards(sessions) == 1


def test_a_pathway_without_auto_award_is_not_awarded(
    client: TestClient, stack: Stack, sessions: sessionmaker[Session]
) -> None:
    stack.pathway(client, _two_components(stack))

    stack.issue(client, 0)
    second = stack.issue(client, 1)

    assert second["awards"] == [] and _awards(sessions) == 0


def test_a_failing_award_is_reported_and_the_issuance_stands(
    client: TestClient, stack: Stack, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    pathway = stack.pathway(client, _two_components(stack), auto_award=True)
    stack.issue(client, 0)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise Conflict("the award could not be stored")

    monkeypatch.setattr(issuer.pathway_auto_award, "award_composite", refuse)
    second = stack.issue(client, 1)

    assert second["awards"] == []
    assert second["award_errors"] == [
        {"pathway_id": pathway, "code": "CONFLICT", "detail": "the award could not be stored"}
    ]
    assert client.get(f"{CREDENTIALS}/{second['id']}", headers=stack.headers).status_code == 200
    assert _awards(sessions) == 0
