"""Issuer keys: rotation keeps earlier keys verifying, retirement withdraws them, did:key cannot rotate, private keys
are sealed at rest, and `active_signer` signs what the DID document verifies (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from credentials.did import DidResolverRegistry, DidWebResolver, find_verification_method
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credstack.settings import Settings
from credstack.verification import verifier_ports
from issuer.did_documents import local_documents
from issuer.repositories.issuers import IssuerRepository
from issuer.signing_keys import NoActiveKey, active_signer, open_key
from schemas.report import CheckStatus, VerificationReport
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.dump import dump_database
from support.issuers import ISSUERS, create_issuer, master_key
from support.tenancy import Tenant, Tenants
from verifier.service import verify_input

FIXTURE = Path(__file__).parents[1] / "interop" / "fixtures" / "ob3-vcdm2.json"


def refuse_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the service's own DID must not be fetched: {request.url}")


def did_document(client: TestClient, issuer: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/issuers/{issuer['id']}/did.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def keys(client: TestClient, headers: dict[str, str], issuer: dict[str, Any]) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = client.get(f"{ISSUERS}/{issuer['id']}/keys", headers=headers).json()["keys"]
    return listed


def test_rotation_keeps_earlier_keys_in_the_did_document(
    client: TestClient, tenants: Tenants, clock: FakeClock
) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)
    first = did_document(client, issuer)
    key_1 = f"{issuer['did']}#key-1"
    assert [method["id"] for method in first["verificationMethod"]] == [key_1]

    clock.advance(minutes=5)
    rotated = client.post(f"{ISSUERS}/{issuer['id']}/keys/rotate", headers=headers)
    assert rotated.status_code == 201
    key_2 = rotated.json()["verification_method"]
    assert key_2 == f"{issuer['did']}#key-2"
    assert rotated.json()["state"] == "active"

    document = did_document(client, issuer)
    assert document["verificationMethod"][0] == first["verificationMethod"][0], "the old key is unchanged"
    assert document["assertionMethod"] == [key_1, key_2], "earlier credentials keep verifying"
    assert document["authentication"] == [key_2], "only the active key authenticates"
    assert [(k["key_id"], k["state"]) for k in keys(client, headers, issuer)] == [
        ("key-1", "rotated"),
        ("key-2", "active"),
    ]


def test_retiring_a_key_removes_it_and_destroys_its_private_key(
    client: TestClient, tenants: Tenants, clock: FakeClock, sessions: sessionmaker[Session]
) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)
    client.post(f"{ISSUERS}/{issuer['id']}/keys/rotate", headers=headers)
    clock.advance(minutes=10)
    retired = client.post(f"{ISSUERS}/{issuer['id']}/keys/key-1/retire", json={"reason": "leaked"}, headers=headers)
    assert retired.status_code == 200
    assert retired.json()["state"] == "retired"
    assert retired.json()["retired_at"] == clock().isoformat().replace("+00:00", "Z")

    document = did_document(client, issuer)
    assert [method["id"] for method in document["verificationMethod"]] == [f"{issuer['did']}#key-2"]
    assert document["assertionMethod"] == [f"{issuer['did']}#key-2"]
    with sessions() as session:
        row = IssuerRepository(session, tenants.a.organization_id).key(uuid.UUID(issuer["id"]), "key-1")
        assert (row.encrypted_private_key, row.nonce) == (b"", b"")
    again = client.post(f"{ISSUERS}/{issuer['id']}/keys/key-1/retire", headers=headers)
    assert again.json() == retired.json(), "retiring twice changes nothing"
    for unknown in ("key-9", "key-01", "%00", "k" * 300, "%ED%A0%80"):
        response = client.post(f"{ISSUERS}/{issuer['id']}/keys/{unknown}/retire", headers=headers)
        assert_problem(response, 404, "NOT_FOUND")


def test_retiring_the_active_key_stops_signing_until_the_next_rotation(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)
    client.post(f"{ISSUERS}/{issuer['id']}/keys/key-1/retire", headers=headers)
    assert did_document(client, issuer)["verificationMethod"] == []
    with sessions() as session, pytest.raises(NoActiveKey):
        row = IssuerRepository(session, tenants.a.organization_id).get(uuid.UUID(issuer["id"]))
        active_signer(session, row, master_key(app))
    rotated = client.post(f"{ISSUERS}/{issuer['id']}/keys/rotate", headers=headers).json()
    assert rotated["key_id"] == "key-2", "key ids are never reused"
    with sessions() as session:
        row = IssuerRepository(session, tenants.a.organization_id).get(uuid.UUID(issuer["id"]))
        assert active_signer(session, row, master_key(app))[1] == rotated["verification_method"]


def test_a_did_key_issuer_cannot_rotate(client: TestClient, tenants: Tenants) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers, did_method="key")
    before = keys(client, headers, issuer)
    problem = assert_problem(
        client.post(f"{ISSUERS}/{issuer['id']}/keys/rotate", headers=headers), 409, "KEY_ROTATION_NOT_SUPPORTED"
    )
    assert "did:key" in problem["detail"] and "did:web" in problem["detail"]
    assert keys(client, headers, issuer) == before


def _sealed_seeds(app: FastAPI, sessions: sessionmaker[Session], tenant: Tenant) -> list[bytes]:
    """The seed of every key of every issuer of `tenant`, opened with the app's master key."""
    seeds = []
    with sessions() as session:
        repository = IssuerRepository(session, tenant.organization_id)
        for issuer in repository.all():
            for key in repository.keys(issuer.id):
                pair = open_key(issuer, key, master=master_key(app))
                assert pair.seed is not None and pair.public_key_multibase == key.public_key_multibase
                seeds.append(pair.seed)
    return seeds


