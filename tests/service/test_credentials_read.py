"""`GET /api/v1/credentials` and `GET /api/v1/credentials/{id}` (SQLite and PostgreSQL): filters, paging, the stored
document, scopes and tenancy."""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.issuance import CREDENTIALS, Issuing, issue, issuing
from support.tenancy import Tenant, Tenants, assert_isolated


def _listed(client: TestClient, headers: dict[str, str], **query: Any) -> tuple[list[str], int]:
    response = client.get(CREDENTIALS, params=query, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["credentials"]], int(response.headers["x-total-count"])


def test_list_newest_first_with_paging(client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    ids = []
    for _ in range(5):
        clock.advance(seconds=1)
        ids.append(issue(client, setup).json()["id"])
    assert _listed(client, setup.headers) == (ids[::-1], 5)
    assert _listed(client, setup.headers, limit=2, offset=1) == (ids[3:1:-1], 5)
    assert _listed(client, setup.headers, offset=10) == ([], 5)


def test_list_items_summarise_without_the_document(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    item = client.get(CREDENTIALS, headers=setup.headers).json()["credentials"][0]
    assert item["id"] == row_id
    assert item["credential_id"] == f"urn:uuid:{row_id}"
    assert (item["status"], item["format"], item["cryptosuite"]) == ("active", "ldp", "eddsa-rdfc-2022")
    assert item["achievement_id"] == setup.achievement_id
    assert item["achievement_version"] == 1
    assert item["issuer_id"] == setup.issuer["id"]
    assert "credential" not in item


def test_filters(client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    other_issuer = issuing(client, tenants.a)
    by_email = issue(client, setup).json()["id"]
    clock.advance(seconds=1)
    by_did = issue(client, setup, recipient={"did": "did:example:learner-7"}).json()["id"]
    clock.advance(seconds=1)
    elsewhere = issue(client, other_issuer, recipient={"email": "someone@else.example"}).json()["id"]
    headers = setup.headers
    # Email addresses match as they are hashed: trimmed and lower-cased.
    assert _listed(client, headers, recipient="  LEARNER@example.EDU ") == ([by_email], 1)
    assert _listed(client, headers, recipient="did:example:learner-7") == ([by_did], 1)
    assert _listed(client, headers, recipient="nobody@example.edu") == ([], 0)
    assert _listed(client, headers, achievement_id=setup.achievement_id) == ([by_did, by_email], 2)
    assert _listed(client, headers, issuer_id=other_issuer.issuer["id"]) == ([elsewhere], 1)
    assert client.post(f"{CREDENTIALS}/{by_did}/revoke", headers=headers).status_code == 200
    assert _listed(client, headers, status="revoked") == ([by_did], 1)
    assert _listed(client, headers, status="active", issuer_id=setup.issuer["id"]) == ([by_email], 1)


@pytest.mark.parametrize(
    "query",
    [{"status": "gone"}, {"limit": 0}, {"limit": 201}, {"offset": -1}, {"achievement_id": "x"}, {"issuer_id": "1"}],
)
def test_invalid_filters(client: TestClient, tenants: Tenants, query: dict[str, Any]) -> None:
    response = client.get(CREDENTIALS, params=query, headers=bearer(client, tenants.a))
    assert_problem(response, 422, "VALIDATION_ERROR")


def test_get_one(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    issued = issue(client, setup, format="jwt")
    row_id = issued.json()["id"]
    response = client.get(f"{CREDENTIALS}/{row_id}", headers=setup.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["credential"] == issued.json()["credential"]
    assert (body["id"], body["status"], body["format"], body["cryptosuite"]) == (row_id, "active", "jwt", None)
    assert body["status_history"] == []
    assert body["issued_at"] == "2025-03-01T12:00:00Z"


@pytest.mark.parametrize("credential_id", ["not-a-uuid", "6b9e1d34-7c2f-4a85-b0e3-9f4d2c1a8e67"])
def test_unknown_credentials_are_not_found(client: TestClient, tenants: Tenants, credential_id: str) -> None:
    headers = bearer(client, tenants.a)
    assert_problem(client.get(f"{CREDENTIALS}/{credential_id}", headers=headers), 404, "NOT_FOUND")
    assert_problem(client.post(f"{CREDENTIALS}/{credential_id}/revoke", headers=headers), 404, "NOT_FOUND")


def test_reading_needs_the_scope(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    issuer_only = bearer(client, tenants.a, "credentials:issue")
    assert_problem(client.get(CREDENTIALS, headers=issuer_only), 403, "INSUFFICIENT_SCOPE")
    assert_problem(client.get(f"{CREDENTIALS}/{row_id}", headers=issuer_only), 403, "INSUFFICIENT_SCOPE")
    reader = bearer(client, tenants.a, "credentials:read")
    assert client.get(f"{CREDENTIALS}/{row_id}", headers=reader).status_code == 200
    assert_problem(client.post(f"{CREDENTIALS}/{row_id}/revoke", headers=reader), 403, "INSUFFICIENT_SCOPE")


@dataclass
class CredentialsOverHttp:
    """A TenancyProbe through the API, with each tenant's own token."""

    client: TestClient

    def _headers(self, tenant: Tenant) -> dict[str, str]:
        return bearer(self.client, tenant)

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        response = self.client.get(f"{CREDENTIALS}/{row_id}", headers=self._headers(tenant))
        return response.content if response.status_code == 200 else None

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        response = self.client.get(CREDENTIALS, headers=self._headers(tenant))
        return {item["id"] for item in response.json()["credentials"]}

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        response = self.client.post(f"{CREDENTIALS}/{row_id}/revoke", headers=self._headers(tenant))
        return response.status_code == 200


def test_credentials_are_isolated(client: TestClient, tenants: Tenants) -> None:
    mine: Issuing = issuing(client, tenants.a)
    issuing(client, tenants.b)  # the intruder has credentials of its own too
    row_id = issue(client, mine).json()["id"]
    assert_isolated(CredentialsOverHttp(client), owner=tenants.a, intruder=tenants.b, row_id=row_id)
