"""VC-API interop with the pinned JavaScript reference (SQLite and PostgreSQL): what `POST /credentials/issue` signs
verifies there (VCDM 2.0 and 1.1, eddsa-rdfc-2022 and Ed25519Signature2020), with the status list the service
serves, and is revoked there after `POST /credentials/status`. And the node issue server that bench/issue_http.py
measures against starts, signs what both verifiers accept, and refuses what it cannot sign."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsref import INTEROP_DIR, JsReference, node_executable
from sqlalchemy.orm import Session, sessionmaker

from support.achievements import BASE_URL
from support.clock import FakeClock
from support.tenancy import Tenants, two_tenants
from support.vcapi import VcApi, entries, vc2, vc11, vcapi_service

SEED_HEX = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"  # W3C vc-di-eddsa test key
SEED_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


@pytest.fixture
def tenants(sessions: sessionmaker[Session], clock: FakeClock) -> Tenants:
    return two_tenants(sessions, now=clock())


@pytest.fixture
def vcapi(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> Iterator[VcApi]:
    with vcapi_service(database_url, tmp_path, clock, tenants.a) as service:
        yield service


def served_lists(vcapi: VcApi, credential: dict[str, Any]) -> dict[str, dict[str, Any]]:
    lists = {}
    for entry in entries(credential):
        url = entry["statusListCredential"]
        response = vcapi.client.get(url.removeprefix(BASE_URL))
        assert response.status_code == 200, response.text
        lists[url] = response.json()
    return lists


@pytest.mark.parametrize(
    ("version", "suite"),
    [("2.0", "eddsa-rdfc-2022"), ("1.1", "eddsa-rdfc-2022"), ("2.0", "Ed25519Signature2020")],
)
def test_vcapi_credentials_verify_in_the_js_reference(
    vcapi: VcApi, js_reference: JsReference, version: str, suite: str
) -> None:
    sent = vc2(vcapi.did) if version == "2.0" else vc11(vcapi.did)
    credential = vcapi.issued(sent, {"cryptosuite": suite})
    lists = served_lists(vcapi, credential) if "credentialStatus" in credential else None
    result = js_reference.verify(credential, check_issuer=True, status_lists=lists)
    assert result["verified"], result["errors"]
    assert result["allProofsVerified"]


def test_a_status_update_is_seen_by_the_js_reference(vcapi: VcApi, js_reference: JsReference) -> None:
    credential = vcapi.issued(vc2(vcapi.did))
    before = js_reference.verify(credential, check_issuer=True, status_lists=served_lists(vcapi, credential))
    assert before["verified"] and before["status"]["verified"], before["errors"]
    body = {
        "credentialId": credential["id"],
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
    }
    assert vcapi.update(body).status_code == 200
    after = js_reference.verify(credential, check_issuer=True, status_lists=served_lists(vcapi, credential))
    assert not after["verified"]
    assert {"purpose": "revocation", "bit": 1} in [
        {key: r.get(key) for key in ("purpose", "bit")} for r in after["status"]["results"]
    ]


@pytest.fixture(scope="module")
def node_issue_server() -> Iterator[dict[str, Any]]:
    node = node_executable()
    assert node is not None, "node is not installed"
    command = [node, str(INTEROP_DIR / "js" / "issue_server.mjs"), "--seed", SEED_HEX, "--port", "0"]
    process = subprocess.Popen(command, cwd=INTEROP_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        started: dict[str, Any] = json.loads(process.stdout.readline() or b"null")
        assert isinstance(started, dict), "the issue server did not start"
        yield {**started, "url": f"http://127.0.0.1:{started['port']}"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_node_issue_server_signs(node_issue_server: dict[str, Any], js_reference: JsReference) -> None:
    assert (node_issue_server["did"], node_issue_server["verificationMethod"]) == (
        SEED_DID,
        f"{SEED_DID}#{SEED_DID.removeprefix('did:key:')}",
    )
    url = node_issue_server["url"]
    assert httpx.get(f"{url}/healthz").json() == {"did": SEED_DID}
    sent = vc2(SEED_DID)
    response = httpx.post(f"{url}/credentials/issue", json={"credential": sent, "options": {}}, timeout=30)
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    assert {k: credential[k] for k in sent} == sent
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == node_issue_server["verificationMethod"]
    result = js_reference.verify(credential, check_issuer=True)
    assert result["verified"], result["errors"]
    done = subprocess.run(
        [str(Path(sys.executable).parent / "credstack"), "verify", "-", "--offline"],
        input=json.dumps(credential),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_node_issue_server_refuses_what_it_cannot_sign(node_issue_server: dict[str, Any]) -> None:
    url = node_issue_server["url"]
    assert httpx.post(f"{url}/credentials/issue", content=b"{not json").status_code == 400
    assert httpx.post(f"{url}/credentials/issue", json={"verifiableCredential": {}}).status_code == 400
    undefined = vc2(SEED_DID, favouriteColour="blue")
    assert httpx.post(f"{url}/credentials/issue", json={"credential": undefined}, timeout=30).status_code == 400
    assert httpx.post(f"{url}/noop", content=b"{}").status_code == 201
