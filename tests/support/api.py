"""HTTP helpers for API tests: the app on a test database, tokens for a tenant, problem+json checks."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from support.tenancy import Tenant

PROBLEM_JSON = "application/problem+json"


def request_token(client: TestClient, tenant: Tenant, scope: str | None = None) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": tenant.client_id, "client_secret": tenant.client_secret}
    if scope is not None:
        form["scope"] = scope
    return client.post("/oauth/token", data=form)


def bearer(client: TestClient, tenant: Tenant, scope: str | None = None) -> dict[str, str]:
    """Authorization header with a fresh access token for `tenant`."""
    response = request_token(client, tenant, scope)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """RFC 9457: problem+json with type, title, status and detail; our code under urn:credstack:problem:."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:credstack:problem:{code}"
    assert body["code"] == code
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str)
    return body
