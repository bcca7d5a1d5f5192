"""Competencies and pathways through the API (issue 5), for their tests and for what builds on them."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from support.achievements import API as ACHIEVEMENTS
from support.achievements import MINIMAL_TEMPLATE

COMPETENCIES = "/api/v1/competencies"
PATHWAYS = "/api/v1/pathways"
DATA_SKILLS = "Data Skills 2025"


def competency_body(code: str = "DS.1", **changes: Any) -> dict[str, Any]:
    body = {
        "framework": DATA_SKILLS,
        "code": code,
        "name": f"Competency {code}",
        "description": f"What {code} means.",
        "level": "EQF 5",
    }
    return body | changes


def create_competency(
    client: TestClient, headers: dict[str, str], code: str = "DS.1", **changes: Any
) -> dict[str, Any]:
    """POST /api/v1/competencies; the 201 response body."""
    response = client.post(COMPETENCIES, json=competency_body(code, **changes), headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def create_achievement(
    client: TestClient, headers: dict[str, str], issuer_id: str, name: str, **changes: Any
) -> dict[str, Any]:
    """POST /api/v1/achievements of MINIMAL_TEMPLATE named `name`, with `changes` (e.g. competencies)."""
    body = {"issuer_id": issuer_id, **MINIMAL_TEMPLATE, "name": name, **changes}
    response = client.post(ACHIEVEMENTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def post_pathway(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
    return client.post(PATHWAYS, json=body, headers=headers)
