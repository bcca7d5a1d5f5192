"""Issue 4 "The page" over HTTP (no browser): `GET /` and `POST /`, the headers, escaping of untrusted credentials."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from credstack import web
from credstack.app import create_app
from credstack.settings import Settings
from credstack.web.present import page_environment
from credstack.web.router import PageState
from schemas.report import CHECK_IDS, CheckResult, CheckStatus, CredentialSummary, VerificationReport
from support.signed_badges import CANDIDATE_EMAIL, PLAIN_PNG, baked_png, ob3_credential, sign, signed_badge, tampered

NO_FILE = {"file": ("", b"", "application/octet-stream")}  # what a browser sends when no file was chosen
HOSTILE = "<script>alert(1)</script>"


class Page(HTMLParser):
    """The parts of the page the tests look at: labels, form controls, scripts, links and images."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.controls: dict[str, dict[str, str | None]] = {}
        self.forms: list[dict[str, str | None]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.hrefs: list[str] = []
        self.images: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))
        elif tag in {"input", "textarea", "button"} and attributes.get("id"):
            self.controls[str(attributes["id"])] = attributes | {"tag": tag}
        elif tag == "form":
            self.forms.append(attributes)
        elif tag == "script":
            self.scripts.append(attributes)
        elif tag == "a" and attributes.get("href"):
            self.hrefs.append(str(attributes["href"]))
        elif tag == "img":
            self.images.append(str(attributes.get("src")))


def embedded_report(html: str) -> dict[str, Any]:
    """The JSON data block the page embeds for the download button."""
    found = re.search(r'<script type="application/json" id="report">(.*?)</script>', html, re.DOTALL)
    assert found is not None
    report: dict[str, Any] = json.loads(found.group(1))
    return report


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir = tmp_path_factory.mktemp("page")
    with TestClient(create_app(Settings(data_dir=data_dir, job_worker=False))) as client:
        yield client


def post(client: TestClient, text: str = "", *, email: str = "", file: tuple[str, bytes] | None = None) -> Response:
    files = {"file": (file[0], file[1], "application/octet-stream")} if file else NO_FILE
    return client.post("/", data={"credential": text, "recipient_email": email}, files=files)


