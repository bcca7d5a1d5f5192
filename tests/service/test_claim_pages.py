"""Issue 6 claim page (SQLite and PostgreSQL): `GET /claim/{token}`, its downloads and its forms."""

from __future__ import annotations

import base64
import json
import re
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from credentials.baking import extract
from issuer.models import Issuer, WalletOffer
from support.achievements import BASE_URL, template
from support.claims import assert_html, issue_and_claim, post_form, publish, revoke
from support.issuance import issuing
from support.tenancy import Tenants

IMAGES = Path(__file__).parents[1] / "fixtures" / "images"
PLAIN_PNG = (IMAGES / "plain-1x1.png").read_bytes()
PLAIN_SVG = (IMAGES / "plain.svg").read_bytes()
NAME = "Café & Data Science"


def _offers(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(WalletOffer.protocol)))


def test_the_page_shows_the_credential(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, template=template(name=NAME))
    claimed = issue_and_claim(client, setup, evidence=[{"id": "https://lms.example/work/7", "name": "Final project"}])
    response = client.get(claimed.path)
    assert_html(response, 200)
    headers = response.headers
    assert (headers["cache-control"], headers["referrer-policy"]) == ("no-store", "same-origin")
    assert headers["x-robots-tag"] == "noindex, nofollow"
    page = response.text
    assert "Café &amp; Data Science" in page
    assert "Faculty of Examples" in page  # the issuer
    assert "Pass the quiz." in page  # the criteria
    assert "Final project" in page  # the evidence
    assert "Active." in page
    assert 'src="data:image/svg+xml;base64,' in page  # the default badge: the achievement has no image
    for download in ("credential.json", "badge.png", "badge.svg"):
        assert f'href="{claimed.path}/{download}"' in page
    assert "<script" not in page


def test_credential_json_is_the_stored_credential(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, template=template(name=NAME))
    claimed = issue_and_claim(client, setup)
    response = client.get(f"{claimed.path}/credential.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vc+ld+json"
    assert response.headers["content-disposition"] == 'attachment; filename="cafe-data-science.json"'
    assert json.loads(response.content) == claimed.issued["credential"]


def test_a_vc_jwt_is_served_as_such(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup, format="jwt")
    response = client.get(f"{claimed.path}/credential.json")
    assert response.headers["content-type"] == "application/vc+jwt"
    assert response.headers["content-disposition"].endswith('.jwt"')
    assert response.text == claimed.issued["credential"]
    assert extract(client.get(f"{claimed.path}/badge.png").content) == claimed.issued["credential"]
    assert extract(client.get(f"{claimed.path}/badge.svg").content) == claimed.issued["credential"]


def test_badges_carry_the_credential(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    stored = client.get(f"{claimed.path}/credential.json").text
    for kind, media_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        response = client.get(f"{claimed.path}/badge.{kind}")
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type
        assert response.headers["content-disposition"] == f'attachment; filename="intro-to-testing.{kind}"'
        assert "sandbox" in response.headers["content-security-policy"]
        assert extract(response.content) == stored


@pytest.mark.parametrize(
    ("image", "png_source", "svg_source"),
    [
        ("data:image/png;base64," + base64.b64encode(PLAIN_PNG).decode(), "png", "png-in-svg"),
        ("data:image/svg+xml;base64," + base64.b64encode(PLAIN_SVG).decode(), "default", "svg"),
        ("https://issuer.example/badge.png", "default", "default"),
    ],
)
def test_badges_bake_into_the_achievement_image_when_we_have_it(
    client: TestClient, tenants: Tenants, image: str, png_source: str, svg_source: str
) -> None:
    setup = issuing(client, tenants.a, template=template(image={"id": image}))
    claimed = issue_and_claim(client, setup)
    png = client.get(f"{claimed.path}/badge.png").content
    svg = client.get(f"{claimed.path}/badge.svg").content
    # The 1x1 fixture PNG keeps its size; the default badge is 256 px wide.
    assert int.from_bytes(png[16:20], "big") == (1 if png_source == "png" else 256)
    marker = {"svg": b'fill="#2a6"', "png-in-svg": b"<image ", "default": b'r="124"'}[svg_source]
    assert marker in svg
    stored = client.get(f"{claimed.path}/credential.json").text
    assert extract(png) == extract(svg) == stored


def test_unknown_and_malformed_tokens_are_404_pages(client: TestClient) -> None:
    for path in ("/claim/%C3%A9" + "x" * 40, "/claim/" + "A" * 5000, "/claim/%00" * 3, "/claim/..%2F..%2Fhealthz"):
        assert client.get(path).status_code == 404  # a page, or (no route at all) a problem document
    for path in ("/claim/" + "A" * 43, "/claim/short", "/claim/" + "A" * 43 + "/credential.json"):
        response = client.get(path)
        assert_html(response, 404)
        assert "not known" in response.text
    assert_html(post_form(client, "/claim/" + "B" * 43 + "/public-page"), 404)


def test_wallet_offers_from_the_page(client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    lcw = post_form(client, f"{claimed.path}/wallet/lcw")
    assert_html(lcw, 200)
    assert lcw.headers["cache-control"] == "no-store"
    link = re.search(r'id="offer-link" href="([^"]+)"', lcw.text)
    assert link is not None and link.group(1).startswith("https://lcw.app/request.html?issuer=")
    assert '<svg width="' in lcw.text and 'role="img"' in lcw.text
    assert 'href="data:image/png;base64,' in lcw.text
    oid4vci = post_form(client, f"{claimed.path}/wallet/oid4vci")
    link = re.search(r'id="offer-link" href="([^"]+)"', oid4vci.text)
    assert link is not None and link.group(1).startswith("openid-credential-offer://?credential_offer_uri=")
    assert "tx_code" not in oid4vci.text
    assert sorted(_offers(sessions)) == ["lcw", "oid4vci"]
    assert_html(post_form(client, f"{claimed.path}/wallet/chapi"), 404)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {"Origin": "http://127.0.0.1:8001"},
        {"Origin": "not a url"},
    ],
)
def test_forms_from_other_origins_are_refused(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], headers: dict[str, str]
) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    for action in ("wallet/lcw", "wallet/oid4vci", "public-page", "public-page/withdraw", "linkedin"):
        assert_html(post_form(client, f"{claimed.path}/{action}", headers), 403)
    assert _offers(sessions) == []
    assert 'id="public-url"' not in client.get(claimed.path).text


