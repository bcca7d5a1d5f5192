"""`POST /api/v1/pathways/{id}/award` (issue 5 "Evaluate and award"): the composite credential with its evidence,
once per learner and pathway version (also when two requests race), 409 when not satisfied; SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import issuer.pathway_awards
import issuer.routers.pathway_awards
from issuer.models import Award, Credential
from support.api import assert_problem
from support.issuance import service_verifier
from support.pathway_awards import (
    CREDENTIALS,
    LEARNER,
    PARTNER_ACHIEVEMENT,
    Stack,
    make_stack,
    partner_credential,
    partner_did,
)
from support.tenancy import Tenants
from verifier.service import verify_input


@pytest.fixture
def stack(client: TestClient, tenants: Tenants) -> Stack:
    return make_stack(client, tenants.a)


def _count(sessions: sessionmaker[Session], model: type[Award] | type[Credential]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _narrative(item: dict[str, Any]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in item["narrative"].splitlines())


def test_a_complete_stack_is_awarded_with_evidence_of_every_component(
    client: TestClient, app: FastAPI, stack: Stack
) -> None:
    pathway = stack.pathway(client)
    issued = [stack.issue(client, index) for index in range(3)]

    response = stack.post(client, pathway, "award")

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"{CREDENTIALS}/{body['id']}"
    assert body["evaluation"]["satisfied"] is True
    composite = body["credential"]
    subject = composite["credentialSubject"]
    assert subject["achievement"]["id"] == stack.composite["id"]
    assert subject["creditsEarned"] == 6
    assert composite["issuer"]["id"] == stack.issuer["did"]
    evidence = composite["evidence"]
    assert sorted(item["name"] for item in evidence) == ["Dashboards", "Data Cleaning", "SQL Basics"]
    stored = {}
    for item in issued:
        record = client.get(f"{CREDENTIALS}/{item['id']}", headers=stack.headers).json()
        stored[record["credential_id"]] = record["digest"]
    cited = {_narrative(item)["credential"]: _narrative(item)["digest"] for item in evidence}
    assert cited == {credential_id: f"sha256:{digest}" for credential_id, digest in stored.items()}
    assert all(
        item["description"].endswith(f"issued by Example University ({stack.issuer['did']})") for item in evidence
    )
    assert all(item["type"] == ["Evidence"] and "id" not in item for item in evidence)
    # The composite is a credential like any other: the service's verifier verifies it, for this learner.
    recorded = client.get(f"{CREDENTIALS}/{body['id']}", headers=stack.headers).json()
    report = asyncio.run(_verify(app, recorded["credential"]))
    assert report.verified, report.model_dump_json(indent=1)


async def _verify(app: FastAPI, credential: dict[str, Any]) -> Any:
    async with service_verifier(app) as ports:
        return await verify_input(json.dumps(credential).encode(), ports)


def test_asking_again_returns_the_same_award(client: TestClient, stack: Stack, sessions: sessionmaker[Session]) -> None:
    pathway = stack.pathway(client)
    for index in range(3):
        stack.issue(client, index)
    first = stack.post(client, pathway, "award")
    credentials = _count(sessions, Credential)

    again = stack.post(client, pathway, "award")
    by_spelling = stack.post(client, pathway, "award", learner={"email": "  ADA@Example.edu "})

    assert (first.status_code, again.status_code, by_spelling.status_code) == (201, 200, 200)
    assert again.content == first.content == by_spelling.content
    assert _count(sessions, Award) == 1 and _count(sessions, Credential) == credentials


def test_a_new_pathway_version_is_a_new_award(
    client: TestClient, stack: Stack, sessions: sessionmaker[Session]
) -> None:
    pathway = stack.pathway(client)
    for index in range(3):
        stack.issue(client, index)
    first = stack.post(client, pathway, "award").json()
    rule = {"all_of": [{"achievement": micro["uuid"]} for micro in stack.micro[:2]]}
    body = {"name": "Data Analyst", "rule": rule}
    assert client.put(f"/api/v1/pathways/{pathway}", json=body, headers=stack.headers).status_code == 200

    second = stack.post(client, pathway, "award")

    assert second.status_code == 201 and second.json()["id"] != first["id"]
    assert second.json()["evaluation"]["pathway"]["version"] == 2
    assert _count(sessions, Award) == 2


def test_a_partner_credential_is_cited_with_its_digest(client: TestClient, stack: Stack) -> None:
    agreement = {"issuer": partner_did(), "achievement_id": PARTNER_ACHIEVEMENT, "counts_as": stack.micro[2]["uuid"]}
    pathway = stack.pathway(client, trusted_issuers=[partner_did()], equivalences=[agreement])
    stack.issue(client, 0)
    stack.issue(client, 1)
    partner = partner_credential()

    response = stack.post(client, pathway, "award", credentials=[partner])

    assert response.status_code == 201, response.text
    evidence = response.json()["credential"]["evidence"]
    cited = _narrative(evidence[-1])
    presented = json.dumps(partner, ensure_ascii=False, separators=(",", ":")).encode()
    assert cited == {
        "credential": partner["id"],
        "issuer": partner_did(),
        "digest": f"sha256:{hashlib.sha256(presented).hexdigest()}",
    }
    assert evidence[-1]["name"] == "Data Analysis with Python"
    assert "Northwind Technical College" in evidence[-1]["description"]
    # credits: 2 + 2 available from our achievements, and the partner's creditsEarned
    assert partner["credentialSubject"]["creditsEarned"] == 3
    assert response.json()["credential"]["credentialSubject"]["creditsEarned"] == 7


def test_not_satisfied_is_409_with_the_evaluation_and_issues_nothing(
    client: TestClient, stack: Stack, sessions: sessionmaker[Session]
) -> None:
    pathway = stack.pathway(client)
    stack.issue(client, 0)
    credentials = _count(sessions, Credential)

    response = stack.post(client, pathway, "award")

    problem = assert_problem(response, 409, "PATHWAY_NOT_SATISFIED")
    assert problem["evaluation"]["satisfied"] is False
    assert problem["evaluation"]["missing_text"] == "2 more of: SQL Basics, Dashboards"
    assert "SQL Basics, Dashboards" in problem["detail"]
    assert _count(sessions, Award) == 0 and _count(sessions, Credential) == credentials


def test_a_lost_race_returns_the_winners_award_and_stores_nothing(
    client: TestClient, stack: Stack, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests both see no award: the unique (version, learner) lets one commit, the other answers with it."""
    pathway = stack.pathway(client)
    for index in range(3):
        stack.issue(client, index)
    winner = stack.post(client, pathway, "award")
    credentials = _count(sessions, Credential)
    real = issuer.pathway_awards.existing_award
    seen: list[bool] = []

    def not_yet(*args: Any, **kwargs: Any) -> Any:
        # The loser's checks ran before the winner committed; only its check after the failed insert sees it.
        seen.append(True)
        return None if len(seen) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(issuer.routers.pathway_awards, "existing_award", lambda *args, **kwargs: None)
    monkeypatch.setattr(issuer.pathway_awards, "existing_award", not_yet)

    loser = stack.post(client, pathway, "award")

    assert loser.status_code == 200, loser.text
    assert loser.json()["id"] == winner.json()["id"]
    assert len(seen) == 2
    assert _count(sessions, Award) == 1 and _count(sessions, Credential) == credentials


def test_the_learner_by_did(client: TestClient, stack: Stack) -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    pathway = stack.pathway(client, {"all_of": [{"achievement": stack.micro[0]["uuid"]}]})
    body = {"achievement_id": stack.micro[0]["uuid"], "recipient": {"did": did}}
    assert client.post(CREDENTIALS, json=body, headers=stack.headers).status_code == 201

    response = stack.post(client, pathway, "award", learner={"did": did})

    assert response.status_code == 201, response.text
    assert response.json()["credential"]["credentialSubject"]["id"] == did
    assert stack.post(client, pathway, "award", learner={"email": LEARNER}).status_code == 409
