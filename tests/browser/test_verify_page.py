"""Issue 4 "The page" in headless Chromium: paste, upload, drop, tampering, keyboard use, the report download.

Each scenario saves screenshots under var/test-output/browser/ (desktop 1280 px and phone 390 px wide).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from browser.tabs import Tab
from schemas.report import CHECK_IDS
from support.signed_badges import CANDIDATE_EMAIL, baked_png, signed_badge, tampered

ACHIEVEMENT = "Data Analysis with Python"
FORM_CONTROLS = ["credential", "file", "recipient_email", "verify-button"]  # the tab order of the form


def verify_pasted(page: Page, text: str, email: str = "") -> None:
    page.goto("/")
    page.get_by_label("Paste the credential").fill(text)
    if email:
        page.get_by_label("Candidate's email").fill(email)
    page.get_by_role("button", name="Verify", exact=True).click()


def shown_check_ids(page: Page) -> list[str]:
    return page.locator(".checks > .check .check__id").all_inner_texts()


def check_item(page: Page, check_id: str) -> Locator:
    return page.locator(".checks > .check").filter(has=page.locator(".check__id", has_text=check_id))


def screenshot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)


def assert_fits_width(page: Page) -> None:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_empty_page_has_the_form(desktop: Tab, phone: Tab, output_dir: Path) -> None:
    for tab, name in ((desktop, "empty-desktop"), (phone, "empty-phone")):
        tab.page.goto("/")
        expect(tab.page.get_by_role("heading", level=1)).to_have_text("Verify a credential")
        expect(tab.page.get_by_label("Choose a file")).to_be_visible()
        screenshot(tab.page, output_dir, name)
        assert_fits_width(tab.page)
        assert tab.errors == []


def test_pasted_valid_credential_is_verified_with_every_check(desktop: Tab, output_dir: Path) -> None:
    page = desktop.page
    verify_pasted(page, json.dumps(signed_badge(), indent=2), email=CANDIDATE_EMAIL)
    verdict = page.locator("#verdict")
    expect(verdict).to_have_text("Verified")
    expect(verdict).to_be_focused()  # page.js moves focus to the result, so screen readers announce it
    assert shown_check_ids(page) == list(CHECK_IDS)
    expect(check_item(page, "recipient")).to_contain_text("Passed")
    expect(page.locator(".credential__title")).to_have_text(ACHIEVEMENT)
    expect(page.get_by_role("img", name="DSC-210 badge")).to_be_visible()
    expect(page.get_by_role("link", name="Capstone project: bike-share demand forecast")).to_have_attribute(
        "href", "https://northwind.example.edu/portfolio/4471/capstone"
    )
    screenshot(page, output_dir, "verified-desktop")
    assert desktop.errors == []


def test_pasted_valid_credential_on_a_phone(phone: Tab, output_dir: Path) -> None:
    page = phone.page
    verify_pasted(page, json.dumps(signed_badge()))
    expect(page.locator("#verdict")).to_have_text("Verified")
    screenshot(page, output_dir, "verified-phone")
    assert_fits_width(page)
    assert phone.errors == []


def test_uploaded_baked_png_is_verified(desktop: Tab, output_dir: Path, tmp_path: Path) -> None:
    badge = tmp_path / "badge.png"
    badge.write_bytes(baked_png(signed_badge()))
    page = desktop.page
    page.goto("/")
    page.get_by_label("Choose a file").set_input_files(badge)
    expect(page.locator("#file-status")).to_contain_text("badge.png")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#verdict")).to_have_text("Verified")
    expect(check_item(page, "parse")).to_contain_text("baked PNG image")
    screenshot(page, output_dir, "baked-png-desktop")
    assert desktop.errors == []


def test_dropped_file_goes_to_the_file_field(desktop: Tab, output_dir: Path) -> None:
    page = desktop.page
    page.goto("/")
    encoded = base64.b64encode(baked_png(signed_badge())).decode()
    page.evaluate(
        """(encoded) => {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
            const zone = document.getElementById("dropzone");
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        encoded,
    )
    expect(page.locator("#file-status")).to_contain_text("dropped.png")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator("#verdict")).to_have_text("Verified")
    expect(page.locator("#file-status")).to_contain_text("dropped.png")
    assert desktop.errors == []


def test_tampered_credential_names_the_failing_proof_check(desktop: Tab, phone: Tab, output_dir: Path) -> None:
    text = json.dumps(tampered(signed_badge()))
    for tab, name in ((desktop, "tampered-desktop"), (phone, "tampered-phone")):
        page = tab.page
        verify_pasted(page, text)
        expect(page.locator("#verdict")).to_have_text("Not verified")
        expect(page.locator(".verdict")).to_contain_text("Signature (proof)")
        failing = page.locator(".check--failed")
        expect(failing).to_have_count(1)
        expect(failing.locator(".check__id")).to_have_text("proof")
        failing.get_by_text("Technical detail").click()
        expect(failing.locator(".problems")).to_be_visible()
        expect(failing.locator(".problems code").first).to_have_text("PROOF_VERIFICATION_ERROR")
        screenshot(page, output_dir, name)
        assert_fits_width(page)
        assert tab.errors == []


def test_presentation_shows_its_credentials_nested(desktop: Tab, output_dir: Path) -> None:
    signed = signed_badge()
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [signed, tampered(signed)],
    }
    page = desktop.page
    verify_pasted(page, json.dumps(presentation))
    expect(page.locator("#verdict")).to_have_text("Not verified")
    nested = page.locator(".nested__item")
    expect(nested).to_have_count(2)
    expect(nested.nth(0).locator(".verdict__title")).to_have_text("Verified")
    expect(nested.nth(1).locator(".verdict__title")).to_have_text("Not verified")
    page.get_by_role("link", name="Advanced Data Analysis with Python").click()
    expect(page).to_have_url(re.compile(r"#inside-2$"))
    screenshot(page, output_dir, "presentation-desktop")
    assert desktop.errors == []


def test_unreadable_input_is_said_on_the_page(desktop: Tab, output_dir: Path) -> None:
    page = desktop.page
    verify_pasted(page, "this is not a credential")
    alert = page.get_by_role("alert").filter(has_text="Nothing was verified")
    expect(alert).to_contain_text("could not be read as a credential")
    expect(page.get_by_label("Paste the credential")).to_have_value("this is not a credential")
    screenshot(page, output_dir, "unreadable-desktop")
    assert [e for e in desktop.errors if "400" not in e] == []  # the console notes the 400 status, nothing else


def test_keyboard_alone_reaches_verify_and_submits(desktop: Tab) -> None:
    page = desktop.page
    page.goto("/")
    visited = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        visited.append(focused)
        if focused == "credential":
            page.keyboard.insert_text(json.dumps(signed_badge()))
        if focused == "verify-button":
            break
    assert visited[:1] == ["Skip to the form"]
    assert [name for name in visited if name in FORM_CONTROLS] == FORM_CONTROLS
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_have_text("Verified")


def test_download_button_saves_the_json_report(desktop: Tab, output_dir: Path) -> None:
    page = desktop.page
    verify_pasted(page, json.dumps(tampered(signed_badge())))
    button = page.get_by_role("button", name="Download JSON report")
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("verification-report")
    assert download.suggested_filename.endswith(".json")
    target = output_dir / "downloaded-report.json"
    download.save_as(target)
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["verified"] is False
    assert [check["id"] for check in report["checks"]] == list(CHECK_IDS)
    assert report["credential"]["achievement_name"] == "Advanced Data Analysis with Python"
    assert desktop.errors == []
