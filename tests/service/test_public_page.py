"""Issue 6 public page (SQLite and PostgreSQL): `GET /p/{slug}` with a live verification, its JSON, Open Graph
tags, the `Link` header, revocation shown at once, removal (410) and unknown pages (404)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from support.achievements import BASE_URL, template
from support.claims import assert_html, issue_and_claim, post_form, publish, revoke
from support.issuance import LEARNER, issuing
from support.tenancy import Tenants

NAME = "Café & Data Science"
HTTPS_IMAGE = "https://issuer.example/badges/cds.png"


def meta(page: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', page)
    return unescape(match.group(1)) if match else None


def verdict(page: str) -> str:
    match = re.search(r'<h1 class="verdict__title" id="verdict"[^>]*>([^<]+)</h1>', page)
    assert match is not None, "no verification verdict on the page"
    return match.group(1)


def check_status(page: str, check_id: str) -> str:
    """The status class of the report's check `check_id` (`passed`, `failed`, ...)."""
    for item in page.split('<li class="check check--')[1:]:
        if f'<code class="check__id">{check_id}</code>' in item:
            return item.split('"', 1)[0]
    raise AssertionError(f"no check {check_id} on the page")


def test_the_public_page_verifies_the_credential_live(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, template=template(name=NAME, description="Cleans data."))
    claimed = issue_and_claim(client, setup)
    public = publish(client, claimed)
    response = client.get(public)
    assert_html(response, 200)
    url = f"{BASE_URL}{public}"
    assert response.headers["link"] == f'<{url}/credential.json>; rel="alternate"; type="application/vc+ld+json"'
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "x-robots-tag" not in response.headers
    page = response.text
    assert verdict(page) == "Verified"
    assert "Café &amp; Data Science" in page
    assert meta(page, "og:title") == NAME
    assert meta(page, "og:description") == "Cleans data. Issued by Faculty of Examples."
    assert meta(page, "og:url") == url
    assert meta(page, "og:image") is None  # the default badge is a data URI, which Open Graph cannot carry
    assert f'<link rel="alternate" type="application/vc+ld+json" href="{url}/credential.json">' in page
    forms = re.findall(r'<form [^>]*action="([^"]+)"', page)
    assert forms == [f"{public}#verdict"]  # only the recipient check: nothing to manage here
    assert "<script" not in page


@pytest.mark.parametrize(
    ("email", "status", "verified"), [(LEARNER, "passed", "Verified"), ("x@y.example", "failed", "Not verified")]
)
def test_a_visitor_can_check_the_recipient(
    client: TestClient, tenants: Tenants, email: str, status: str, verified: str
) -> None:
    setup = issuing(client, tenants.a)
    public = publish(client, issue_and_claim(client, setup))
    assert check_status(client.get(public).text, "recipient") == "skipped"
    response = client.post(public, data={"recipient_email": f"  {email.upper()} "})
    assert_html(response, 200)
    assert (check_status(response.text, "recipient"), verdict(response.text)) == (status, verified)
    assert f'value="  {email.upper()} "' not in response.text and f'value="{email.upper()}"' in response.text
    unreadable = client.post(public, content=b"--x\r\n", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert check_status(unreadable.text, "recipient") == "skipped"


def test_og_image_is_the_achievement_image_url(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, template=template(image={"id": HTTPS_IMAGE}))
    public = publish(client, issue_and_claim(client, setup))
    assert meta(client.get(public).text, "og:image") == HTTPS_IMAGE


def test_the_json_is_public(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    public = publish(client, claimed)
    response = client.get(f"{public}/credential.json")  # no token, no cookie
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vc+ld+json"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["access-control-allow-origin"] == "*"
    assert json.loads(response.content) == claimed.issued["credential"]


def test_a_vc_jwt_public_page(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup, format="jwt")
    public = publish(client, claimed)
    response = client.get(public)
    assert verdict(response.text) == "Verified"
    assert 'type="application/vc+jwt"' in response.headers["link"]
    served = client.get(f"{public}/credential.json")
    assert served.headers["content-type"] == "application/vc+jwt"
    assert served.text == claimed.issued["credential"]


def test_revocation_shows_on_both_pages_at_once(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    public = publish(client, claimed)
    assert verdict(client.get(public).text) == "Verified"
    revoke(client, setup, claimed.row_id)
    page = client.get(public)
    assert page.status_code == 200
    assert verdict(page.text) == "Not verified"
    assert "CREDENTIAL_REVOKED" in page.text
    assert check_status(page.text, "status") == "failed"
    assert check_status(page.text, "proof") == "passed"
    assert "Revoked" in client.get(claimed.path).text
    assert client.get(f"{public}/credential.json").status_code == 200  # still there, so anyone can see it is revoked


def test_removed_pages_are_gone_and_unknown_ones_not_found(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    claimed = issue_and_claim(client, setup)
    public = publish(client, claimed)
    post_form(client, f"{claimed.path}/public-page/withdraw")
    for path in (public, f"{public}/credential.json"):
        response = client.get(path)
        assert_html(response, 410)
        assert "removed" in response.text
    for slug in ("AAAAAAAAAAAAAAAA", "x", "a" * 33, "%3Cscript%3E"):
        assert_html(client.get(f"/p/{slug}"), 404)


def test_head_answers_like_get(client: TestClient, tenants: Tenants) -> None:
    public = publish(client, issue_and_claim(client, issuing(client, tenants.a)))
    for path in (public, f"{public}/credential.json"):
        head, get = client.head(path), client.get(path)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"recipient_email=%ZZ&&=&recipient_email"),
        ("application/x-www-form-urlencoded", b"recipient_email=" + b"a" * 5000 + b"@example.edu"),
        ("multipart/form-data", b"no boundary"),
        ("application/json", b'{"recipient_email": "x@y.example"}'),
        ("text/plain", "\u00e9\ud7ff".encode()),
    ],
)
def test_odd_recipient_forms_are_a_page_not_an_error(
    client: TestClient, tenants: Tenants, content_type: str, body: bytes
) -> None:
    public = publish(client, issue_and_claim(client, issuing(client, tenants.a)))
    response = client.post(public, content=body, headers={"Content-Type": content_type})
    assert_html(response, 200)
    assert verdict(response.text) in {"Verified", "Not verified"}


@pytest.mark.parametrize("path", ["/p", "/p/", "/claim", "/claim/"])
def test_bare_prefixes_name_no_page(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
