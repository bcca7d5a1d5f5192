"""`require_scope`: bearer tokens (RFC 6750 §2.1), 401/403 problem+json, expiry and client revocation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credstack.app import create_app
from credstack.settings import Settings
from issuer.api_clients import revoke_client
from issuer.dependencies import require_scope
from issuer.principal import Principal
from issuer.scopes import Scope
from support.api import assert_problem, bearer, request_token
from support.clock import FakeClock
from support.tenancy import Tenants

PROTECTED = "/test/issuers-write"


@pytest.fixture
def protected(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[TestClient]:
    """An app of its own (not the shared one of support.apps: a route is added) plus one route that needs
    `issuers:write` and echoes the principal."""
    app = create_app(Settings(data_dir=tmp_path, database_url=database_url), clock=clock)

    def whoami(principal: Annotated[Principal, Depends(require_scope(Scope.ISSUERS_WRITE))]) -> dict[str, object]:
        return {
            "organization_id": str(principal.organization_id),
            "client_id": principal.client_id,
            "scopes": sorted(principal.scopes),
        }

    app.add_api_route(PROTECTED, whoami, methods=["GET"])
    with TestClient(app) as client:
        yield client


def test_valid_token_yields_the_principal(protected: TestClient, tenants: Tenants) -> None:
    response = protected.get(PROTECTED, headers=bearer(protected, tenants.a, "issuers:write credentials:read"))
    assert response.status_code == 200
    assert response.json() == {
        "organization_id": str(tenants.a.organization_id),
        "client_id": tenants.a.client_id,
        "scopes": ["credentials:read", "issuers:write"],
    }


def test_missing_token_is_401_with_a_bearer_challenge(protected: TestClient) -> None:
    response = protected.get(PROTECTED)
    assert_problem(response, 401, "AUTHENTICATION_REQUIRED")
    assert response.headers["www-authenticate"] == 'Bearer realm="credstack"'


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Bearer", "Basic Zm9vOmJhcg==", "Bearer a b"])
def test_unusable_authorization_is_401(protected: TestClient, authorization: str) -> None:
    response = protected.get(PROTECTED, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer ")


def test_unknown_token_is_invalid_token(protected: TestClient) -> None:
    response = protected.get(PROTECTED, headers={"Authorization": "Bearer " + "A" * 43})
    assert_problem(response, 401, "INVALID_TOKEN")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_missing_scope_is_403_insufficient_scope(protected: TestClient, tenants: Tenants) -> None:
    response = protected.get(PROTECTED, headers=bearer(protected, tenants.a, "credentials:read"))
    body = assert_problem(response, 403, "INSUFFICIENT_SCOPE")
    assert "issuers:write" in body["detail"]
    assert response.headers["www-authenticate"] == (
        'Bearer realm="credstack", error="insufficient_scope", scope="issuers:write"'
    )


def test_token_expires_after_one_hour(protected: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    headers = bearer(protected, tenants.a)
    clock.advance(minutes=59, seconds=59)
    assert protected.get(PROTECTED, headers=headers).status_code == 200
    clock.advance(seconds=1)
    assert_problem(protected.get(PROTECTED, headers=headers), 401, "INVALID_TOKEN")


def test_revoking_the_client_stops_its_tokens(
    protected: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    headers_a, headers_b = bearer(protected, tenants.a), bearer(protected, tenants.b)
    with sessions() as session:
        revoke_client(session, tenants.a.client_id, now=clock(), reason="leaked")
    assert_problem(protected.get(PROTECTED, headers=headers_a), 401, "INVALID_TOKEN")
    assert protected.get(PROTECTED, headers=headers_b).status_code == 200
    assert request_token(protected, tenants.a).json()["error"] == "invalid_grant"


def test_openapi_describes_the_client_credentials_scheme(protected: TestClient) -> None:
    spec = protected.get("/openapi.json").json()
    flow = spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token"
    assert set(flow["scopes"]) == {str(s) for s in Scope}
    assert spec["paths"][PROTECTED]["get"]["security"] == [{"oauth2": ["issuers:write"]}]
    token_body = spec["paths"]["/oauth/token"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in token_body