def _spellings(seed: bytes) -> list[str]:
    pair = Ed25519KeyPair.from_seed(seed)
    return [
        seed.hex(),
        seed.hex().upper(),
        base64.b64encode(seed).decode().rstrip("="),
        base64.urlsafe_b64encode(seed).decode().rstrip("="),
        pair.secret_key_multibase,
        repr(seed)[2:-1],
    ]


def test_a_database_dump_holds_no_private_key(
    app: FastAPI, client: TestClient, tenants: Tenants, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    headers = bearer(client, tenants.a)
    web = create_issuer(client, headers)
    create_issuer(client, headers, did_method="key")
    client.post(f"{ISSUERS}/{web['id']}/keys/rotate", headers=headers)
    seeds = _sealed_seeds(app, sessions, tenants.a)
    assert len(seeds) == 3
    dump = dump_database(engine)
    assert web["did"] in dump, "the dump must actually contain the issuers"
    for seed in seeds:
        for spelling in _spellings(seed):
            assert spelling not in dump
    master = master_key(app)
    assert master.key.hex() not in dump
    assert base64.urlsafe_b64encode(master.key).decode().rstrip("=") not in dump


def _signed_credential(app: FastAPI, sessions: sessionmaker[Session], tenant: Tenant, issuer: dict[str, Any]) -> bytes:
    """The fixture credential issued by `issuer` and signed (eddsa-rdfc-2022) with `active_signer`."""
    credential = json.loads(FIXTURE.read_text())
    credential["issuer"] = {key: value for key, value in issuer["profile"].items() if key != "@context"}
    with sessions() as session:
        row = IssuerRepository(session, tenant.organization_id).get(uuid.UUID(issuer["id"]))
        signer, method = active_signer(session, row, master_key(app))
    assert signer.verification_method == method
    suite = SUITES["eddsa-rdfc-2022"]
    options = ProofOptions.for_suite(suite, method, created="2025-03-01T12:00:00Z")
    return json.dumps(add_proof(credential, suite, options, signer, ContextStore.load())).encode()


async def _verify(data: bytes, sessions: sessionmaker[Session], tmp_path: Path) -> VerificationReport:
    """What the service's verifier will do: its ports with the issuers' own DID documents as local documents."""
    async with verifier_ports(Settings(data_dir=tmp_path), local_documents=local_documents(sessions)) as ports:
        return await verify_input(data, ports)


def _check(report: VerificationReport, check_id: str) -> CheckStatus:
    return next(check.status for check in report.checks if check.id == check_id)


async def test_active_signer_signs_what_the_did_document_verifies(
    app: FastAPI, client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    headers = bearer(client, tenants.a)
    issuer = create_issuer(client, headers)
    with sessions() as session:
        row = IssuerRepository(session, tenants.a.organization_id).get(uuid.UUID(issuer["id"]))
        signer, method = active_signer(session, row, master_key(app))
    signature = signer.sign(b"statement")
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse_network)) as http:
        registry = DidResolverRegistry({"web": DidWebResolver(http)}, local_documents=local_documents(sessions))
        verification_method = find_verification_method(await registry.resolve(issuer["did"]), method)
    assert verification_method.controller == issuer["did"] == issuer["profile"]["id"]
    assert "assertionMethod" in verification_method.relationships
    assert verification_method.public_key is not None
    assert Ed25519KeyPair(verification_method.public_key).verify(signature, b"statement")

    signed_before_rotation = _signed_credential(app, sessions, tenants.a, issuer)
    report = await _verify(signed_before_rotation, sessions, tmp_path)
    assert (_check(report, "proof"), _check(report, "proof_purpose"), report.verified) == (
        CheckStatus.PASSED,
        CheckStatus.PASSED,
        True,
    )

    client.post(f"{ISSUERS}/{issuer['id']}/keys/rotate", headers=headers)
    signed_after_rotation = _signed_credential(app, sessions, tenants.a, issuer)
    assert json.loads(signed_after_rotation)["proof"]["verificationMethod"] == f"{issuer['did']}#key-2"
    for data in (signed_before_rotation, signed_after_rotation):
        assert (await _verify(data, sessions, tmp_path)).verified, "a rotated key still verifies what it signed"

    client.post(f"{ISSUERS}/{issuer['id']}/keys/key-1/retire", headers=headers)
    report = await _verify(signed_before_rotation, sessions, tmp_path)
    assert _check(report, "proof") is CheckStatus.FAILED, "a retired key verifies nothing"
    assert not report.verified
    assert (await _verify(signed_after_rotation, sessions, tmp_path)).verified