def test_forms_pass_from_our_origin_or_without_browser_headers(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    for headers in ({"Referer": f"{BASE_URL}{claimed.path}"}, {}, {"Origin": "http://testserver"}):
        assert post_form(client, f"{claimed.path}/wallet/lcw", headers).status_code == 200


def test_public_page_made_removed_and_made_again(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    made = post_form(client, f"{claimed.path}/public-page")
    assert made.status_code == 303
    assert made.headers["location"] == f"{claimed.path}#public-page"
    public = publish(client, claimed)  # publishing again keeps the page
    assert re.fullmatch(r"/p/[A-Za-z0-9_-]{16}", public)
    assert client.get(public).status_code == 200
    removed = post_form(client, f"{claimed.path}/public-page/withdraw")
    assert removed.status_code == 303
    assert client.get(public).status_code == 410
    assert client.get(f"{public}/credential.json").status_code == 410
    page = client.get(claimed.path).text
    assert 'id="public-url"' not in page and 'id="make-public"' in page
    assert publish(client, claimed) == public
    assert client.get(public).status_code == 200


def _linkedin_query(client: TestClient, path: str) -> dict[str, list[str]]:
    page = client.get(path).text
    match = re.search(r'id="linkedin-link" href="([^"]+)"', page)
    assert match is not None
    url = match.group(1).replace("&amp;", "&")
    assert url.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&")
    return parse_qs(urlsplit(url).query)


def test_add_to_linkedin_publishes_the_page_first(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a, template=template(name=NAME))
    claimed = issue_and_claim(client, setup)
    assert 'id="linkedin-link"' not in client.get(claimed.path).text
    response = post_form(client, f"{claimed.path}/linkedin")
    assert response.status_code == 303 and response.headers["location"] == f"{claimed.path}#linkedin"
    query = _linkedin_query(client, claimed.path)
    public = publish(client, claimed)
    assert query == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [NAME],
        "organizationName": ["Faculty of Examples"],
        "issueYear": ["2025"],
        "issueMonth": ["3"],
        "certUrl": [f"{BASE_URL}{public}"],
        "certId": [claimed.row_id],
    }
    with sessions() as session:
        issuer = session.get(Issuer, uuid.UUID(setup.issuer["id"]))
        assert issuer is not None
        issuer.linkedin_organization_id = "1337"
        session.commit()
    query = _linkedin_query(client, claimed.path)
    assert query["organizationId"] == ["1337"] and "organizationName" not in query


def test_a_revoked_credential_offers_nothing_to_take_away(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    public = publish(client, claimed)
    revoke(client, setup, claimed.row_id)
    page = client.get(claimed.path)
    assert_html(page, 200)
    assert "Revoked" in page.text
    for absent in ("credential.json", "badge.png", 'id="add-lcw"', 'id="add-linkedin"', 'id="linkedin-link"'):
        assert absent not in page.text
    assert 'id="remove-public"' in page.text  # the learner can still take the page down
    for download in ("credential.json", "badge.png", "badge.svg"):
        assert_html(client.get(f"{claimed.path}/{download}"), 409)
    for action in ("wallet/lcw", "wallet/oid4vci"):
        assert_html(post_form(client, f"{claimed.path}/{action}"), 409)
    assert _offers(sessions) == []
    assert post_form(client, f"{claimed.path}/public-page/withdraw").status_code == 303
    assert client.get(public).status_code == 410
    assert_html(post_form(client, f"{claimed.path}/public-page"), 409)
    assert_html(post_form(client, f"{claimed.path}/linkedin"), 409)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WalletOffer)) == 0


def test_a_suspended_credential_is_shown_as_suspended(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, suspension=True)
    claimed = issue_and_claim(client, setup)
    client.post(f"/api/v1/credentials/{claimed.row_id}/suspend", headers=setup.headers)
    page = client.get(claimed.path).text
    assert "Suspended" in page and "badge.png" not in page
    assert client.get(f"{claimed.path}/badge.png").status_code == 409
    client.post(f"/api/v1/credentials/{claimed.row_id}/reinstate", headers=setup.headers)
    assert client.get(f"{claimed.path}/badge.png").status_code == 200
