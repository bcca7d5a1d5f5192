"""A real Credstack server on loopback TLS, provisioned through its API, and the node wallet drivers run against it.

``start_server`` runs ``credstack db upgrade`` then ``credstack serve --ssl-certfile --ssl-keyfile`` on a free port of
127.0.0.1 with a fresh ``CREDSTACK_DATA_DIR``, ``CREDSTACK_JOB_WORKER=0`` and
``CREDSTACK_BASE_URL=https://127.0.0.1:<port>``, so that every URL the service prints (OpenID4VCI
``credential_issuer``, the ``aud`` wallets put in proofs, status lists, achievements) is the one the clients reach.

``Provisioned`` is an organization with an API client holding every scope, a did:key issuer (resolvable offline by
the wallet libraries) and an achievement; ``issue`` issues through ``POST /api/v1/credentials``.

``run_driver`` runs ``node <driver>.mjs`` from tests/interop/wallets with ``NODE_EXTRA_CA_CERTS`` set to the
server's certificate and parses the JSON lines it prints (see tests/interop/README.md, "Wallet clients").

Network: plain loopback. The drivers refuse, in-process, every connection to a host that is not loopback (and
print it as a ``blocked`` step); the server and its provisioning are reached from this process, so they are not
put in a network namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from wallets.wallet_tls import TlsFiles, ssl_context, write_self_signed

from support.served import served

__all__ = [
    "CREDSTACK",
    "NODE_MODULES",
    "WALLETS_DIR",
    "DriverRun",
    "Provisioned",
    "WalletServer",
    "node_problem",
    "provision",
    "run_driver",
    "start_server",
]

WALLETS_DIR = Path(__file__).resolve().parent
NODE_MODULES = WALLETS_DIR / "node_modules"
CREDSTACK = Path(sys.executable).parent / "credstack"
ALL_SCOPES = (
    "issuers:write",
    "achievements:write",
    "credentials:issue",
    "credentials:revoke",
    "credentials:read",
    "pathways:write",
)
# one package per driver family: if any is missing, `npm ci` in tests/interop/wallets was not run
REQUIRED_PACKAGES = (
    "@openid4vc/openid4vci",
    "@sphereon/oid4vci-client",
    "@digitalbazaar/oid4-client",
    "@digitalcredentials/vc",
    "@digitalcredentials/verifier-core",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
)

JsonObject = dict[str, Any]


def node_executable() -> str | None:
    """``$CREDSTACK_NODE`` if set, else ``node`` on PATH (as tests/interop/jsref.py)."""
    configured = os.environ.get("CREDSTACK_NODE")
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    return shutil.which("node")


def node_problem() -> str | None:
    """Why the drivers cannot run (no node, packages not installed), or None."""
    if node_executable() is None:
        return "node is not installed (set CREDSTACK_NODE or put node on PATH)"
    missing = [name for name in REQUIRED_PACKAGES if not (NODE_MODULES / name / "package.json").is_file()]
    if missing:
        return f"{', '.join(missing)} not installed: run `make install-node` (npm ci in {WALLETS_DIR})"
    return None


@dataclass
class WalletServer:
    """A running ``credstack serve`` with TLS; ``cert`` is what clients must trust."""

    base_url: str
    port: int
    tls: TlsFiles
    data_dir: Path
    env: dict[str, str]
    log: Path

    @property
    def cert(self) -> Path:
        return self.tls.cert

    def client(self, token: str | None = None, *, timeout: float = 30.0) -> httpx.Client:
        """An httpx client for the server, trusting only its certificate; with ``token`` as Bearer."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, verify=ssl_context(self.cert), headers=headers, timeout=timeout)

    def credstack(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run the ``credstack`` CLI on this server's data directory (same database)."""
        return subprocess.run(
            [str(CREDSTACK), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )


@contextmanager
def start_server(workdir: Path, *, extra_env: dict[str, str] | None = None) -> Iterator[WalletServer]:
    """Start ``credstack serve`` with a fresh certificate and data directory under ``workdir``; stop it after."""
    tls = write_self_signed(workdir / "tls")
    data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    with served(data_dir, tls=(tls.cert, tls.key), extra_env=extra_env) as running:
        port = urlsplit(running.url).port
        assert port is not None
        yield WalletServer(
            base_url=running.url, port=port, tls=tls, data_dir=data_dir, env=running.env, log=data_dir / "serve.log"
        )


def _expect(response: httpx.Response, *statuses: int) -> JsonObject:
    if response.status_code not in statuses:
        raise AssertionError(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:2000]}"
        )
    body: JsonObject = response.json()
    return body


