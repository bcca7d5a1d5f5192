"""Browser tests of the verification page: the real service under `credstack serve`, driven in headless Chromium.

Debian's `chromium` package (what `.ci/run` installs) is driven by Playwright for Python through `executable_path`,
so no browser is downloaded. Without /usr/bin/chromium these tests are skipped, except under CI=true, where they
fail: CI must run them. Screenshots are kept under var/test-output/browser/ to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from browser.tabs import Tab
from support.databases import in_ci

CHROMIUM = Path("/usr/bin/chromium")
CREDSTACK = Path(sys.executable).parent / "credstack"
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


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
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
    env |= {"CREDSTACK_DATA_DIR": str(data_dir), "CREDSTACK_JOB_WORKER": "0"}
    subprocess.run([str(CREDSTACK), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (data_dir / "serve.log").open("wb")
    command = [str(CREDSTACK), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            assert process.poll() is None, f"credstack serve exited: {(data_dir / 'serve.log').read_text()}"
            assert time.monotonic() < deadline, "credstack serve did not answer within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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
