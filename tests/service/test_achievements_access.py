"""`/api/v1/achievements` access: tenancy (other organizations' achievements are 404), scopes (403), paging."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Hashable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from support.achievements import API, created, make_issuer, template
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.tenancy import Tenant, Tenants, assert_isolated


@dataclass
class AchievementApiProbe:
    """The tenancy probe over HTTP, with each tenant's own token."""

    client: TestClient

    def _headers(self, tenant: Tenant) -> dict[str, str]:
        return bearer(self.client, tenant, "achievements:write")

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        response = self.client.get(f"{API}/{row_id}", headers=self._headers(tenant))
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        return response.json()

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        return [item["uuid"] for item in self.client.get(API, headers=self._headers(tenant)).json()]

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        body = template(name=f"edited by {tenant.name}")
        response = self.client.put(f"{API}/{row_id}", json=body, headers=self._headers(tenant))
        if response.status_code == 404:
            assert_problem(response, 404, "NOT_FOUND")
            return False
        assert response.status_code == 200, response.text
        return True


def test_achievements_are_isolated_between_organizations(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    mine = created(client, bearer(client, tenants.a), make_issuer(sessions, tenants.a, now=clock()))
    created(client, bearer(client, tenants.b), make_issuer(sessions, tenants.b, now=clock()))
    assert_isolated(AchievementApiProbe(client), owner=tenants.a, intruder=tenants.b, row_id=mine["uuid"])
    headers_b = bearer(client, tenants.b)
    for path in (f"{API}/{mine['uuid']}/versions", f"{API}/{mine['uuid']}/versions/1"):
        assert_problem(client.get(path, headers=headers_b), 404, "NOT_FOUND")


def test_listing_by_another_organizations_issuer_shows_nothing(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    issuer_a = make_issuer(sessions, tenants.a, now=clock())
    created(client, bearer(client, tenants.a), issuer_a)
    response = client.get(API, params={"issuer_id": str(issuer_a)}, headers=bearer(client, tenants.b))
    assert (response.json(), response.headers["x-total-count"]) == ([], "0")


@pytest.mark.parametrize("scope", ["achievements:write", "credentials:issue", "credentials:read"])
def test_each_read_scope_may_read(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock, scope: str
) -> None:
    mine = created(client, bearer(client, tenants.a), make_issuer(sessions, tenants.a, now=clock()))
    headers = bearer(client, tenants.a, scope)
    for path in (API, f"{API}/{mine['uuid']}", f"{API}/{mine['uuid']}/versions", f"{API}/{mine['uuid']}/versions/1"):
        assert client.get(path, headers=headers).status_code == 200, path


def test_reads_need_one_of_the_read_scopes(client: TestClient, tenants: Tenants) -> None:
    response = client.get(API, headers=bearer(client, tenants.a, "credentials:revoke issuers:write"))
    problem = assert_problem(response, 403, "INSUFFICIENT_SCOPE")
    assert problem["detail"] == (
        "this operation requires one of the scopes achievements:write, credentials:issue, credentials:read"
    )
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


@pytest.mark.parametrize("scope", ["credentials:read", "credentials:issue", "issuers:write"])
def test_writes_need_achievements_write(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock, scope: str
) -> None:
    issuer_a = make_issuer(sessions, tenants.a, now=clock())
    mine = created(client, bearer(client, tenants.a), issuer_a)
    headers = bearer(client, tenants.a, scope)
    post = client.post(API, json={"issuer_id": str(issuer_a), **template()}, headers=headers)
    assert_problem(post, 403, "INSUFFICIENT_SCOPE")
    assert_problem(client.put(f"{API}/{mine['uuid']}", json=template(), headers=headers), 403, "INSUFFICIENT_SCOPE")
    assert client.get(f"{API}/{mine['uuid']}", headers=bearer(client, tenants.a)).json()["version"] == 1


def test_no_token_is_401(client: TestClient) -> None:
    assert_problem(client.get(API), 401, "AUTHENTICATION_REQUIRED")
    assert_problem(client.post(API, json=template()), 401, "AUTHENTICATION_REQUIRED")
    assert_problem(client.get(API, headers={"Authorization": "Bearer " + "A" * 43}), 401, "INVALID_TOKEN")


def test_paging_and_issuer_filter(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    headers = bearer(client, tenants.a)
    first_issuer = make_issuer(sessions, tenants.a, now=clock())
    second_issuer = make_issuer(sessions, tenants.a, now=clock(), name="Second Faculty")
    ids = []
    for number in range(5):
        clock.advance(minutes=1)
        issuer_id = first_issuer if number < 3 else second_issuer
        ids.append(created(client, headers, issuer_id, template(name=f"A{number}"))["uuid"])

    def page(**params: object) -> tuple[list[str], str]:
        response = client.get(API, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["uuid"] for item in response.json()], response.headers["x-total-count"]

    assert page() == (ids, "5")
    assert page(limit=2) == (ids[:2], "5")
    assert page(limit=2, offset=2) == (ids[2:4], "5")
    assert page(limit=2, offset=4) == (ids[4:], "5")
    assert page(offset=5) == ([], "5")
    assert page(issuer_id=str(first_issuer)) == (ids[:3], "3")
    assert page(issuer_id=str(second_issuer), limit=1, offset=1) == (ids[4:], "2")
    assert page(issuer_id=str(uuid.uuid4())) == ([], "0")


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": 2**40}, {"limit": "ten"}, {"issuer_id": "x"}],
)
def test_bad_paging_is_422(client: TestClient, tenants: Tenants, params: dict[str, object]) -> None:
    response = client.get(API, params=params, headers=bearer(client, tenants.a))
    assert_problem(response, 422, "VALIDATION_ERROR")


def test_openapi_lists_the_read_scopes_as_alternatives(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected_reads = [
        {"oauth2": ["achievements:write"]},
        {"oauth2": ["credentials:issue"]},
        {"oauth2": ["credentials:read"]},
    ]
    assert paths[API]["get"]["security"] == expected_reads
    assert paths[API + "/{achievement_id}"]["get"]["security"] == expected_reads
    assert paths[API]["post"]["security"] == [{"oauth2": ["achievements:write"]}]
    assert paths[API + "/{achievement_id}"]["put"]["security"] == [{"oauth2": ["achievements:write"]}]
    assert "security" not in paths["/achievements/{achievement_id}"]["get"]
