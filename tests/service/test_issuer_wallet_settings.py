"""Issue 6 issuer settings: the LinkedIn organization id and the OpenID4VCI proof mode (SQLite and PostgreSQL).

Settings are not OB Profile members: they never appear in the public Profile, a PUT that leaves one out keeps it,
and in a merge patch null keeps it too, except the LinkedIn id, which null removes.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from support.api import assert_problem, bearer
from support.issuers import ISSUERS, PROFILE
from support.tenancy import Tenants

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def _create(client: TestClient, headers: dict[str, str], **settings: Any) -> dict[str, Any]:
    response = client.post(ISSUERS, json={**PROFILE, **settings}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_defaults(client: TestClient, tenants: Tenants) -> None:
    body = _create(client, bearer(client, tenants.a))
    assert body["linkedin_organization_id"] is None
    assert body["wallet_proof_mode"] == "compat"


def test_settings_are_kept_apart_from_the_public_profile(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    body = _create(client, headers, linkedin_organization_id="1337", wallet_proof_mode="strict")
    assert (body["linkedin_organization_id"], body["wallet_proof_mode"]) == ("1337", "strict")
    public = client.get(f"/issuers/{body['id']}").json()
    assert "linkedin_organization_id" not in public and "wallet_proof_mode" not in public


def test_put_without_settings_keeps_them(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    created = _create(client, headers, linkedin_organization_id="1337", wallet_proof_mode="strict")
    replaced = client.put(f"{ISSUERS}/{created['id']}", json={**PROFILE, "name": "Renamed"}, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["linkedin_organization_id"], replaced.json()["wallet_proof_mode"]) == ("1337", "strict")
    changed = client.put(f"{ISSUERS}/{created['id']}", json={**PROFILE, "wallet_proof_mode": "compat"}, headers=headers)
    assert changed.json()["wallet_proof_mode"] == "compat"


def test_merge_patch_null_removes_the_linkedin_id_but_keeps_the_mode(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    created = _create(client, headers, linkedin_organization_id="1337", wallet_proof_mode="strict")
    url = f"{ISSUERS}/{created['id']}"
    patched = client.patch(url, json={"linkedin_organization_id": "42"}, headers={**headers, **MERGE_PATCH})
    assert patched.status_code == 200, patched.text
    assert patched.json()["linkedin_organization_id"] == "42"
    cleared = client.patch(
        url, json={"linkedin_organization_id": None, "wallet_proof_mode": None}, headers={**headers, **MERGE_PATCH}
    ).json()
    assert (cleared["linkedin_organization_id"], cleared["wallet_proof_mode"]) == (None, "strict")
    assert client.get(url, headers=headers).json()["linkedin_organization_id"] is None


@pytest.mark.parametrize(
    "settings",
    [
        {"linkedin_organization_id": "acme"},
        {"linkedin_organization_id": "1" * 21},
        {"linkedin_organization_id": 1337},
        {"wallet_proof_mode": "lenient"},
    ],
)
def test_invalid_settings_are_422(client: TestClient, tenants: Tenants, settings: dict[str, Any]) -> None:
    headers = bearer(client, tenants.a)
    assert_problem(client.post(ISSUERS, json={**PROFILE, **settings}, headers=headers), 422, "VALIDATION_ERROR")
    created = _create(client, headers)
    patched = client.patch(f"{ISSUERS}/{created['id']}", json=settings, headers={**headers, **MERGE_PATCH})
    body = assert_problem(patched, 422, "VALIDATION_ERROR")
    assert body["errors"][0]["loc"][:2] == ["body", next(iter(settings))]
