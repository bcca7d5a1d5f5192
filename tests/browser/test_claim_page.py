"""Issue 6 claim page and public page in headless Chromium, against a real `credstack serve` provisioned like an LMS
would (an OAuth client from the CLI; issuer, achievement, credentials and claim links through the API).

Downloads (the JSON parses; the PNG and SVG carry the credential), the wallet QR codes render, the LinkedIn link's
query, the public page's live verification, keyboard order, contrast and the phone layout. Screenshots go to
var/test-output/browser/ (claim-*.png, public-*.png).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from browser.tabs import Tab
from credentials.baking import extract
from support.served import Lms, Served, provision, served

ACHIEVEMENT = {
    "name": "Café & Data Science",
    "description": "Cleans, explores and models real data sets.",
    "criteria": {"narrative": "Pass the capstone project and the practical exam."},
    "achievementType": "Certificate",
}
ISSUER = {"name": "École Nouvelle des Données", "url": "https://donnees.example.edu", "email": "badges@example.edu"}
EVIDENCE = [{"id": "https://lms.example.edu/work/4471", "name": "Capstone: bike-share demand forecast"}]
TAB_ORDER = [
    "Credential (JSON)",
    "Badge image (PNG)",
    "Badge image (SVG)",
    "Add to Learner Credential Wallet",
    "Add to an OpenID4VCI wallet",
    "Add to LinkedIn",
    "Make a public page",
]
# WCAG 2.2 §1.4.3 contrast of each visible text element against the first opaque background behind it.
CONTRAST_SCRIPT = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0.9) return c;
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const el of document.querySelectorAll("h1, h2, h3, p, a, button, dt, dd, li, strong, span, code, time")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.textContent.trim() || el.closest(".visually-hidden")) continue;
    const [a, b] = [lum(parse(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(el.tagName + " " + el.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2));
  }
  return worst;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("claim-data")) as running:
        yield running


@pytest.fixture(scope="module")
def base_url(server: Served) -> str:
    """Overrides the conftest's server: claim links and public pages must carry the server's real address."""
    return server.url


@pytest.fixture(scope="module")
def lms(server: Served) -> Lms:
    return provision(server, organization="Browser University", issuer=ISSUER, achievement=ACHIEVEMENT)


@pytest.fixture
def claim(lms: Lms) -> tuple[dict[str, Any], str]:
    """A fresh credential and the path of its claim page."""
    issued = lms.issue(evidence=EVIDENCE)
    return issued, urlsplit(lms.claim_url(issued["id"])).path


def screenshot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)


def assert_fits_width(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def download(page: Page, name: str, target: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    info.value.save_as(target)
    return target.read_bytes()


def test_claim_page_downloads(desktop: Tab, claim: tuple[dict[str, Any], str], output_dir: Path) -> None:
    issued, path = claim
    page = desktop.page
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credential")
    expect(page.locator(".credential__title")).to_have_text("Café & Data Science")
    expect(page.locator("#status")).to_contain_text("Active")
    expect(page.get_by_role("link", name="Capstone: bike-share demand forecast")).to_be_visible()
    expect(page.get_by_role("img", name="Badge image of Café & Data Science")).to_be_visible()
    screenshot(page, output_dir, "claim-desktop")
    stored = json.dumps(issued["credential"], sort_keys=True)
    document = json.loads(download(page, "Credential (JSON)", output_dir / "claimed-credential.json"))
    assert json.dumps(document, sort_keys=True) == stored
    for name, file in (("Badge image (PNG)", "claimed-badge.png"), ("Badge image (SVG)", "claimed-badge.svg")):
        baked = download(page, name, output_dir / file)
        assert json.dumps(json.loads(extract(baked)), sort_keys=True) == stored
    assert page.evaluate(CONTRAST_SCRIPT) == []
    assert desktop.errors == []


def test_claim_page_on_a_phone(phone: Tab, claim: tuple[dict[str, Any], str], output_dir: Path) -> None:
    page = phone.page
    page.goto(claim[1])
    expect(page.get_by_role("button", name="Add to Learner Credential Wallet")).to_be_visible()
    assert_fits_width(page)
    screenshot(page, output_dir, "claim-phone")
    page.get_by_role("button", name="Add to Learner Credential Wallet").click()
    expect(page.locator("#offer-qr svg")).to_be_visible()
    assert_fits_width(page)
    screenshot(page, output_dir, "claim-phone-lcw")
    assert phone.errors == []


def qr_renders(page: Page) -> None:
    """The inline SVG QR code is drawn at a scannable size, and the PNG to save decodes as an image."""
    svg = page.get_by_role("img", name="QR code to scan", exact=False)
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box is not None and 150 <= box["width"] == box["height"]
    href = page.locator("#offer-qr-png").get_attribute("href")
    assert href is not None and href.startswith("data:image/png;base64,")
    decode = "async (src) => { const i = new Image(); i.src = src; await i.decode(); return i.naturalWidth; }"
    width = page.evaluate(decode, href)
    assert width >= 200


def test_wallet_offers_show_qr_codes(desktop: Tab, claim: tuple[dict[str, Any], str], output_dir: Path) -> None:
    page = desktop.page
    page.goto(claim[1])
    page.get_by_role("button", name="Add to Learner Credential Wallet").click()
    expect(page.get_by_role("heading", name="Scan this code with the Learner Credential Wallet")).to_be_visible()
    assert page.url.endswith("#wallet-offer")
    qr_renders(page)
    lcw = page.get_by_role("link", name="Open in Learner Credential Wallet")
    lcw_link = lcw.get_attribute("href") or ""
    base, query = lcw_link.split("?", 1)
    assert base == "https://lcw.app/request.html"
    assert set(parse_qs(query)) == {"issuer", "auth_type", "challenge", "vc_request_url"}
    screenshot(page, output_dir, "claim-lcw-desktop")
    page.get_by_role("button", name="Add to an OpenID4VCI wallet").click()
    qr_renders(page)
    same_device = page.get_by_role("link", name="Open in the wallet on this device").get_attribute("href") or ""
    assert same_device.startswith("openid-credential-offer://?credential_offer_uri=")
    offer_url = parse_qs(same_device.split("?", 1)[1])["credential_offer_uri"][0]
    assert offer_url.startswith(f"{urlsplit(page.url).scheme}://{urlsplit(page.url).netloc}/oid4vci/offers/")
    screenshot(page, output_dir, "claim-oid4vci-desktop")
    assert desktop.errors == []


def test_linkedin_link_and_the_public_page(
    desktop: Tab, lms: Lms, claim: tuple[dict[str, Any], str], output_dir: Path
) -> None:
    issued, path = claim
    page = desktop.page
    page.goto(path)
    page.get_by_role("button", name="Add to LinkedIn").click()
    link = page.get_by_role("link", name="Add to LinkedIn profile")
    expect(link).to_be_visible()
    assert page.url.endswith("#linkedin")
    parts = urlsplit(link.get_attribute("href") or "")
    assert (parts.netloc, parts.path) == ("www.linkedin.com", "/profile/add")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    public_url = page.locator("#public-url").inner_text()
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Café & Data Science",
        "organizationName": "École Nouvelle des Données",
        "issueYear": issued["credential"]["validFrom"][:4],
        "issueMonth": str(int(issued["credential"]["validFrom"][5:7])),
        "certUrl": public_url,
        "certId": issued["id"],
    }
    screenshot(page, output_dir, "claim-linkedin-desktop")

    response = page.goto(query["certUrl"])  # what LinkedIn's "Show credential" opens, with no session
    assert response is not None and response.status == 200
    assert response.headers["link"] == f'<{public_url}/credential.json>; rel="alternate"; type="application/vc+ld+json"'
    expect(page.locator("#verdict")).to_have_text("Verified")
    expect(page.locator(".credential__title")).to_have_text("Café & Data Science")
    expect(page.locator('meta[property="og:url"]')).to_have_attribute("content", public_url)
    screenshot(page, output_dir, "public-verified-desktop")
    imported = httpx.get(f"{public_url}/credential.json", timeout=30)  # LCW's "import from URL"
    assert imported.status_code == 200 and imported.json() == issued["credential"]
    assert page.evaluate(CONTRAST_SCRIPT) == []

    assert lms.post(f"/api/v1/credentials/{issued['id']}/revoke").status_code == 200
    page.reload()
    expect(page.locator("#verdict")).to_have_text("Not verified")
    expect(page.locator(".check--failed")).to_contain_text("Not revoked or suspended")
    screenshot(page, output_dir, "public-revoked-desktop")
    assert desktop.errors == []


def test_public_page_on_a_phone(phone: Tab, lms: Lms, output_dir: Path) -> None:
    issued = lms.issue()
    page = phone.page
    page.goto(urlsplit(lms.claim_url(issued["id"])).path)
    page.get_by_role("button", name="Make a public page").click()
    public_url = page.locator("#public-url").inner_text()
    page.goto(public_url)
    expect(page.locator("#verdict")).to_have_text("Verified")
    assert_fits_width(page)
    screenshot(page, output_dir, "public-phone")
    page.go_back()
    page.get_by_role("button", name="Remove the public page").click()
    expect(page.get_by_role("button", name="Make a public page")).to_be_visible()
    response = page.goto(public_url)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This page was removed")
    assert [error for error in phone.errors if "410" not in error] == []


def test_keyboard_reaches_every_action_in_reading_order(desktop: Tab, claim: tuple[dict[str, Any], str]) -> None:
    page = desktop.page
    page.goto(claim[1])
    visited: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.textContent.trim()"))
        if visited[-1] == TAB_ORDER[-1]:
            break
    assert visited[0] == "Skip to the content"
    assert [name for name in visited if name in TAB_ORDER] == TAB_ORDER
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")  # "Make a public page", from the keyboard
    expect(page.locator("#public-url")).to_be_visible()
