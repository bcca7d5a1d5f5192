"""Achievements naming competencies (issue 5): OB 3.0 §B.1 Alignment entries in every version and credential."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from support.achievements import ALIGNMENT, API
from support.api import assert_problem, bearer
from support.competencies import create_achievement, create_competency
from support.issuance import issue, issued_credential, issuing, verify
from support.issuers import create_issuer
from support.tenancy import Tenants


def _alignment(competency: dict[str, Any]) -> dict[str, Any]:
    return dict(competency["alignment"])


@pytest.fixture
def headers_a(client: TestClient, tenants: Tenants) -> dict[str, str]:
    return bearer(client, tenants.a)


@pytest.fixture
def issuer_a(client: TestClient, headers_a: dict[str, str]) -> str:
    return str(create_issuer(client, headers_a)["id"])


def test_competencies_become_alignments_after_the_explicit_ones(
    client: TestClient, headers_a: dict[str, str], issuer_a: str
) -> None:
    first = create_competency(client, headers_a, "DS.1")
    second = create_competency(client, headers_a, "DS.2", description=None)
    # By uuid, by URL, and once more (a repeat adds nothing).
    references = [first["uuid"], second["id"], first["id"]]
    created = create_achievement(
        client, headers_a, issuer_a, "Data Cleaning", alignment=[ALIGNMENT], competencies=references
    )
    alignments = created["achievement"]["alignment"]
    assert alignments == [{"type": ["Alignment"], **ALIGNMENT}, _alignment(first), _alignment(second)]
    assert alignments[1] == {
        "type": ["Alignment"],
        "targetName": "Competency DS.1",
        "targetUrl": first["id"],
        "targetDescription": "What DS.1 means.",
        "targetCode": "DS.1",
        "targetFramework": "Data Skills 2025",
        "targetType": "ceasn:Competency",
    }
    assert "targetDescription" not in alignments[2]
    assert "competencies" not in created["achievement"], "the API member is not an OB member"


def test_an_explicit_alignment_to_the_competency_is_not_repeated(
    client: TestClient, headers_a: dict[str, str], issuer_a: str
) -> None:
    competency = create_competency(client, headers_a)
    explicit = {"targetName": "Own wording", "targetUrl": competency["id"], "targetType": "ceasn:Competency"}
    created = create_achievement(
        client, headers_a, issuer_a, "X", alignment=[explicit], competencies=[competency["uuid"]]
    )
    assert created["achievement"]["alignment"] == [{"type": ["Alignment"], **explicit}]


def test_put_with_competencies_adds_a_version_and_stays_idempotent(
    client: TestClient, headers_a: dict[str, str], issuer_a: str
) -> None:
    competency = create_competency(client, headers_a)
    first = create_achievement(client, headers_a, issuer_a, "Data Cleaning")
    assert "alignment" not in first["achievement"]
    body = {"name": "Data Cleaning", "description": "Writes tests first.", "criteria": {"narrative": "Pass the quiz."}}
    body["competencies"] = [competency["id"]]
    path = f"{API}/{first['uuid']}"
    second = client.put(path, json=body, headers=headers_a).json()
    assert (second["version"], second["achievement"]["alignment"]) == (2, [_alignment(competency)])
    again = client.put(path, json=body, headers=headers_a).json()
    assert again["version"] == 2, "the same template with the same competencies renders to the same document"
    old = client.get(f"{path}/versions/1", headers=headers_a).json()
    assert "alignment" not in old["achievement"], "earlier versions never change"


@pytest.mark.parametrize(
    "reference",
    [
        "00000000-0000-4000-8000-000000000000",
        "http://127.0.0.1:8000/competencies/00000000-0000-4000-8000-000000000000",
        "http://127.0.0.1:8000/competencies/nothing",
        "https://elsewhere.example/competencies/1",
        "DS.1",
    ],
)
def test_a_reference_to_no_competency_is_422(
    client: TestClient, headers_a: dict[str, str], issuer_a: str, reference: str
) -> None:
    good = create_competency(client, headers_a)
    body = {"issuer_id": issuer_a, "name": "N", "description": "D", "criteria": {"narrative": "C"}}
    body["competencies"] = [good["uuid"], reference]
    problem = assert_problem(client.post(API, json=body, headers=headers_a), 422, "VALIDATION_ERROR")
    assert [error["loc"] for error in problem["errors"]] == [["body", "competencies", "1"]]
    assert client.get(API, headers=headers_a).json() == [], "nothing was created"


def test_another_organizations_competency_cannot_be_named(
    client: TestClient, tenants: Tenants, headers_a: dict[str, str]
) -> None:
    theirs = create_competency(client, headers_a)
    headers_b = bearer(client, tenants.b)
    issuer_b = str(create_issuer(client, headers_b)["id"])
    body = {"issuer_id": issuer_b, "name": "N", "description": "D", "criteria": {"narrative": "C"}}
    for reference in (theirs["uuid"], theirs["id"]):
        response = client.post(API, json=body | {"competencies": [reference]}, headers=headers_b)
        problem = assert_problem(response, 422, "VALIDATION_ERROR")
        assert [error["loc"] for error in problem["errors"]] == [["body", "competencies", "0"]]
    mine = create_achievement(client, headers_b, issuer_b, "Mine")
    edit = client.put(f"{API}/{mine['uuid']}", json=body | {"competencies": [theirs["id"]]}, headers=headers_b)
    assert_problem(edit, 422, "VALIDATION_ERROR")


async def test_the_alignment_is_inside_the_signed_credential(
    app: FastAPI, client: TestClient, tenants: Tenants, headers_a: dict[str, str]
) -> None:
    competency = create_competency(client, headers_a)
    template = {"name": "Data Cleaning", "description": "Cleans data.", "criteria": {"narrative": "Pass."}}
    setup = issuing(client, tenants.a, template=template | {"competencies": [competency["uuid"]]})
    credential = issued_credential(issue(client, setup))
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["alignment"] == [_alignment(competency)]
    report = await verify(app, credential)
    assert report.verified, report.model_dump_json(indent=1)
