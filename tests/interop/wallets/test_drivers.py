"""The wallet drivers themselves, without a server: each loads its pinned libraries and parses its arguments, none
reaches beyond loopback, and the LCW driver parses deep links as LCW does (WALLETS.md §3.2)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from wallets.wallet_server import run_driver

DRIVERS = [
    "oid4vci_openid4vc.mjs",
    "oid4vci_sphereon.mjs",
    "oid4vci_digitalbazaar.mjs",
    "lcw.mjs",
    "verifier_core.mjs",
]


@pytest.mark.parametrize("driver", DRIVERS)
def test_driver_loads_its_libraries_and_parses_arguments(wallet_node: None, driver: str) -> None:
    # ES module imports are evaluated before the driver's own code, so --help also proves the libraries load
    run = run_driver(driver, ["--help"], timeout=60)
    assert run.returncode == 0, run.explain()
    assert f"usage: node {driver}" in run.stdout
    bad = run_driver(driver, ["--no-such-option"], timeout=60)
    assert bad.returncode == 2, bad.explain()
    assert "Unknown option" in bad.stderr


def test_connections_beyond_loopback_are_refused(wallet_node: None) -> None:
    run = run_driver("lcw.mjs", ["url-import", "--url", "https://example.org/badge.json"], timeout=60)
    assert run.returncode == 1, run.explain()
    assert run.steps_named("blocked") == [{"step": "blocked", "host": "example.org", "port": 443}]
    assert run.result is not None and run.result["ok"] is False


@pytest.mark.parametrize(
    ("encode", "received"),
    [
        (True, "https://127.0.0.1:9/exchanges/abc/ch-1?token=x"),
        # LCW splits the link on its first '?' only, then qs.parse: a raw '?' inside vc_request_url cuts it short
        (False, "https://127.0.0.1:9/exchanges/abc/ch-1"),
    ],
)
def test_lcw_parses_the_legacy_link_as_lcw_does(wallet_node: None, encode: bool, received: str) -> None:
    request_url = "https://127.0.0.1:9/exchanges/abc/ch-1?token=x"
    value = quote(request_url, safe="") if encode else request_url
    link = f"https://lcw.app/request.html?issuer=127.0.0.1&auth_type=bearer&challenge=ch-1&vc_request_url={value}"
    run = run_driver("lcw.mjs", ["legacy", "--link", link], timeout=60)
    (parsed,) = run.steps_named("link")
    assert parsed["params"]["vc_request_url"] == received, run.explain()
    assert parsed["params"]["challenge"] == "ch-1"
    (presentation,) = run.steps_named("presentation")
    assert presentation["proof"] == {
        "type": "Ed25519Signature2020",
        "proofPurpose": "authentication",
        "challenge": "ch-1",
        "domain": None,
    }
    assert run.returncode == 1  # nothing listens there


def test_lcw_refuses_auth_type_code(wallet_node: None) -> None:
    link = "https://lcw.app/request.html?issuer=x&challenge=c&vc_request_url=https%3A%2F%2F127.0.0.1%3A9%2Fx"
    run = run_driver("lcw.mjs", ["legacy", "--link", link], timeout=60)
    assert run.returncode == 1
    assert run.result is not None and run.result["reason"] == 'Unsupported auth_type value: "code".'
