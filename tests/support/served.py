"""A real `credstack serve` on a free loopback port whose public base URL is its own address, provisioned through
the CLI (an OAuth client) and the HTTP API (issuer, achievement, credentials, claim links), for browser tests of
pages whose links must work (claim links, public pages, LinkedIn's certUrl)."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from issuer.scopes import Scope

CREDSTACK = Path(sys.executable).parent / "credstack"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str, verify: ssl.SSLContext | bool) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2, verify=verify).status_code == 200
    except httpx.TransportError:
        return False


@dataclass(frozen=True)
class Served:
    """The running service: its URL, environment (for CLI calls on the same data) and data directory."""

    url: str
    env: dict[str, str]
    data_dir: Path

    def cli(self, *args: str) -> str:
        done = subprocess.run([str(CREDSTACK), *args], env=self.env, check=True, capture_output=True, timeout=120)
        return done.stdout.decode()


@contextmanager
def served(
    data_dir: Path, *, tls: tuple[Path, Path] | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Served]:
    """`credstack db upgrade`, then `credstack serve` with CREDSTACK_BASE_URL set to where it listens; over https
    with `tls` (certificate, key), which the readiness check then trusts alone. The log is `data_dir`/serve.log."""
    port = free_port()
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
    env |= {"CREDSTACK_DATA_DIR": str(data_dir), "CREDSTACK_JOB_WORKER": "0", "CREDSTACK_BASE_URL": url}
    env |= extra_env or {}
    subprocess.run([str(CREDSTACK), "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    log = (data_dir / "serve.log").open("wb")
    command = [str(CREDSTACK), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    if tls is not None:
        command += ["--ssl-certfile", str(tls[0]), "--ssl-keyfile", str(tls[1])]
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(tls[0])) if tls else True
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _answers(url, verify):
            assert process.poll() is None, f"credstack serve exited: {(data_dir / 'serve.log').read_text()}"
            assert time.monotonic() < deadline, "credstack serve did not answer within 60 s"
            time.sleep(0.2)
        yield Served(url, env, data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass(frozen=True)
class Lms:
    """What an LMS holds after provisioning: an API token, an issuer and one achievement."""

    url: str
    headers: dict[str, str]
    issuer: dict[str, Any]
    achievement: dict[str, Any]

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", json=body, headers=self.headers, timeout=30)

    def issue(self, **changes: Any) -> dict[str, Any]:
        """Issue to a learner by email; the response body (`id`, `credential`, ...)."""
        body = {"achievement_id": self.achievement["uuid"], "recipient": {"email": "learner@example.edu"}, **changes}
        response = self.post("/api/v1/credentials", body)
        assert response.status_code == 201, response.text
        issued: dict[str, Any] = response.json()
        return issued

    def claim_url(self, row_id: str) -> str:
        response = self.post(f"/api/v1/credentials/{row_id}/claim-link")
        assert response.status_code == 201, response.text
        url: str = response.json()["claim_url"]
        return url


def provision(server: Served, *, organization: str, issuer: dict[str, Any], achievement: dict[str, Any]) -> Lms:
    """An OAuth client from `credstack clients create`, then an issuer and an achievement through the API."""
    scopes = [str(scope) for scope in Scope]
    client = json.loads(server.cli("clients", "create", "--org", organization, "--scopes", *scopes))
    form = {
        "grant_type": "client_credentials",
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
    }
    token = httpx.post(f"{server.url}/oauth/token", data=form, timeout=30)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    made = httpx.post(f"{server.url}/api/v1/issuers", json=issuer, headers=headers, timeout=30)
    assert made.status_code == 201, made.text
    body = {"issuer_id": made.json()["id"], **achievement}
    created = httpx.post(f"{server.url}/api/v1/achievements", json=body, headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    return Lms(server.url, headers, made.json(), created.json())
