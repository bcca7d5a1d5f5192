"""`/api/v1/issuers`: creating did:web and did:key issuers, reading and editing their OB Profile, validation, scopes,
tenancy and the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Hashable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credentials.did import did_key_document
from issuer.repositories.audit import AuditRepository
from schemas.ob import OB_CONTEXT
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.issuers import ISSUERS, PROFILE, create_issuer
from support.tenancy import Tenant, Tenants, assert_isolated

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def test_create_a_did_web_issuer(client: TestClient, tenants: Tenants) -> None:
    response = client.post(ISSUERS, json={**PROFILE, "did_method": "web"}, headers=bearer(client, tenants.a))
    assert response.status_code == 201
    body = response.json()
    issuer_id = uuid.UUID(body["id"])
    assert response.headers["location"] == f"{ISSUERS}/{issuer_id}"
    # The test app's base URL is the default http://127.0.0.1:8000: the port is %3A-encoded (did:web §3.1).
    did = f"did:web:127.0.0.1%3A8000:issuers:{issuer_id}"
    assert body["did"] == did
    assert body["did_method"] == "web"
    assert body["did_document_url"] == f"http://127.0.0.1:8000/issuers/{issuer_id}/did.json"
    assert body["profile_url"] == f"http://127.0.0.1:8000/issuers/{issuer_id}"
    assert body["profile"] == {"@context": [OB_CONTEXT], "id": did, "type": ["Profile"], **PROFILE}


def test_create_a_did_key_issuer(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    body = create_issuer(client, headers, did_method="key")
    assert body["did_method"] == "key"
    assert body["did"].startswith("did:key:z6Mk")
    assert body["profile"]["id"] == body["did"]
    keys = client.get(f"{ISSUERS}/{body['id']}/keys", headers=headers).json()["keys"]
    assert len(keys) == 1
    # The DID is the first key: did:key §3.1.
    assert body["did"] == f"did:key:{keys[0]['public_key_multibase']}"
    assert keys[0]["verification_method"] == f"{body['did']}#{keys[0]['public_key_multibase']}"
    assert client.get(f"/issuers/{body['id']}/did.json").json() == did_key_document(body["did"])


def test_list_get_and_edit(client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    headers = bearer(client, tenants.a)
    first = create_issuer(client, headers, name="First")
    clock.advance(seconds=1)  # listed oldest first
    second = create_issuer(client, headers, name="Second", did_method="key")
    listed = client.get(ISSUERS, headers=headers).json()["issuers"]
    assert [issuer["id"] for issuer in listed] == [first["id"], second["id"]]
    assert client.get(f"{ISSUERS}/{first['id']}", headers=headers).json() == first

    replaced = client.put(f"{ISSUERS}/{first['id']}", json={"name": "Renamed", "phone": "+1 555 0100"}, headers=headers)
    assert replaced.status_code == 200
    profile = replaced.json()["profile"]
    assert profile == {
        "@context": [OB_CONTEXT],
        "id": first["did"],
        "type": ["Profile"],
        "name": "Renamed",
        "phone": "+1 555 0100",
    }, "PUT replaces: members left out are gone, the DID stays"

    patch = {"url": "https://new.example.edu", "phone": None, "address": {"postalCode": "12345"}}
    patched = client.patch(f"{ISSUERS}/{first['id']}", json=patch, headers={**headers, **MERGE_PATCH})
    assert patched.status_code == 200
    profile = patched.json()["profile"]
    assert profile["name"] == "Renamed"
    assert profile["url"] == "https://new.example.edu"
    assert "phone" not in profile
    assert profile["address"] == {"type": ["Address"], "postalCode": "12345"}

    nested = {"address": {"addressLocality": "Sampleton", "postalCode": None}}
    profile = client.patch(f"{ISSUERS}/{first['id']}", json=nested, headers=headers).json()["profile"]
    assert profile["address"] == {"type": ["Address"], "addressLocality": "Sampleton"}, "merge patch is recursive"
    assert client.get(f"/issuers/{first['id']}").json() == profile, "the public Profile shows the edit"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"url": "not a url"}, "url"),
        ({"image": "ftp://example.edu/logo.png"}, "image"),
        ({"image": {"id": "data:text/plain,hello"}}, "image"),
        ({"image": "data:image/png,\u0000"}, "image"),
        ({"image": "https://example.edu/\ud800.png"}, "image"),
        ({"did_method": "jwk"}, "did_method"),
        ({"unknown": True}, "unknown"),
        ({"type": ["Profile", "Other"]}, "type"),
        ({"id": "did:web:evil.example"}, "id"),
        ({"name": None}, "name"),
    ],
)
def test_invalid_profiles_are_422_problems(
    client: TestClient, tenants: Tenants, body: dict[str, Any], field: str
) -> None:
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate), as a hostile client may send it.
    headers = {**bearer(client, tenants.a), "Content-Type": "application/json"}
    response = client.post(ISSUERS, content=json.dumps({**PROFILE, **body}), headers=headers)
    problem = assert_problem(response, 422, "VALIDATION_ERROR")
    assert any(error["loc"][:2] == ["body", field] for error in problem["errors"]), problem["errors"]
    assert all(set(error) == {"loc", "msg", "type"} for error in problem["errors"]), "the input is never echoed"


@pytest.mark.parametrize(
    "body",
    [{"name": None}, {"email": "nope"}, {"did_method": "key"}, {"id": "did:web:evil.example"}, {"parentOrg": {}}],
)
def test_invalid_patches_are_422_problems(client: TestClient, tenants: Tenants, body: dict[str, Any]) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)
    problem = assert_problem(
        client.patch(f"{ISSUERS}/{issuer['id']}", json=body, headers=headers), 422, "VALIDATION_ERROR"
    )
    assert all(error["loc"][0] == "body" for error in problem["errors"])
    assert client.get(f"{ISSUERS}/{issuer['id']}", headers=headers).json() == issuer, "nothing changed"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b"[1, 2]", "application/json"), (b"{", "application/json"), (b"name=x", "application/x-www-form-urlencoded")],
)
def test_unusable_bodies_are_422_problems(
    client: TestClient, tenants: Tenants, content: bytes, content_type: str
) -> None:
    issuer = create_issuer(client, bearer(client, tenants.a))
    headers = {**bearer(client, tenants.a), "Content-Type": content_type}
    assert_problem(client.post(ISSUERS, content=content, headers=headers), 422, "VALIDATION_ERROR")
    assert_problem(client.patch(f"{ISSUERS}/{issuer['id']}", content=content, headers=headers), 422, "VALIDATION_ERROR")


@pytest.mark.parametrize("issuer_id", ["3f0c2a8e-5b1d-4e7a-9c46-0d2b8f1e7a55", "not-a-uuid", "1" * 5000])
def test_unknown_issuers_are_404(client: TestClient, tenants: Tenants, issuer_id: str) -> None:
    headers = bearer(client, tenants.a)
    for response in (
        client.get(f"{ISSUERS}/{issuer_id}", headers=headers),
        client.put(f"{ISSUERS}/{issuer_id}", json=PROFILE, headers=headers),
        client.patch(f"{ISSUERS}/{issuer_id}", json={"name": "x"}, headers=headers),
        client.get(f"{ISSUERS}/{issuer_id}/keys", headers=headers),
        client.post(f"{ISSUERS}/{issuer_id}/keys/rotate", headers=headers),
        client.post(f"{ISSUERS}/{issuer_id}/keys/key-1/retire", headers=headers),
        client.get(f"/issuers/{issuer_id}"),
        client.get(f"/issuers/{issuer_id}/did.json"),
    ):
        assert_problem(response, 404, "NOT_FOUND")


def test_changes_need_issuers_write(client: TestClient, tenants: Tenants) -> None:
    issuer = create_issuer(client, bearer(client, tenants.a))
    reader = bearer(client, tenants.a, "credentials:read achievements:write credentials:issue")
    for response in (
        client.post(ISSUERS, json=PROFILE, headers=reader),
        client.put(f"{ISSUERS}/{issuer['id']}", json=PROFILE, headers=reader),
        client.patch(f"{ISSUERS}/{issuer['id']}", json={"name": "x"}, headers=reader),
        client.post(f"{ISSUERS}/{issuer['id']}/keys/rotate", headers=reader),
        client.post(f"{ISSUERS}/{issuer['id']}/keys/key-1/retire", headers=reader),
    ):
        problem = assert_problem(response, 403, "INSUFFICIENT_SCOPE")
        assert "issuers:write" in problem["detail"]
    for scope in ("issuers:write", "achievements:write", "credentials:issue", "credentials:read"):
        headers = bearer(client, tenants.a, scope)
        assert client.get(ISSUERS, headers=headers).status_code == 200
        assert client.get(f"{ISSUERS}/{issuer['id']}", headers=headers).status_code == 200
        assert client.get(f"{ISSUERS}/{issuer['id']}/keys", headers=headers).status_code == 200
    assert_problem(
        client.get(ISSUERS, headers=bearer(client, tenants.a, "credentials:revoke")), 403, "INSUFFICIENT_SCOPE"
    )
    assert_problem(client.get(ISSUERS), 401, "AUTHENTICATION_REQUIRED")
    assert_problem(client.post(ISSUERS, json=PROFILE), 401, "AUTHENTICATION_REQUIRED")


@dataclass
class IssuerApiProbe:
    """Tenancy through HTTP: each tenant with its own token; a 404 means "not visible"."""

    client: TestClient

    def headers(self, tenant: Tenant) -> dict[str, str]:
        return bearer(self.client, tenant)

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        response = self.client.get(f"{ISSUERS}/{row_id}", headers=self.headers(tenant))
        if response.status_code == 404:
            return None
        keys = self.client.get(f"{ISSUERS}/{row_id}/keys", headers=self.headers(tenant)).json()["keys"]
        return response.json()["profile"], [(key["key_id"], key["state"]) for key in keys]

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        return [issuer["id"] for issuer in self.client.get(ISSUERS, headers=self.headers(tenant)).json()["issuers"]]

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        headers = self.headers(tenant)
        attempts = [
            self.client.patch(f"{ISSUERS}/{row_id}", json={"name": f"renamed by {tenant.name}"}, headers=headers),
            self.client.put(f"{ISSUERS}/{row_id}", json={"name": f"replaced by {tenant.name}"}, headers=headers),
            self.client.post(f"{ISSUERS}/{row_id}/keys/rotate", headers=headers),
            self.client.post(f"{ISSUERS}/{row_id}/keys/key-1/retire", headers=headers),
        ]
        statuses = {response.status_code for response in attempts}
        assert statuses in ({200, 201}, {404}), statuses
        return statuses != {404}


def test_one_organization_cannot_see_or_change_anothers_issuers(client: TestClient, tenants: Tenants) -> None:
    issuer_a = create_issuer(client, bearer(client, tenants.a))
    create_issuer(client, bearer(client, tenants.b))
    assert_isolated(IssuerApiProbe(client), owner=tenants.a, intruder=tenants.b, row_id=issuer_a["id"])


def test_every_change_is_audited(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)
    path = f"{ISSUERS}/{issuer['id']}"
    changes = [
        lambda: client.put(path, json=PROFILE, headers=headers),
        lambda: client.patch(path, json={"name": "Patched"}, headers=headers),
        lambda: client.post(f"{path}/keys/rotate", headers=headers),
        lambda: client.post(f"{path}/keys/key-1/retire", json={"reason": "found in a public backup"}, headers=headers),
        lambda: client.post(f"{path}/keys/key-1/retire", headers=headers),  # idempotent: no second entry
    ]
    for change in changes:
        clock.advance(seconds=1)  # entries are ordered by time
        assert change().status_code in (200, 201)
    with sessions() as session:
        entries = [e for e in AuditRepository(session, tenants.a.organization_id).entries() if "issuer" in e.action]
    actor = f"client:{tenants.a.client_id}"
    assert [(e.actor, e.action, e.subject, e.reason) for e in entries] == [
        (actor, "issuer.create", f"issuer:{issuer['id']}", None),
        (actor, "issuer.update", f"issuer:{issuer['id']}", None),
        (actor, "issuer.update", f"issuer:{issuer['id']}", None),
        (actor, "issuer_key.rotate", f"issuer_key:{issuer['id']}/key-2", None),
        (actor, "issuer_key.retire", f"issuer_key:{issuer['id']}/key-1", "found in a public backup"),
    ]