def test_get_serves_the_form_with_labelled_controls(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.forms == [
        {
            "id": "verify-form",
            "class": "verify-form",
            "method": "post",
            "enctype": "multipart/form-data",
            "action": "/",
            "data-max-bytes": "5000000",
            "aria-describedby": "privacy-note",
        }
    ]
    assert page.controls["credential"]["tag"] == "textarea"
    assert page.controls["credential"]["name"] == "credential"
    assert page.controls["file"]["type"] == "file"
    assert page.controls["recipient_email"]["type"] == "email"
    assert {"credential", "file", "recipient_email"} <= page.labels
    assert page.controls["verify-button"]["type"] == "submit"


def test_page_headers_forbid_inline_and_remote_code(client: TestClient) -> None:
    headers = client.get("/").headers
    policy = {part.split()[0]: part.split()[1:] for part in headers["content-security-policy"].split("; ")}
    assert policy["default-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "https:"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"


def test_page_assets_are_served_from_the_package_and_nothing_is_remote(client: TestClient) -> None:
    html = client.get("/").text
    page = Page(html)
    assert [script.get("src") for script in page.scripts] == ["/static/page.js?v=0.1.0"]
    for path in ("/static/page.js", "/static/page.css", "/static/favicon.svg"):
        assert client.get(path).status_code == 200
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in client.get("/static/page.css").text
    assert "url(" not in client.get("/static/page.css").text


def test_valid_pasted_credential_is_verified(client: TestClient) -> None:
    response = post(client, json.dumps(signed_badge()), email=CANDIDATE_EMAIL)
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="verdict__title" id="verdict" tabindex="-1">Verified</h1>' in html
    assert re.findall(r'<code class="check__id">(\w+)</code>', html) == list(CHECK_IDS)
    report = embedded_report(html)
    assert report["verified"] is True
    assert {check["id"]: check["status"] for check in report["checks"]}["recipient"] == "passed"
    assert "Data Analysis with Python" in html
    assert "Northwind Technical College" in html
    assert 'href="https://northwind.example.edu/portfolio/4471/capstone"' in html
    assert "hidden (stored as a hash)" in html
    assert "sha256$" not in html.split('<script type="application/json"')[0]  # the hash is never shown as text


def test_baked_png_upload_is_verified(client: TestClient) -> None:
    response = post(client, file=("badge.png", baked_png(signed_badge())))
    assert response.status_code == 200
    report = embedded_report(response.text)
    assert report["verified"] is True
    assert report["credential"]["format"] == "png"
    assert "Last verified file: badge.png" in response.text


def test_a_chosen_file_wins_over_pasted_text_and_says_so(client: TestClient) -> None:
    response = post(client, "not even JSON", file=("badge.png", baked_png(signed_badge())))
    assert response.status_code == 200
    assert embedded_report(response.text)["verified"] is True
    assert "the file was verified and the pasted text was not" in response.text


def test_tampered_credential_is_not_verified_and_names_the_proof_check(client: TestClient) -> None:
    response = post(client, json.dumps(tampered(signed_badge())))
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="verdict__title" id="verdict" tabindex="-1">Not verified</h1>' in html
    assert "Failed: <strong>Signature</strong> (<code>proof</code>)." in html
    assert '<li class="check check--failed">' in html
    assert "PROOF_VERIFICATION_ERROR" in html
    assert "It was not verified, so do not rely on it." in html
    report = embedded_report(html)
    assert report["verified"] is False
    assert {check["id"]: check["status"] for check in report["checks"]}["proof"] == "failed"


@pytest.mark.parametrize(
    ("text", "file", "message"),
    [
        ("this is not a credential", None, "not valid JSON"),
        ("[1, 2, 3]", None, "expected a JSON object"),
        ("", ("plain.png", PLAIN_PNG.read_bytes()), "This could not be read as a credential"),
        ("", ("broken.png", PLAIN_PNG.read_bytes()[:40]), "This could not be read as a credential"),
        ("", ("empty.json", b""), "input is empty"),
        ("", ("binary.bin", b"\xff\xfe\x00garbage"), "neither an image nor UTF-8 text"),
        ("   ", None, "Paste a credential or choose a file"),
    ],
)
def test_unreadable_input_is_a_message_on_the_page(
    client: TestClient, text: str, file: tuple[str, bytes] | None, message: str
) -> None:
    response = post(client, text, file=file)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Nothing was verified" in response.text
    assert message in response.text
    assert 'id="report"' not in response.text


def test_form_the_parser_refuses_is_a_message_on_the_page(client: TestClient) -> None:
    """The form takes one file; a second one is refused by the multipart parser, and said on the page."""
    files = [("file", ("a.json", b"{}", "application/json")), ("file", ("b.json", b"{}", "application/json"))]
    response = client.post("/", files=files)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "The form could not be read: Too many files" in response.text


def test_pasted_text_and_email_come_back_escaped(client: TestClient) -> None:
    response = post(client, f'{{"name": "{HOSTILE}"', email="x@example.com")
    assert response.status_code == 400
    assert HOSTILE not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert Page(response.text).controls["recipient_email"]["value"] == "x@example.com"


def test_untrusted_credential_fields_are_escaped_and_unsafe_urls_not_linked(client: TestClient) -> None:
    credential = ob3_credential()
    credential["name"] = HOSTILE
    credential["issuer"]["name"] = f'"><img src=x onerror=alert(1)>{HOSTILE}'
    credential["issuer"]["url"] = "javascript:alert(1)"
    credential["credentialSubject"]["achievement"]["name"] = HOSTILE
    credential["credentialSubject"]["achievement"]["image"] = {"id": "http://tracker.example/pixel.png"}
    credential["evidence"][0]["id"] = "javascript:alert(2)"
    response = post(client, json.dumps(sign(credential)))
    assert response.status_code == 200
    html = response.text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = Page(html)
    assert not [href for href in page.hrefs if not href.startswith(("https://", "#", "/"))]
    assert all(src.startswith("/static/") for src in page.images)  # the http image is not shown
    # The data block stays data: "</script>" inside it is escaped, so it cannot end the block early.
    block = html.split('<script type="application/json" id="report">')[1].split("</script>")[0]
    assert "<" not in block
    assert embedded_report(html)["credential"]["achievement_name"] == HOSTILE


def test_data_uri_badge_image_is_shown(client: TestClient) -> None:
    images = Page(post(client, json.dumps(signed_badge())).text).images
    assert any(src.startswith("data:image/svg+xml;base64,") for src in images)


def test_page_files_ship_with_the_package() -> None:
    """Every template and static file matches a pyproject package-data glob, so an installed service has them."""
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["credstack.web"]
    package = Path(web.__file__).parent
    shipped = [path.relative_to(package).as_posix() for path in package.rglob("*") if path.is_file()]
    assets = [name for name in shipped if name.startswith(("templates/", "static/"))]
    assert assets
    assert [name for name in assets if not any(fnmatch(name, pattern) for pattern in globs)] == []


def test_page_body_cap_is_the_image_cap(tmp_path: Path) -> None:
    """A baked image larger than the JSON cap is still read on `/` (its own cap is the image cap)."""
    image = baked_png(signed_badge())
    settings = Settings(data_dir=tmp_path, job_worker=False, max_json_bytes=len(image) // 2)
    with TestClient(create_app(settings)) as client:
        response = post(client, file=("badge.png", image))
    assert response.status_code == 200
    assert embedded_report(response.text)["verified"] is True


def presentation(*credentials: dict[str, Any]) -> dict[str, Any]:
    """VCDM 2.0 §4.13: an unsigned presentation of `credentials` by a named holder."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": list(credentials),
    }


def test_presentation_shows_each_credential_and_names_the_one_that_failed(client: TestClient) -> None:
    signed = signed_badge()
    response = post(client, json.dumps(presentation(signed, tampered(signed))))
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="verdict__title" id="verdict" tabindex="-1">Not verified</h1>' in html
    assert "1 of the 2 credentials inside did not verify:" in html
    assert '<a href="#inside-2">Advanced Data Analysis with Python</a>' in html
    assert "A presentation of 2 credentials" in html
    assert "Checks of the presentation" in html
    assert '<li class="nested__item" id="inside-1" aria-label="Credential 1 of 2">' in html
    # The outer checks, then each credential's own checks.
    assert len(re.findall(r'<code class="check__id">', html)) == 3 * len(CHECK_IDS)
    report = embedded_report(html)
    assert [inner["verified"] for inner in report["credentials"]] == [True, False]


def test_nested_reports_are_rendered_inside_the_outer_one() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    checks = [CheckResult(id=check_id, status=CheckStatus.PASSED, explanation="ok") for check_id in CHECK_IDS]
    inner = [
        VerificationReport(
            verified=True,
            checks=checks,
            credential=CredentialSummary(format="json", achievement_name=name),
            checked_at=now,
        )
        for name in ("First inner badge", "Second inner badge")
    ]
    outer = VerificationReport(verified=True, kind="clr", checks=checks, checked_at=now, credentials=inner)
    html = page_environment().get_template("page.html").render(state=PageState(report=outer), max_upload_bytes=1)
    assert "The 2 credentials inside" in html
    assert "Checks of the CLR" in html
    assert html.index("First inner badge") < html.index("Second inner badge")
    assert len(re.findall(r'<code class="check__id">', html)) == 3 * len(CHECK_IDS)
    assert '<li class="nested__item" id="inside-2" aria-label="Credential 2 of 2">' in html
