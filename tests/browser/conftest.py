"""Browser tests of the verification page: the real service under `credstack serve`, driven in headless Chromium.

Debian's `chromium` package (what `.ci/run` installs) is driven by Playwright for Python through `executable_path`,
so no browser is downloaded. Without /usr/bin/chromium these tests are skipped, except under CI=true, where they
fail: CI must run them. Screenshots are kept under var/test-output/browser/ to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from browser.tabs import Tab
from support.databases import in_ci
from support.served import served

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).parents[2] / "var" / "test-output" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if in_ci():
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests")
    return CHROMIUM


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[str]:
    """`credstack db upgrade` then `credstack serve` on a free port of 127.0.0.1, with a data dir of its own."""
    with served(tmp_path_factory.mktemp("browser-data")) as server:
        yield server.url


# Module scope, not session: Playwright's sync API keeps its event loop running in this thread while it is open,
# and every later test that calls asyncio.run() would then fail.
@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


def open_tab(browser: Browser, base_url: str, viewport: dict[str, int]) -> Tab:
    context = browser.new_context(viewport=viewport, accept_downloads=True, base_url=base_url)
    return Tab(context.new_page())


@pytest.fixture
def desktop(browser: Browser, base_url: str) -> Iterator[Tab]:
    tab = open_tab(browser, base_url, DESKTOP)
    yield tab
    tab.page.context.close()


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Tab]:
    tab = open_tab(browser, base_url, PHONE)
    yield tab
    tab.page.context.close()
