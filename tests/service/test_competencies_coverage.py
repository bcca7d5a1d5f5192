"""`GET /api/v1/pathways/{id}/coverage` (issue 5 "Curriculum coverage"): the institution's gap analysis."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.achievements import API as ACHIEVEMENTS
from support.api import assert_problem, bearer
from support.competencies import PATHWAYS, create_achievement, create_competency, post_pathway
from support.issuers import create_issuer
from support.tenancy import Tenants


def _template(achievement: dict[str, Any]) -> dict[str, Any]:
    return {"uuid": achievement["uuid"], "id": achievement["id"], "name": achievement["achievement"]["name"]}


def test_coverage_names_who_covers_each_competency_and_the_gaps(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)["id"]
    c1, c2, c3, c4, c5 = (create_competency(client, headers, f"DS.{n}") for n in range(1, 6))
    cleaning = create_achievement(client, headers, issuer, "Data Cleaning", competencies=[c1["uuid"]])
    sql = create_achievement(client, headers, issuer, "SQL Basics", competencies=[c2["id"], c4["id"]])
    dashboards = create_achievement(client, headers, issuer, "Dashboards", competencies=[c3["uuid"]])
    elsewhere = {"targetName": "Other", "targetUrl": "https://case.example/items/1", "targetType": "CFItem"}
    composite = create_achievement(
        client,
        headers,
        issuer,
        "Data Analyst",
        alignment=[elsewhere],
        competencies=[c1["uuid"], c2["uuid"], c3["uuid"]],
    )
    rule = {
        "all_of": [
            {"achievement": cleaning["uuid"]},
            {"achievement": sql["id"]},
            {"competencies": [c4["uuid"], c5["id"], c2["uuid"]], "n": 2},
        ]
    }
    body = {"issuer_id": issuer, "composite_achievement_id": composite["uuid"], "name": "Analyst", "rule": rule}
    pathway = post_pathway(client, headers, body).json()

    response = client.get(f"{PATHWAYS}/{pathway['id']}/coverage", headers=headers)
    assert response.status_code == 200, response.text
    coverage = response.json()
    assert (coverage["pathway_id"], coverage["version"], coverage["composite_achievement_id"]) == (
        pathway["id"],
        1,
        composite["uuid"],
    )
    summary = [(c["code"], c["required_by"], [t["name"] for t in c["covered_by"]]) for c in coverage["competencies"]]
    assert summary == [
        ("DS.1", ["composite"], ["Data Cleaning"]),
        ("DS.2", ["composite", "rule"], ["SQL Basics"]),
        ("DS.3", ["composite"], []),  # Dashboards aligns to it, but the rule does not name Dashboards
        ("DS.4", ["rule"], ["SQL Basics"]),
        ("DS.5", ["rule"], []),
    ]
    first = coverage["competencies"][0]
    assert first | {"covered_by": None} == {
        "id": c1["id"],
        "uuid": c1["uuid"],
        "framework": c1["framework"],
        "code": "DS.1",
        "name": c1["name"],
        "required_by": ["composite"],
        "covered_by": None,
    }
    assert first["covered_by"] == [_template(cleaning)]
    assert coverage["uncovered"] == [c3["id"], c5["id"]]
    assert coverage["templates"] == [
        _template(cleaning) | {"competencies": [c1["id"]]},
        _template(sql) | {"competencies": [c2["id"], c4["id"]]},
    ]

    # Version 2 names Dashboards: DS.3 is covered now, while version 1's coverage stays what it was.
    rule["all_of"].append({"achievement": dashboards["uuid"]})
    assert client.put(f"{PATHWAYS}/{pathway['id']}", json=body, headers=headers).json()["version"] == 2
    now = client.get(f"{PATHWAYS}/{pathway['id']}/coverage", headers=headers).json()
    assert (now["version"], now["uncovered"]) == (2, [c5["id"]])
    then = client.get(f"{PATHWAYS}/{pathway['id']}/coverage", params={"version": 1}, headers=headers).json()
    assert (then["version"], then["uncovered"]) == (1, [c3["id"], c5["id"]])
    assert_problem(
        client.get(f"{PATHWAYS}/{pathway['id']}/coverage", params={"version": 3}, headers=headers), 404, "NOT_FOUND"
    )


def test_coverage_follows_the_templates_current_versions(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)["id"]
    competency = create_competency(client, headers)
    micro = create_achievement(client, headers, issuer, "Micro", competencies=[competency["uuid"]])
    composite = create_achievement(client, headers, issuer, "Composite", competencies=[competency["uuid"]])
    body = {
        "issuer_id": issuer,
        "composite_achievement_id": composite["uuid"],
        "name": "P",
        "rule": {"achievement": micro["uuid"]},
    }
    pathway = post_pathway(client, headers, body).json()
    path = f"{PATHWAYS}/{pathway['id']}/coverage"
    assert client.get(path, headers=headers).json()["uncovered"] == []
    edit = {"name": "Micro", "description": "Writes tests first.", "criteria": {"narrative": "Pass the quiz."}}
    assert client.put(f"{ACHIEVEMENTS}/{micro['uuid']}", json=edit, headers=headers).json()["version"] == 2
    assert client.get(path, headers=headers).json()["uncovered"] == [competency["id"]]


def test_coverage_needs_a_read_scope(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)["id"]
    micro = create_achievement(client, headers, issuer, "Micro")
    composite = create_achievement(client, headers, issuer, "Composite")
    body = {"issuer_id": issuer, "composite_achievement_id": composite["uuid"], "name": "P"}
    pathway = post_pathway(client, headers, body | {"rule": {"achievement": micro["uuid"]}}).json()
    path = f"{PATHWAYS}/{pathway['id']}/coverage"
    coverage = client.get(path, headers=bearer(client, tenants.a, "credentials:read")).json()
    assert (coverage["competencies"], coverage["uncovered"]) == ([], [])
    assert coverage["templates"] == [_template(micro) | {"competencies": []}]
    assert_problem(client.get(path, headers=bearer(client, tenants.a, "achievements:write")), 403, "INSUFFICIENT_SCOPE")
