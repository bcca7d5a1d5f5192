"""Achievement API test data: an issuer per tenant, a template using every OB 3.0 Achievement member, requests."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from issuer.repositories.issuers import IssuerRepository
from support.tenancy import Tenant

API = "/api/v1/achievements"
BASE_URL = "http://127.0.0.1:8000"  # Settings' default base_url, which the service tests' app uses

ALIGNMENT = {
    "targetName": "Clean a data set",
    "targetUrl": "https://case.example/items/42",
    "targetDescription": "Removes duplicates and fixes types.",
    "targetCode": "DS.1",
    "targetFramework": "Data Skills",
    "targetType": "CFItem",
}

# Every member of OB 3.0 §B.1.1 Achievement that a template can carry, and every member of its nested classes.
FULL_TEMPLATE: dict[str, Any] = {
    "name": "Data Cleaning",
    "description": "Cleans *real* data sets.",
    "criteria": {"id": "https://issuer.example/criteria/dc", "narrative": "Pass the practical assessment."},
    "achievementType": "MicroCredential",
    "alignment": [ALIGNMENT],
    "resultDescription": [
        {
            "id": "#practical",
            "name": "Practical",
            "resultType": "RubricCriterionLevel",
            "allowedValue": ["Fail", "Pass", "Merit"],
            "rubricCriterionLevel": [
                {
                    "id": "#pass",
                    "name": "Pass",
                    "description": "Meets the criteria.",
                    "level": "2",
                    "points": "10",
                    "alignment": [ALIGNMENT],
                },
                {"name": "Fail"},
            ],
            "requiredLevel": "#pass",
            "requiredValue": "Pass",
            "valueMax": "Merit",
            "valueMin": "Fail",
            "alignment": [ALIGNMENT],
        },
        {"id": "https://issuer.example/results/status", "name": "Completion", "resultType": "Status"},
    ],
    "creditsAvailable": 2.5,
    "fieldOfStudy": "Data Science",
    "specialization": "Data Quality",
    "tag": ["data", "cleaning"],
    "humanCode": "DS-101",
    "image": {"id": "https://issuer.example/badges/dc.png", "caption": "The badge"},
    "related": [{"id": "https://issuer.example/achievements/dc-fr", "inLanguage": "fr", "version": "1"}],
    "inLanguage": "en",
    "version": "2025.1",
    "otherIdentifier": [{"identifier": "DC-101", "identifierType": "sourcedId"}],
}

MINIMAL_TEMPLATE: dict[str, Any] = {
    "name": "Intro to Testing",
    "description": "Writes tests first.",
    "criteria": {"narrative": "Pass the quiz."},
}


def template(**changes: Any) -> dict[str, Any]:
    """A copy of MINIMAL_TEMPLATE with `changes` applied."""
    return copy.deepcopy(MINIMAL_TEMPLATE) | changes


def make_issuer(
    sessions: sessionmaker[Session], tenant: Tenant, *, now: datetime, name: str = "Example University"
) -> uuid.UUID:
    """An issuer of `tenant` straight through the repository (the issuers API is not these tests' subject)."""
    with sessions() as session:
        did = f"did:web:issuer.example:{uuid.uuid4().hex[:12]}"
        profile = {"type": ["Profile"], "name": name}
        issuer = IssuerRepository(session, tenant.organization_id).add(
            did=did, did_method="web", profile=profile, now=now
        )
        session.commit()
        return issuer.id


def issuer_did(sessions: sessionmaker[Session], tenant: Tenant, issuer_id: uuid.UUID) -> str:
    with sessions() as session:
        return IssuerRepository(session, tenant.organization_id).get(issuer_id).did


def create(
    client: TestClient, headers: dict[str, str], issuer_id: uuid.UUID, body: dict[str, Any] | None = None
) -> httpx.Response:
    return client.post(API, json={"issuer_id": str(issuer_id), **(body or MINIMAL_TEMPLATE)}, headers=headers)


def created(
    client: TestClient, headers: dict[str, str], issuer_id: uuid.UUID, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = create(client, headers, issuer_id, body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
