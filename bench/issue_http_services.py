"""The processes bench/issue_http.py measures and how it sets them up: a Credstack service (`credstack db upgrade`,
an API client, a did:key issuer, then `credstack serve --workers N` with that issuer as the VC-API issuer), the node
signing server, a fresh PostgreSQL database, and the load generator (bench/http_load.py) in a process of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import httpx
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from credentials.did import DidKeyResolver, DidResolverRegistry
from credentials.jsonld import ContextStore
from credentials.keys import VerificationMethod
from credentials.proofs.data_integrity import ALL_SUITES, proof_set_verified, verification_method_urls, verify_proof_set

BENCH: Final = Path(__file__).resolve().parent
ROOT: Final = BENCH.parent
CREDSTACK: Final = Path(sys.executable).parent / "credstack"
NODE_SERVER: Final = ROOT / "tests" / "interop" / "js" / "issue_server.mjs"
PLACEHOLDER: Final = "__REQUEST_ID__"
START_TIMEOUT_S: Final = 60.0
SCOPES: Final = ("issuers:write", "credentials:issue")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group this bench started (uvicorn's workers are in it), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} while starting ({url})")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url} within {START_TIMEOUT_S:.0f} s")


def issue_once(url: str, body: str, headers: dict[str, str]) -> dict[str, Any]:
    """One issue request (a fresh id in the body); the verifiableCredential of the 201."""
    response = httpx.post(url, content=body.replace(PLACEHOLDER, str(uuid.uuid4())), headers=headers, timeout=30)
    if response.status_code != 201:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:500]}")
    credential: dict[str, Any] = response.json()["verifiableCredential"]
    return credential


def check_signed(credential: dict[str, Any], issuer_did: str) -> None:
    """What is timed is real work: the credential names the issuer and its proof verifies (did:key, offline)."""
    issuer = credential.get("issuer")
    if (issuer.get("id") if isinstance(issuer, dict) else issuer) != issuer_did:
        raise SystemExit(f"the issued credential's issuer is not {issuer_did}")
    resolver = DidResolverRegistry({"key": DidKeyResolver()})

    async def methods() -> dict[str, VerificationMethod]:
        urls = verification_method_urls(credential)
        return {url: await resolver.dereference_verification_method(url) for url in urls}

    checks = verify_proof_set(
        credential,
        methods=asyncio.run(methods()),
        contexts=ContextStore.load(),
        expected_purpose="assertionMethod",
        allowed_suites=ALL_SUITES,
    )
    if not proof_set_verified(checks):
        raise SystemExit(f"the issued credential does not verify: {checks}")


def run_load(url: str, body_file: Path, args: argparse.Namespace, headers: list[str] | None = None) -> dict[str, Any]:
    """bench/http_load.py in its own process; its JSON result."""
    command = [sys.executable, str(BENCH / "http_load.py"), "--url", url, "--body-file", str(body_file)]
    command += ["--clients", str(args.clients), "--duration", str(args.duration), "--warmup", str(args.warmup)]
    for header in headers or []:
        command += ["--header", header]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the load generator failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


class NodeSigner:
    """tests/interop/js/issue_server.mjs on a free port, with the did:key of `seed_hex`."""

    def __init__(self, seed_hex: str) -> None:
        self.seed_hex = seed_hex
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.did = ""

    def __enter__(self) -> Self:
        command = ["node", str(NODE_SERVER), "--seed", self.seed_hex, "--port", "0"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, start_new_session=True)
        assert self.process.stdout is not None
        started = json.loads(self.process.stdout.readline() or b"null")
        if not isinstance(started, dict):
            stop_process(self.process)
            raise SystemExit("the node issue server did not start (run `make install-node`)")
        self.port, self.did = started["port"], started["did"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_process(self.process)

    @property
    def issue_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/credentials/issue"

    @property
    def noop_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/noop"

    def issue_once(self, body: str) -> dict[str, Any]:
        return issue_once(self.issue_url, body, {"Content-Type": "application/json"})


class CredstackService:
    """A Credstack service on a fresh database, its VC-API issuer (did:key) and an access token for issuing."""

    def __init__(self, data_dir: Path, *, database_url: str | None, workers: int) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
        self.env.update(CREDSTACK_DATA_DIR=str(data_dir), CREDSTACK_BASE_URL=self.base_url)
        if database_url is not None:
            self.env["CREDSTACK_DATABASE_URL"] = database_url
        self.process: subprocess.Popen[bytes] | None = None
        self.issuer_did = ""
        self.authorization = ""

    def _cli(self, *arguments: str) -> str:
        done = subprocess.run([str(CREDSTACK), *arguments], env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"credstack {' '.join(arguments)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def _serve(self, workers: int, env: dict[str, str]) -> None:
        command = [str(CREDSTACK), "serve", "--port", str(self.port), "--workers", str(workers)]
        log = (self.data_dir / "serve.log").open("ab")
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
        wait_until_up(f"{self.base_url}/healthz", self.process)

    def _token(self, client: dict[str, str]) -> str:
        form = {"grant_type": "client_credentials", **client, "scope": " ".join(SCOPES)}
        response = httpx.post(f"{self.base_url}/oauth/token", data=form, timeout=30)
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def __enter__(self) -> Self:
        self.data_dir.mkdir(parents=True)
        self._cli("db", "upgrade")
        client = json.loads(self._cli("clients", "create", "--org", "Credstack bench", "--scopes", *SCOPES))
        client = {"client_id": client["client_id"], "client_secret": client["client_secret"]}
        self._serve(1, self.env)  # once, to create the issuer through the API
        headers = {"Authorization": f"Bearer {self._token(client)}"}
        profile = {"name": "Credstack Bench University", "did_method": "key"}
        created = httpx.post(f"{self.base_url}/api/v1/issuers", json=profile, headers=headers, timeout=30)
        created.raise_for_status()
        issuer = created.json()
        self.issuer_did = issuer["did"]
        assert self.process is not None
        stop_process(self.process)
        self._serve(self.workers, {**self.env, "CREDSTACK_VCAPI_ISSUER": issuer["id"]})
        self.authorization = f"Authorization: Bearer {self._token(client)}"
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is not None:
            stop_process(self.process)

    @property
    def issue_url(self) -> str:
        return f"{self.base_url}/credentials/issue"

    def issue_once(self, body: str) -> dict[str, Any]:
        name, _, value = self.authorization.partition(": ")
        return issue_once(self.issue_url, body, {"Content-Type": "application/json", name: value})


@contextlib.contextmanager
def postgres_database(server_url: str) -> Iterator[tuple[str, str]]:
    """A fresh, empty database on the server (a new schema, reached through search_path, when the role may not
    create databases); dropped afterwards. ConnectionError when the server cannot be reached."""
    url = make_url(server_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)
    name = f"credstack_bench_{uuid.uuid4().hex[:12]}"
    try:
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            created_database = True
        except DBAPIError as exc:
            if exc.connection_invalidated or "could not connect" in str(exc) or "Connection refused" in str(exc):
                raise ConnectionError(str(exc.orig).strip().splitlines()[0]) from exc
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{name}"'))
            created_database = False
        if created_database:
            yield url.set(database=name).render_as_string(hide_password=False), f"fresh database {name}"
        else:
            fresh = url.update_query_dict({"options": f"-csearch_path={name}"})
            yield fresh.render_as_string(hide_password=False), f"fresh schema {name} (the role may not CREATE DATABASE)"
        _drop(admin, name, created_database)
    finally:
        admin.dispose()


def _drop(admin: Any, name: str, database: bool) -> None:
    with admin.connect() as connection:
        connection.execute(
            text(f'DROP DATABASE "{name}" WITH (FORCE)' if database else f'DROP SCHEMA "{name}" CASCADE')
        )
