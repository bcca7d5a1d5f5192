"""Issue 6 LMS API (SQLite and PostgreSQL): `POST /api/v1/credentials/{id}/claim-link` and `.../offers`: shapes,
expiry, supersession, scopes, tenancy, refusals, and no 500 for any body."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.achievements import BASE_URL
from support.api import assert_problem, bearer
from support.claims import assert_html, issue_and_claim, new_claim_link, revoke
from support.clock import FakeClock
from support.issuance import CREDENTIALS, issue, issuing
from support.tenancy import Tenants

SVG = "{http://www.w3.org/2000/svg}"


def offers(client: TestClient, headers: dict[str, str], row_id: str, body: Any) -> Any:
    return client.post(f"{CREDENTIALS}/{row_id}/offers", json=body, headers=headers)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_claim_link_defaults_to_30_days(client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    response = new_claim_link(client, setup, row_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"claim_url", "expires_at"}
    assert re.fullmatch(rf"{re.escape(BASE_URL)}/claim/[A-Za-z0-9_-]{{43}}", body["claim_url"])
    assert at(body["expires_at"]) == clock() + timedelta(days=30)
    assert client.get(urlsplit(body["claim_url"]).path).status_code == 200


def test_claim_link_lifetime_and_expiry(client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    body = new_claim_link(client, setup, row_id, expires_in=3600).json()
    assert at(body["expires_at"]) == clock() + timedelta(hours=1)
    path = urlsplit(body["claim_url"]).path
    clock.advance(minutes=59)
    assert client.get(path).status_code == 200
    clock.advance(minutes=1)
    assert_html(client.get(path), 410)
    fresh = replace(setup, headers=bearer(client, tenants.a))  # the first token expired with the link
    longest = new_claim_link(client, fresh, row_id, expires_in=366 * 86_400).json()
    assert at(longest["expires_at"]) == clock() + timedelta(days=366)


def test_a_new_claim_link_supersedes_the_old_one(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    newer = new_claim_link(client, setup, claimed.row_id).json()["claim_url"]
    assert newer != claimed.claim_url
    old = client.get(claimed.path)
    assert_html(old, 410)
    assert "expired" in old.text
    assert client.get(urlsplit(newer).path).status_code == 200
    assert client.get(f"{claimed.path}/credential.json").status_code == 410


def test_a_revoked_credential_gets_a_claim_link_that_shows_the_status(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    revoke(client, setup, row_id)
    response = new_claim_link(client, setup, row_id)
    assert response.status_code == 201
    page = client.get(urlsplit(response.json()["claim_url"]).path)
    assert page.status_code == 200
    assert "Revoked" in page.text


@pytest.mark.parametrize("path", ["claim-link", "offers"])
def test_other_organizations_and_unknown_credentials_are_404(client: TestClient, tenants: Tenants, path: str) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    intruder = bearer(client, tenants.b)
    body = {"protocol": "lcw"} if path == "offers" else None
    for credential_id, headers in (
        (row_id, intruder),
        ("6b9e1d34-7c2f-4a85-b0e3-9f4d2c1a8e67", setup.headers),
        ("not-a-uuid", setup.headers),
    ):
        response = client.post(f"{CREDENTIALS}/{credential_id}/{path}", json=body, headers=headers)
        assert_problem(response, 404, "NOT_FOUND")


@pytest.mark.parametrize("path", ["claim-link", "offers"])
def test_the_issue_scope_is_needed(client: TestClient, tenants: Tenants, path: str) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    url = f"{CREDENTIALS}/{row_id}/{path}"
    body = {"protocol": "oid4vci"} if path == "offers" else None
    assert_problem(client.post(url, json=body), 401, "AUTHENTICATION_REQUIRED")
    reader = bearer(client, tenants.a, "credentials:read credentials:revoke")
    assert_problem(client.post(url, json=body, headers=reader), 403, "INSUFFICIENT_SCOPE")
    issuer_only = bearer(client, tenants.a, "credentials:issue")
    assert client.post(url, json=body, headers=issuer_only).status_code == 201


def _qr_title(svg: str) -> str:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text
    return title.text


def test_oid4vci_offer(client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    response = offers(client, setup.headers, row_id, {"protocol": "oid4vci"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"offer_uri", "qr_svg", "expires_at", "offer_by_value_uri"}
    scheme, query = body["offer_uri"].split("?", 1)
    assert scheme == "openid-credential-offer://"
    reference = parse_qs(query)["credential_offer_uri"][0]
    assert reference.startswith(f"{BASE_URL}/oid4vci/offers/")
    by_value = json.loads(parse_qs(body["offer_by_value_uri"].split("?", 1)[1])["credential_offer"][0])
    assert by_value["credential_issuer"] == f"{BASE_URL}/issuers/{setup.issuer['id']}"
    assert by_value["credential_configuration_ids"] == ["OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"]
    grant = by_value["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert "tx_code" not in grant
    assert at(body["expires_at"]) == clock() + timedelta(minutes=10)
    assert "OpenID4VCI" in _qr_title(body["qr_svg"])


def test_oid4vci_offer_with_tx_code_and_one_configuration(
    client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    body = {"protocol": "oid4vci", "tx_code": True, "configuration_ids": ["OpenBadgeCredential_jwt_vc_json"]}
    made = offers(client, setup.headers, row_id, body | {"expires_in": 3600}).json()
    assert re.fullmatch(r"[0-9]{6}", made["tx_code"])
    by_value = json.loads(parse_qs(made["offer_by_value_uri"].split("?", 1)[1])["credential_offer"][0])
    assert by_value["credential_configuration_ids"] == ["OpenBadgeCredential_jwt_vc_json"]
    grant = by_value["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert grant["tx_code"]["length"] == 6 and grant["tx_code"]["input_mode"] == "numeric"
    assert made["tx_code"] not in made["offer_uri"] + made["offer_by_value_uri"]
    assert at(made["expires_at"]) == clock() + timedelta(hours=1)


def test_lcw_offer_is_the_deep_link(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    made = offers(client, setup.headers, row_id, {"protocol": "lcw"}).json()
    assert set(made) == {"offer_uri", "qr_svg", "expires_at"}
    base, query = made["offer_uri"].split("?", 1)
    assert base == "https://lcw.app/request.html"
    # LCW splits on the first `?` and parses the rest as a query string: vc_request_url must survive that.
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    assert set(params) == {"issuer", "auth_type", "challenge", "vc_request_url"}
    assert unquote(params["vc_request_url"]).startswith(f"{BASE_URL}/exchanges/")
    assert "Learner Credential Wallet" in _qr_title(made["qr_svg"])


def test_vcapi_offer_is_the_interaction_url(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    for body in ({"protocol": "vcapi"}, {"protocol": "vcapi", "holder_binding": False}):
        made = offers(client, setup.headers, row_id, body).json()
        assert re.fullmatch(rf"{re.escape(BASE_URL)}/interactions/[A-Za-z0-9_-]+\?iuv=1", made["offer_uri"])
        assert len(made["offer_uri"]) <= 400
        assert "tx_code" not in made


@pytest.mark.parametrize("action", ["revoke", "suspend"])
def test_no_offers_for_revoked_or_suspended_credentials(client: TestClient, tenants: Tenants, action: str) -> None:
    setup = issuing(client, tenants.a, suspension=True)
    row_id = issue(client, setup).json()["id"]
    assert client.post(f"{CREDENTIALS}/{row_id}/{action}", headers=setup.headers).status_code == 200
    for protocol in ("oid4vci", "lcw", "vcapi"):
        response = offers(client, setup.headers, row_id, {"protocol": protocol})
        assert_problem(response, 409, "CREDENTIAL_NOT_CLAIMABLE")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"protocol": "didcomm"},
        {"protocol": "lcw", "tx_code": True},
        {"protocol": "vcapi", "tx_code": True},
        {"protocol": "oid4vci", "tx_code": "yes"},
        {"protocol": "oid4vci", "holder_binding": False},
        {"protocol": "lcw", "configuration_ids": ["OpenBadgeCredential_ldp_vc"]},
        {"protocol": "oid4vci", "configuration_ids": []},
        {"protocol": "oid4vci", "configuration_ids": ["mso_mdoc"]},
        {"protocol": "oid4vci", "expires_in": 0},
        {"protocol": "oid4vci", "expires_in": 7 * 86_400 + 1},
        {"protocol": "oid4vci", "expires_in": "60"},
        {"protocol": "oid4vci", "surprise": 1},
        [],
        "oid4vci",
        None,
    ],
)
def test_unusable_offer_bodies_are_422(client: TestClient, tenants: Tenants, body: Any) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    assert_problem(offers(client, setup.headers, row_id, body), 422, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    "content",
    [
        '{"expires_in": 0}',
        '{"expires_in": 31622401}',
        '{"expires_in": 1.5}',
        '{"expires_in": "3600"}',
        '{"expires_in": null}',
        '{"lifetime": 60}',
        "[]",
        '"soon"',
        "{",
    ],
)
def test_unusable_claim_link_bodies_are_422(client: TestClient, tenants: Tenants, content: str) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    headers = {**setup.headers, "Content-Type": "application/json"}
    response = client.post(f"{CREDENTIALS}/{row_id}/claim-link", content=content.encode("latin-1"), headers=headers)
    assert_problem(response, 422, "VALIDATION_ERROR")


def test_a_body_that_is_not_utf8_is_400(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    headers = {**setup.headers, "Content-Type": "application/json"}
    for path in ("claim-link", "offers"):
        response = client.post(f"{CREDENTIALS}/{row_id}/{path}", content=b'{"protocol": "\xff"}', headers=headers)
        assert_problem(response, 400, "BAD_REQUEST")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
OFFER_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "protocol": st.sampled_from(["oid4vci", "lcw", "vcapi", "x"]) | JSON_VALUES,
        "tx_code": st.booleans() | JSON_VALUES,
        "holder_binding": st.booleans() | JSON_VALUES,
        "configuration_ids": st.lists(st.sampled_from(["OpenBadgeCredential_ldp_vc", "x"]), max_size=3) | JSON_VALUES,
        "expires_in": st.integers(-10, 10**7) | JSON_VALUES,
    },
)


def test_no_body_makes_a_500(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=OFFER_LIKE | JSON_VALUES, link_body=JSON_VALUES)
    def answers(body: Any, link_body: Any) -> None:
        assert offers(client, setup.headers, row_id, body).status_code in {201, 422}
        link = client.post(f"{CREDENTIALS}/{row_id}/claim-link", json=link_body, headers=setup.headers)
        assert link.status_code in {201, 422}

    answers()