@dataclass
class Provisioned:
    """An organization's API client (every scope), a token, a did:key issuer and an achievement on ``server``."""

    server: WalletServer
    client_id: str
    client_secret: str
    token: str
    issuer: JsonObject
    achievement: JsonObject
    issued: list[JsonObject] = field(default_factory=list)

    def api(self) -> httpx.Client:
        """An httpx client with the organization's token."""
        return self.server.client(self.token)

    def issue(self, *, did: str | None = None, email: str | None = None, **request: Any) -> JsonObject:
        """``POST /api/v1/credentials`` for the achievement; the response (``id``, ``credential``, ...)."""
        if (did is None) == (email is None):
            raise ValueError("give exactly one of did and email")
        recipient = {"did": did} if did is not None else {"email": email}
        body = {"achievement_id": self.achievement["uuid"], "recipient": recipient, **request}
        with self.api() as api:
            issued = _expect(api.post("/api/v1/credentials", json=body), 201)
        self.issued.append(issued)
        return issued


def provision(server: WalletServer, *, organization: str = "Wallet Interop University") -> Provisioned:
    """Create the API client (CLI), get a token, a did:key issuer and an achievement (API)."""
    created = server.credstack("clients", "create", "--org", organization, "--scopes", *ALL_SCOPES)
    if created.returncode != 0:
        raise RuntimeError(f"credstack clients create failed: {created.stderr}")
    secrets = json.loads(created.stdout)
    with server.client() as anonymous:
        token = _expect(anonymous.post("/oauth/token", data={"grant_type": "client_credentials", **secrets}), 200)[
            "access_token"
        ]
    with server.client(token) as api:
        issuer = _expect(
            api.post(
                "/api/v1/issuers",
                json={
                    "name": "Wallet Interop University",
                    "url": "https://wallets.example.edu",
                    "email": "badges@wallets.example.edu",
                    "did_method": "key",
                },
            ),
            201,
        )
        achievement = _expect(
            api.post(
                "/api/v1/achievements",
                json={
                    "issuer_id": issuer["id"],
                    "name": "Wallet Interop",
                    "description": "Received a badge in a real wallet client.",
                    "criteria": {"narrative": "Complete the wallet interoperability run."},
                    "achievementType": "Badge",
                },
            ),
            201,
        )
    return Provisioned(
        server=server,
        client_id=secrets["client_id"],
        client_secret=secrets["client_secret"],
        token=token,
        issuer=issuer,
        achievement=achievement,
    )


@dataclass
class DriverRun:
    """One driver run: exit code, the JSON step lines it printed (stdout) and its stderr."""

    args: list[str]
    returncode: int
    steps: list[JsonObject]
    stdout: str
    stderr: str

    @property
    def result(self) -> JsonObject | None:
        """The last ``{"step": "result", ...}`` line, if any."""
        results = [step for step in self.steps if step.get("step") == "result"]
        return results[-1] if results else None

    def steps_named(self, name: str) -> list[JsonObject]:
        return [step for step in self.steps if step.get("step") == name]

    def explain(self) -> str:
        """Everything to put in an assertion message."""
        command = " ".join(self.args)
        return f"node {command} -> {self.returncode}\nstdout:\n{self.stdout[-6000:]}\nstderr:\n{self.stderr[-4000:]}"


def run_driver(
    script: str,
    args: Sequence[str] = (),
    *,
    server: WalletServer | None = None,
    stdin: str | None = None,
    timeout: float = 120.0,
) -> DriverRun:
    """``node tests/interop/wallets/<script> <args>``; with ``server``, node trusts its certificate."""
    node = node_executable()
    if node is None:
        raise RuntimeError("node is not installed")
    env = dict(os.environ)
    if server is not None:
        env["NODE_EXTRA_CA_CERTS"] = str(server.cert)
    command = [node, str(WALLETS_DIR / script), *args]
    completed = subprocess.run(
        command,
        cwd=WALLETS_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    steps: list[JsonObject] = []
    for line in completed.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(parsed, dict):
            steps.append(parsed)
    return DriverRun(
        args=[script, *args],
        returncode=completed.returncode,
        steps=steps,
        stdout=completed.stdout,
        stderr=completed.stderr,
    )
