"""Issue 6 learner pages in service tests: claim links through the API, the claim page's forms, public pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient

from support.achievements import BASE_URL
from support.issuance import CREDENTIALS, Issuing, issue

HTML = "text/html"
SAME_ORIGIN = {"Origin": BASE_URL}
_PUBLIC_URL = re.compile(r'id="public-url">([^<]+)<')


@dataclass(frozen=True)
class Claimed:
    """An issued credential (its row id and the response body) and a live claim link to it."""

    row_id: str
    issued: dict[str, Any]
    claim_url: str

    @property
    def path(self) -> str:
        """The claim page's path (the test client talks to the app, not to BASE_URL)."""
        return urlsplit(self.claim_url).path

    @property
    def token(self) -> str:
        return self.path.rsplit("/", 1)[1]


def new_claim_link(client: TestClient, setup: Issuing, row_id: str, **body: Any) -> httpx.Response:
    return client.post(f"{CREDENTIALS}/{row_id}/claim-link", json=body or None, headers=setup.headers)


def issue_and_claim(client: TestClient, setup: Issuing, **changes: Any) -> Claimed:
    """Issue a credential, then make a claim link for it through POST .../claim-link."""
    issued = issue(client, setup, **changes).json()
    response = new_claim_link(client, setup, issued["id"])
    assert response.status_code == 201, response.text
    return Claimed(issued["id"], issued, response.json()["claim_url"])


def post_form(client: TestClient, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """A claim page form as a browser on our origin posts it (empty body), without following redirects."""
    return client.post(path, headers=SAME_ORIGIN if headers is None else headers, follow_redirects=False)


def publish(client: TestClient, claimed: Claimed) -> str:
    """Make the public page from the claim page; its path (`/p/<slug>`)."""
    response = post_form(client, f"{claimed.path}/public-page")
    assert response.status_code == 303, response.text
    page = client.get(claimed.path)
    match = _PUBLIC_URL.search(page.text)
    assert match is not None, "the claim page shows no public page"
    return urlsplit(match.group(1)).path


def revoke(client: TestClient, setup: Issuing, row_id: str) -> None:
    response = client.post(f"{CREDENTIALS}/{row_id}/revoke", headers=setup.headers)
    assert response.status_code == 200, response.text


def assert_html(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(HTML)
    assert "default-src 'self'" in response.headers["content-security-policy"]
