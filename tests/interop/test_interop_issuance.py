"""A credential the service issues verifies in the JavaScript reference, with its status lists (SQLite and
PostgreSQL): `POST /api/v1/credentials` from a did:key issuer (the reference resolves did:key offline; a did:web
under the test app's http base URL it cannot), the served `/status-lists/{id}` documents handed to the reference's
checkStatus hook, and after `revoke` the reference reports the credential revoked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsref import JsReference
from sqlalchemy.orm import Session, sessionmaker

from credstack.settings import Settings
from support.apps import service_app
from support.clock import FakeClock
from support.issuance import CREDENTIALS, issue, issued_credential, issuing, status_urls
from support.tenancy import Tenants, two_tenants

BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    return service_app(Settings(data_dir=tmp_path, database_url=database_url, base_url=BASE_URL), clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def tenants(sessions: sessionmaker[Session], clock: FakeClock) -> Tenants:
    return two_tenants(sessions, now=clock())


def served_lists(client: TestClient, credential: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each statusListCredential URL of the credential -> the list credential the service serves there."""
    lists = {}
    for url in status_urls(credential).values():
        response = client.get(url.removeprefix(BASE_URL))
        assert response.status_code == 200, response.text
        lists[url] = response.json()
    return lists


@pytest.mark.parametrize("suspension", [False, True], ids=["revocation", "revocation+suspension"])
def test_issued_credential_verifies_in_the_js_reference_with_its_status(
    client: TestClient, tenants: Tenants, js_reference: JsReference, suspension: bool
) -> None:
    setup = issuing(client, tenants.a, did_method="key", suspension=suspension)
    issued = issue(client, setup)
    credential = issued_credential(issued)
    assert credential["issuer"]["id"].startswith("did:key:z6Mk")

    result = js_reference.verify(credential, check_issuer=True, status_lists=served_lists(client, credential))
    assert result["verified"], result["errors"]
    assert result["allProofsVerified"]
    assert result["status"]["verified"]
    expected = {"revocation", "suspension"} if suspension else {"revocation"}
    assert {(r["purpose"], r["bit"]) for r in result["status"]["results"]} == {(p, 0) for p in expected}

    revoked = client.post(f"{CREDENTIALS}/{issued.json()['id']}/revoke", headers=setup.headers)
    assert revoked.status_code == 200, revoked.text
    result = js_reference.verify(credential, check_issuer=True, status_lists=served_lists(client, credential))
    assert not result["verified"]
    assert not result["status"]["verified"]
    assert {"purpose": "revocation", "bit": 1} in [
        {key: r.get(key) for key in ("purpose", "bit")} for r in result["status"]["results"]
    ]
    assert any("revoked" in error for error in result["errors"]), result["errors"]


def test_the_js_reference_refuses_status_without_the_lists(
    client: TestClient, tenants: Tenants, js_reference: JsReference
) -> None:
    setup = issuing(client, tenants.a, did_method="key")
    credential = issued_credential(issue(client, setup))
    result = js_reference.verify(credential, check_issuer=True)
    assert not result["verified"]
    assert any("checkStatus" in error for error in result["errors"]), result["errors"]


def test_a_forged_status_list_is_refused_by_the_js_reference(
    client: TestClient, tenants: Tenants, js_reference: JsReference
) -> None:
    """The hook verifies the list credential itself: a list from another issuer does not count."""
    setup = issuing(client, tenants.a, did_method="key")
    credential = issued_credential(issue(client, setup))
    other = issuing(client, tenants.a, did_method="key")
    other_credential = issued_credential(issue(client, other))
    [url] = status_urls(credential).values()
    [foreign] = served_lists(client, other_credential).values()
    result = js_reference.verify(credential, check_issuer=True, status_lists={url: foreign})
    assert not result["verified"]
    assert not result["status"]["verified"]
