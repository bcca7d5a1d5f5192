"""OpenID4VCI 1.0 §12.2 Credential Issuer metadata and RFC 8414 AS metadata per issuer (SQLite and PostgreSQL), at
every URL real clients ask (WALLETS.md §2.2-§2.4), and the Credential Offer by reference (§4.1.3)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from issuer.wallets.offers import TX_CODE_DESCRIPTION
from support.achievements import BASE_URL
from support.api import bearer
from support.clock import FakeClock
from support.issuers import ISSUERS, create_issuer
from support.oid4vci import JWT, LDP, award, make_offer
from support.tenancy import Tenants

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OB_CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def issuer_metadata_urls(issuer_id: str) -> list[str]:
    inserted = f"/.well-known/openid-credential-issuer/issuers/{issuer_id}"
    appended = f"/issuers/{issuer_id}/.well-known/openid-credential-issuer"
    return [inserted, f"{inserted}/", appended, f"{appended}/"]


def server_metadata_urls(issuer_id: str) -> list[str]:
    urls = []
    for document in ("oauth-authorization-server", "openid-configuration"):
        inserted = f"/.well-known/{document}/issuers/{issuer_id}"
        appended = f"/issuers/{issuer_id}/.well-known/{document}"
        urls += [inserted, f"{inserted}/", appended, f"{appended}/"]
    return urls


def _get_json(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 200, (url, response.text)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    body: dict[str, Any] = response.json()
    return body


def test_credential_issuer_metadata(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers, image={"id": "https://examples.example.edu/logo.png", "caption": "Crest"})
    issuer_url = f"{BASE_URL}/issuers/{issuer['id']}"
    documents = [_get_json(client, url) for url in issuer_metadata_urls(issuer["id"])]
    assert all(document == documents[0] for document in documents)
    metadata = documents[0]
    assert metadata["credential_issuer"] == issuer_url == metadata["issuer"]
    assert metadata["credential_endpoint"] == f"{BASE_URL}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{BASE_URL}/oid4vci/nonce"
    assert metadata["notification_endpoint"] == f"{BASE_URL}/oid4vci/notification"
    assert metadata["token_endpoint"] == f"{BASE_URL}/oid4vci/token"
    assert metadata["authorization_details_types_supported"] == ["openid_credential"]
    assert "deferred_credential_endpoint" not in metadata and "authorization_servers" not in metadata
    assert metadata["display"] == [
        {"name": "Faculty of Examples", "logo": {"uri": "https://examples.example.edu/logo.png", "alt_text": "Crest"}}
    ]
    configurations = metadata["credential_configurations_supported"]
    assert set(configurations) == {LDP, JWT}
    ldp, jwt = configurations[LDP], configurations[JWT]
    assert (ldp["format"], jwt["format"]) == ("ldp_vc", "jwt_vc_json")
    assert ldp["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
    assert jwt["credential_signing_alg_values_supported"] == ["EdDSA"]
    assert ldp["credential_definition"] == {"@context": OB_CONTEXTS, "type": TYPES}
    assert jwt["credential_definition"] == {"type": TYPES}
    for configuration in (ldp, jwt):
        assert configuration["cryptographic_binding_methods_supported"] == ["did:key", "did:jwk"]
        assert configuration["proof_types_supported"] == {
            "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}
        }
        display = configuration["credential_metadata"]["display"]
        assert display[0]["name"].startswith("Open Badge") and "Faculty of Examples" in display[0]["description"]
    paths = [claim["path"] for claim in ldp["credential_metadata"]["claims"]]
    assert ["credentialSubject", "achievement", "name"] in paths and ["issuer", "name"] in paths


def test_logo_from_a_data_uri_and_none_without_image(client: TestClient, tenants: Tenants) -> None:
    issuer = create_issuer(client, bearer(client, tenants.a), image="data:image/png;base64,iVBORw0KGgo=")
    logo = _get_json(client, issuer_metadata_urls(issuer["id"])[0])["display"][0]["logo"]
    assert logo == {"uri": "data:image/png;base64,iVBORw0KGgo=", "alt_text": "Faculty of Examples logo"}
    plain = create_issuer(client, bearer(client, tenants.b))
    assert _get_json(client, issuer_metadata_urls(plain["id"])[0])["display"] == [{"name": "Faculty of Examples"}]


def test_authorization_server_metadata(client: TestClient, tenants: Tenants) -> None:
    issuer = create_issuer(client, bearer(client, tenants.a))
    documents = [_get_json(client, url) for url in server_metadata_urls(issuer["id"])]
    assert all(document == documents[0] for document in documents)
    assert documents[0] == {
        "issuer": f"{BASE_URL}/issuers/{issuer['id']}",
        "token_endpoint": f"{BASE_URL}/oid4vci/token",
        "grant_types_supported": [PRE_AUTH],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "authorization_details_types_supported": ["openid_credential"],
        "response_types_supported": [],
    }


@pytest.mark.parametrize("issuer_id", ["9a4e2c71-3b8d-4f60-a5e9-2d7c1b0f8e36", "not-a-uuid", "0" * 500])
def test_unknown_issuer_is_404(client: TestClient, issuer_id: str) -> None:
    for url in issuer_metadata_urls(issuer_id) + server_metadata_urls(issuer_id):
        assert client.get(url, follow_redirects=False).status_code == 404, url


def test_the_issuer_profile_url_is_unchanged(client: TestClient, tenants: Tenants) -> None:
    """The Credential Issuer identifier is the OB Profile's URL; the metadata routes must not shadow it."""
    issuer = create_issuer(client, bearer(client, tenants.a))
    profile = client.get(f"{ISSUERS.removeprefix('/api/v1')}/{issuer['id']}")
    assert profile.status_code == 200 and profile.json()["name"] == "Faculty of Examples"


def test_offer_by_reference(app: FastAPI, client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    given = award(client, tenants.a)
    offer = make_offer(app, given, tx_code=True, configuration_ids=(LDP,))
    response = client.get(f"/oid4vci/offers/{offer.handle}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "credential_issuer": given.credential_issuer,
        "credential_configuration_ids": [LDP],
        "grants": {
            PRE_AUTH: {
                "pre-authorized_code": offer.code,
                "tx_code": {"input_mode": "numeric", "length": 6, "description": TX_CODE_DESCRIPTION},
            }
        },
    }
    for unknown in ("x" * 43, "short", "y" * 1000):
        assert client.get(f"/oid4vci/offers/{unknown}").status_code == 404
    clock.advance(minutes=10)
    assert client.get(f"/oid4vci/offers/{offer.handle}").status_code == 404
