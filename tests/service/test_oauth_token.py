"""POST /oauth/token: RFC 6749 §4.4 client credentials, every §5.2 error, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from issuer.api_clients import register_api_client, revoke_client
from issuer.scopes import Scope
from support.api import request_token
from support.clock import FakeClock
from support.tenancy import Tenant, Tenants, create_tenant


def _form(tenant: Tenant, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": tenant.client_id,
        "client_secret": tenant.client_secret,
        **extra,
    }


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def _oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """§5.2: JSON `error` + `error_description`, not cached; the RFC 9457 members alongside."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert body["type"] == f"urn:credstack:problem:OAUTH_{error.upper()}"
    assert body["status"] == status and body["title"]
    return body


def test_token_issued_with_every_granted_scope(client: TestClient, tenants: Tenants) -> None:
    response = client.post("/oauth/token", data=_form(tenants.a))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"].split() == sorted(str(s) for s in Scope)
    assert len(body["access_token"]) >= 43


def test_http_basic_client_authentication(client: TestClient, tenants: Tenants) -> None:
    headers = _basic(tenants.a.client_id, tenants.a.client_secret)
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=headers)
    assert response.status_code == 200
    # §3.2.1: the client may also name itself in the body.
    form = {"grant_type": "client_credentials", "client_id": tenants.a.client_id}
    assert client.post("/oauth/token", data=form, headers=headers).status_code == 200


def test_scope_narrowing(client: TestClient, tenants: Tenants) -> None:
    response = request_token(client, tenants.a, "credentials:read issuers:write")
    assert response.status_code == 200
    assert response.json()["scope"] == "credentials:read issuers:write"


def test_empty_scope_counts_as_omitted(client: TestClient, tenants: Tenants) -> None:
    # §3.1: parameters sent without a value are treated as omitted.
    response = request_token(client, tenants.a, "")
    assert response.status_code == 200
    assert len(response.json()["scope"].split()) == len(Scope)


def test_scope_not_granted_is_invalid_scope(
    client: TestClient, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    with sessions() as session:
        narrow = register_api_client(session, organization="Narrow", scopes=[Scope.CREDENTIALS_READ], now=clock())
    form = {"grant_type": "client_credentials", "client_id": narrow.client_id, "client_secret": narrow.client_secret}
    ok = client.post("/oauth/token", data=form)
    assert ok.json()["scope"] == "credentials:read"
    refused = client.post("/oauth/token", data={**form, "scope": "credentials:read credentials:issue"})
    body = _oauth_error(refused, 400, "invalid_scope")
    assert "credentials:issue" in body["error_description"]


@pytest.mark.parametrize("scope", ["awards:write", "issuers:write  credentials:read", 'issuers:"write'])
def test_unknown_or_malformed_scope_is_invalid_scope(client: TestClient, tenants: Tenants, scope: str) -> None:
    _oauth_error(request_token(client, tenants.a, scope), 400, "invalid_scope")


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS"])
def test_other_grant_types_are_unsupported(client: TestClient, tenants: Tenants, grant_type: str) -> None:
    response = client.post("/oauth/token", data=_form(tenants.a, grant_type=grant_type))
    _oauth_error(response, 400, "unsupported_grant_type")


def test_missing_grant_type_is_invalid_request(client: TestClient, tenants: Tenants) -> None:
    form = _form(tenants.a)
    del form["grant_type"]
    _oauth_error(client.post("/oauth/token", data=form), 400, "invalid_request")


def test_repeated_parameter_is_invalid_request(client: TestClient, tenants: Tenants) -> None:
    body = (
        f"grant_type=client_credentials&client_id={tenants.a.client_id}&client_secret={tenants.a.client_secret}"
        "&scope=issuers:write&scope=credentials:read"
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.post("/oauth/token", content=body, headers=headers)
    assert "scope" in _oauth_error(response, 400, "invalid_request")["error_description"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "client_credentials"}', "application/json"),
        (b"grant_type=client_credentials", None),
        (b"grant_type=client_credentials&client_id=\xff\xfe", "application/x-www-form-urlencoded"),
    ],
    ids=["json", "no-content-type", "not-utf8"],
)
def test_body_that_is_not_a_form_is_invalid_request(
    client: TestClient, tenants: Tenants, content: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    _oauth_error(client.post("/oauth/token", content=content, headers=headers), 400, "invalid_request")


def test_two_authentication_methods_is_invalid_request(client: TestClient, tenants: Tenants) -> None:
    headers = _basic(tenants.a.client_id, tenants.a.client_secret)
    response = client.post("/oauth/token", data=_form(tenants.a), headers=headers)
    _oauth_error(response, 400, "invalid_request")


def test_wrong_secret_is_invalid_client(client: TestClient, tenants: Tenants) -> None:
    response = client.post("/oauth/token", data=_form(tenants.a, client_secret=tenants.b.client_secret))
    body = _oauth_error(response, 401, "invalid_client")
    assert "www-authenticate" not in response.headers
    assert tenants.b.client_secret not in str(body)


def test_wrong_secret_over_basic_gets_a_basic_challenge(client: TestClient, tenants: Tenants) -> None:
    headers = _basic(tenants.a.client_id, "not-the-secret")
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=headers)
    _oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"] == 'Basic realm="credstack"'


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "client_credentials", "client_id": "unknown-client", "client_secret": "whatever"},
        {"grant_type": "client_credentials"},
        {"grant_type": "client_credentials", "client_id": "unknown-client"},
    ],
    ids=["unknown-client", "no-credentials", "no-secret"],
)
def test_missing_or_unknown_client_is_invalid_client(client: TestClient, form: dict[str, str]) -> None:
    _oauth_error(client.post("/oauth/token", data=form), 401, "invalid_client")


@pytest.mark.parametrize("authorization", ["Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(), "Bearer x"])
def test_malformed_or_foreign_authorization_is_invalid_client(client: TestClient, authorization: str) -> None:
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": authorization}
    )
    _oauth_error(response, 401, "invalid_client")


def test_revoked_client_gets_invalid_grant_only_with_the_right_secret(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    with sessions() as session:
        revoke_client(session, tenants.a.client_id, now=clock())
    _oauth_error(client.post("/oauth/token", data=_form(tenants.a)), 400, "invalid_grant")
    wrong = client.post("/oauth/token", data=_form(tenants.a, client_secret="guess"))
    _oauth_error(wrong, 401, "invalid_client")
    assert request_token(client, tenants.b).status_code == 200


def test_token_endpoint_only_accepts_post(client: TestClient) -> None:
    response = client.get("/oauth/token")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


def test_each_request_gets_a_distinct_token(
    client: TestClient, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    tenant = create_tenant(sessions, "Repeat", now=clock())
    tokens = {request_token(client, tenant).json()["access_token"] for _ in range(3)}
    assert len(tokens) == 3
