"""Public issuer documents: the OB Profile and the DID document without a token, did:web resolution of the service's
issuers over https (the app behind httpx.ASGITransport), and local resolution for a plain-http base URL that still
leaves every other did:web DID to https (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credentials.did import (
    DidNotFound,
    DidResolverRegistry,
    DidWebResolver,
    InvalidDid,
    default_registry,
    did_web_to_url,
)
from credentials.http import AddressPolicy
from credstack.app import create_app
from credstack.settings import Settings
from issuer.did_documents import local_documents
from schemas.ob import OB_CONTEXT
from support.api import bearer
from support.clock import FakeClock
from support.issuers import PROFILE, create_issuer
from support.tenancy import Tenants

HTTPS_BASE = "https://badges.test"
PUBLIC_IP = "93.184.215.14"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


async def fake_public_dns(host: str, port: int) -> list[str]:
    return [PUBLIC_IP]


def refuse_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing may be fetched here: {request.url}")


@pytest.fixture
def https_app(database_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    settings = Settings(data_dir=tmp_path, database_url=database_url, base_url=HTTPS_BASE)
    return create_app(settings, clock=clock)


@pytest.fixture
def https_client(https_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(https_app, base_url=HTTPS_BASE) as client:
        yield client


def test_the_profile_is_public_json_ld(client: TestClient, tenants: Tenants) -> None:
    issuer = create_issuer(client, bearer(client, tenants.a))
    response = client.get(f"/issuers/{issuer['id']}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.json() == {"@context": [OB_CONTEXT], "id": issuer["did"], "type": ["Profile"], **PROFILE}
    as_json = client.get(f"/issuers/{issuer['id']}", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"
    revalidated = client.get(f"/issuers/{issuer['id']}", headers={"If-None-Match": response.headers["etag"]})
    assert revalidated.status_code == 304


def test_the_did_document_is_public(client: TestClient, tenants: Tenants) -> None:
    issuer = create_issuer(client, bearer(client, tenants.a))
    response = client.get(f"/issuers/{issuer['id']}/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did+json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=300"
    document = response.json()
    did = issuer["did"]
    method = f"{did}#key-1"
    assert document == {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": document_key(document)}
        ],
        "assertionMethod": [method],
        "authentication": [method],
    }
    assert document_key(document).startswith("z6Mk")


def document_key(document: dict[str, Any]) -> str:
    key: str = document["verificationMethod"][0]["publicKeyMultibase"]
    return key


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/did+json"),
        ("application/json", "application/json"),
        ("application/did+ld+json", "application/did+ld+json"),
        ("application/did+json, application/did+ld+json, application/json;q=0.9", "application/did+json"),
        ("*/*", "application/did+json"),
        ("text/html", "application/did+json"),
    ],
)
def test_did_document_media_types(client: TestClient, tenants: Tenants, accept: str | None, media_type: str) -> None:
    issuer = create_issuer(client, bearer(client, tenants.a))
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(f"/issuers/{issuer['id']}/did.json", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.json()["id"] == issuer["did"]


async def test_did_web_resolves_against_the_app_over_https(
    https_app: FastAPI, https_client: TestClient, tenants: Tenants
) -> None:
    """did:web §3.2 as any verifier runs it: the DID maps to our URL, the document's id is the DID."""
    issuer = create_issuer(https_client, bearer(https_client, tenants.a))
    did = issuer["did"]
    assert did == f"did:web:badges.test:issuers:{issuer['id']}"
    assert did_web_to_url(did) == issuer["did_document_url"] == f"{HTTPS_BASE}/issuers/{issuer['id']}/did.json"
    requested: list[tuple[str, str | None]] = []

    async def record(request: httpx.Request) -> None:
        requested.append((request.url.path, request.headers.get("host")))

    transport = httpx.ASGITransport(app=https_app)
    async with httpx.AsyncClient(transport=transport, event_hooks={"request": [record]}) as http:
        registry = default_registry(http, policy=AddressPolicy(resolve_host=fake_public_dns))
        document = await registry.resolve(did)
        method = await registry.dereference_verification_method(f"{did}#key-1")
    assert requested == [(f"/issuers/{issuer['id']}/did.json", "badges.test")]
    assert document == https_client.get(f"/issuers/{issuer['id']}/did.json").json()
    assert method.controller == did == issuer["profile"]["id"]
    assert "assertionMethod" in method.relationships


async def test_an_http_base_url_resolves_its_own_issuers_locally(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    """The service's own did:web DIDs come from its database; no request is made, https is not loosened."""
    issuer = create_issuer(client, bearer(client, tenants.a))
    did = issuer["did"]
    assert did.startswith("did:web:127.0.0.1%3A8000:issuers:")
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse_network)) as http:
        policy = AddressPolicy(resolve_host=fake_public_dns)
        local = default_registry(http, policy=policy, local_documents=local_documents(sessions))
        assert await local.resolve(did) == client.get(f"/issuers/{issuer['id']}/did.json").json()
        method = await local.dereference_verification_method(f"{did}#key-1")
        assert method.controller == did
        with pytest.raises(InvalidDid):
            # Without the hook the same DID is refused: did:web names no IP addresses and is fetched only over https.
            await default_registry(http, policy=policy).resolve(did)
        with pytest.raises(InvalidDid):
            # A DID on the same host that is not one of ours is not answered locally, nor fetched over http.
            await local.resolve(f"did:web:127.0.0.1%3A8000:issuers:{uuid.uuid4()}")


async def test_foreign_did_web_dids_still_go_to_https(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    create_issuer(client, bearer(client, tenants.a))
    requested: list[str] = []

    def not_found(request: httpx.Request) -> httpx.Response:
        requested.append(f"{request.url.scheme}://{request.headers['host']}{request.url.path}")
        return httpx.Response(404)

    async with httpx.AsyncClient(transport=httpx.MockTransport(not_found)) as http:
        resolver = DidWebResolver(http, AddressPolicy(resolve_host=fake_public_dns))
        registry = DidResolverRegistry({"web": resolver}, local_documents=local_documents(sessions))
        with pytest.raises(DidNotFound):
            await registry.resolve("did:web:other.example:issuers:42")
    assert requested == ["https://other.example/issuers/42/did.json"]
