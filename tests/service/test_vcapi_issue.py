"""`POST /credentials/issue` (VC-API) on SQLite and PostgreSQL: the credential comes back as sent plus its status entry
and proof, verifies with the service's own pipeline, and is stored (with a status index) under the issuer's
reserved VC-API record; who may call; which issuer signs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credstack.app import create_app
from credstack.settings import Settings
from issuer.models import AuditEntry, Credential
from issuer.reserved_achievements import vcapi_achievement_id
from schemas.report import CheckStatus
from support.achievements import API as ACHIEVEMENTS
from support.achievements import BASE_URL
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.issuance import check, verify
from support.issuers import ISSUERS
from support.tenancy import Tenants
from support.vcapi import DI_V2, ISSUE, STATUS_V1, SUBJECT_DID, VC_V1, VC_V2, VcApi, entries, vc2, vc11, vcapi_service

CREDENTIALS = "/api/v1/credentials"


@pytest.fixture
def vcapi(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> Iterator[VcApi]:
    with vcapi_service(database_url, tmp_path, clock, tenants.a) as service:
        yield service


def _stored(sessions: sessionmaker[Session], location: str) -> Credential:
    with sessions() as session:
        row = session.get(Credential, uuid.UUID(location.rsplit("/", 1)[1]))
        assert row is not None
        return row


async def test_vcdm2_is_signed_as_sent_with_status_and_verifies(vcapi: VcApi, sessions: sessionmaker[Session]) -> None:
    sent = vc2(vcapi.did)
    response = vcapi.issue(sent, {})
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"verifiableCredential"}
    credential = response.json()["verifiableCredential"]
    for member in ("@context", "id", "type", "issuer", "credentialSubject"):
        assert credential[member] == sent[member], member
    assert list(credential)[: len(sent)] == list(sent), "members keep their order"
    [entry] = entries(credential)
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"].startswith(f"{BASE_URL}/status-lists/")
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
    proof = credential["proof"]
    assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
        "DataIntegrityProof",
        "eddsa-rdfc-2022",
        "assertionMethod",
    )
    fingerprint = vcapi.did.removeprefix("did:key:")
    assert proof["verificationMethod"] == f"{vcapi.did}#{fingerprint}" and fingerprint.startswith("z6Mk")
    assert proof["proofValue"].startswith("z")
    report = await verify(vcapi.app, credential)
    assert report.verified, report.model_dump_json(indent=1)
    assert check(report, "status") is CheckStatus.PASSED
    stored = _stored(sessions, response.headers["location"])
    assert stored.document.encode() == json.dumps(credential, separators=(",", ":"), ensure_ascii=False).encode()
    assert (stored.credential_id, stored.cryptosuite, stored.status) == (sent["id"], "eddsa-rdfc-2022", "active")


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "Ed25519Signature2020"])
async def test_other_suites_on_request(vcapi: VcApi, suite: str) -> None:
    credential = vcapi.issued(vc2(vcapi.did), {"cryptosuite": suite})
    proof = credential["proof"]
    assert proof.get("cryptosuite", proof["type"]) == suite
    if suite == "Ed25519Signature2020":
        assert credential["@context"] == [VC_V2, "https://w3id.org/security/suites/ed25519-2020/v1"]
    assert (await verify(vcapi.app, credential)).verified


async def test_legacy_suite_named_as_proof_type(vcapi: VcApi) -> None:
    credential = vcapi.issued(vc2(vcapi.did), {"type": "Ed25519Signature2020"})
    assert credential["proof"]["type"] == "Ed25519Signature2020"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_vcdm11_gets_the_data_integrity_context_and_no_status(vcapi: VcApi, suite: str) -> None:
    sent = vc11(vcapi.did)
    credential = vcapi.issued(sent, {"cryptosuite": suite})
    assert credential["@context"] == [VC_V1, DI_V2]
    assert credential["issuanceDate"] == sent["issuanceDate"]
    assert "credentialStatus" not in credential
    assert (await verify(vcapi.app, credential)).verified


async def test_vcdm11_without_issuance_date_gets_one(vcapi: VcApi, clock: FakeClock) -> None:
    sent = vc11(vcapi.did)
    del sent["issuanceDate"]
    credential = vcapi.issued(sent)
    assert credential["issuanceDate"] == clock().strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_open_badges_vocab_context(vcapi: VcApi) -> None:
    """What the obv3 suite sends: VCDM 1.1 with an inline @vocab context."""
    sent = vc11(vcapi.did, credentialSubject={"id": SUBJECT_DID, "achievement": "Test"})
    sent["@context"] = [VC_V1, {"@vocab": "https://w3id.org/openbadges#"}]
    credential = vcapi.issued(sent)
    assert credential["@context"] == [*sent["@context"], DI_V2]
    assert (await verify(vcapi.app, credential)).verified


async def test_requested_status_on_vcdm11_adds_the_status_context(vcapi: VcApi) -> None:
    """The bsl suite's VC_BSL_ISSUE_OPTIONS."""
    options = {"credentialStatus": {"type": "BitstringStatusListEntry"}}
    credential = vcapi.issued(vc11(vcapi.did), options)
    assert credential["@context"] == [VC_V1, STATUS_V1, DI_V2]
    assert [e["statusPurpose"] for e in entries(credential)] == ["revocation"]
    assert (await verify(vcapi.app, credential)).verified


async def test_suspension_entry_on_request(
    database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants
) -> None:
    with vcapi_service(database_url, tmp_path, clock, tenants.a, suspension=True) as vcapi:
        both = vcapi.issued(vc2(vcapi.did))
        assert [e["statusPurpose"] for e in entries(both)] == ["revocation", "suspension"]
        options = {"credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}}
        suspension_only = vcapi.issued(vc2(vcapi.did), options)
        assert [e["statusPurpose"] for e in entries(suspension_only)] == ["suspension"]
        assert (await verify(vcapi.app, suspension_only)).verified


def test_suspension_needs_an_issuer_that_enabled_it(vcapi: VcApi) -> None:
    options = {"credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"}}
    body = assert_problem(vcapi.issue(vc2(vcapi.did), options), 400, "INVALID_CREDENTIAL")
    assert body["errors"][0]["loc"] == ["options", "credentialStatus", "statusPurpose"]


async def test_own_credential_status_is_kept_as_sent(vcapi: VcApi) -> None:
    status = {
        "id": "https://status.example/lists/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://status.example/lists/1",
    }
    credential = vcapi.issued(vc2(vcapi.did, credentialStatus=status))
    assert credential["credentialStatus"] == status


def test_credential_without_id_is_stored_under_an_internal_id(vcapi: VcApi, sessions: sessionmaker[Session]) -> None:
    sent = vc2(vcapi.did)
    del sent["id"]
    response = vcapi.issue(sent)
    assert response.status_code == 201, response.text
    assert "id" not in response.json()["verifiableCredential"]
    stored = _stored(sessions, response.headers["location"])
    assert stored.credential_id == f"urn:uuid:{stored.id}"
    resource = vcapi.client.get(response.headers["location"], headers=vcapi.headers)
    assert resource.status_code == 200 and resource.json()["credential_id"] == stored.credential_id


def test_the_same_id_twice_is_two_credentials(vcapi: VcApi, sessions: sessionmaker[Session]) -> None:
    sent = vc2(vcapi.did)
    first, second = vcapi.issue(sent), vcapi.issue(sent)
    assert first.status_code == second.status_code == 201
    assert first.json()["verifiableCredential"]["id"] == second.json()["verifiableCredential"]["id"] == sent["id"]
    rows = [_stored(sessions, r.headers["location"]) for r in (first, second)]
    assert rows[0].credential_id == sent["id"]
    assert rows[1].credential_id == f"urn:uuid:{rows[1].id}"
    assert (
        rows[0].revocation_index != rows[1].revocation_index or rows[0].revocation_list_id != rows[1].revocation_list_id
    )


def test_stored_under_the_reserved_record_and_listed(vcapi: VcApi) -> None:
    response = vcapi.issue(vc2(vcapi.did))
    row_id = response.headers["location"].rsplit("/", 1)[1]
    record_id = str(vcapi_achievement_id(uuid.UUID(vcapi.issuer["id"])))
    listed = vcapi.client.get(CREDENTIALS, params={"recipient": SUBJECT_DID}, headers=vcapi.headers).json()
    [summary] = listed["credentials"]
    assert (summary["id"], summary["achievement_id"], summary["achievement_version"]) == (row_id, record_id, 1)
    record = vcapi.client.get(f"{ACHIEVEMENTS}/{record_id}", headers=vcapi.headers)
    assert record.status_code == 200 and record.json()["achievement"]["name"] == "VC-API credentials"


def test_the_reserved_record_cannot_be_issued_from_or_edited(vcapi: VcApi) -> None:
    vcapi.issue(vc2(vcapi.did))
    record_id = str(vcapi_achievement_id(uuid.UUID(vcapi.issuer["id"])))
    body = {"achievement_id": record_id, "recipient": {"did": SUBJECT_DID}}
    assert_problem(vcapi.client.post(CREDENTIALS, json=body, headers=vcapi.headers), 409, "ACHIEVEMENT_RESERVED")
    template = {"name": "Hijack", "description": "No.", "criteria": {"narrative": "No."}}
    edit = vcapi.client.put(f"{ACHIEVEMENTS}/{record_id}", json=template, headers=vcapi.headers)
    assert_problem(edit, 409, "ACHIEVEMENT_RESERVED")


def test_issuer_must_be_the_vcapi_issuer(vcapi: VcApi) -> None:
    for issuer in ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", {"id": "did:example:other"}):
        assert_problem(vcapi.issue(vc2(vcapi.did, issuer=issuer)), 400, "ISSUER_MISMATCH")
    assert vcapi.issue(vc2(vcapi.did, issuer={"id": vcapi.did, "name": "Us"})).status_code == 201


def test_a_token_is_required_by_default(vcapi: VcApi, tenants: Tenants, sessions: sessionmaker[Session]) -> None:
    credential = vc2(vcapi.did)
    assert_problem(vcapi.issue(credential, headers={}), 401, "AUTHENTICATION_REQUIRED")
    reader = bearer(vcapi.client, tenants.a, "credentials:read")
    assert_problem(vcapi.issue(credential, headers=reader), 403, "INSUFFICIENT_SCOPE")
    stranger = bearer(vcapi.client, tenants.b)
    assert_problem(vcapi.issue(credential, headers=stranger), 403, "FORBIDDEN")
    with sessions() as session:
        assert session.query(Credential).count() == 0


def test_open_mode_needs_no_token(
    database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    with vcapi_service(database_url, tmp_path, clock, tenants.a, open_mode=True) as vcapi:
        response = vcapi.issue(vc2(vcapi.did), headers={})
        assert response.status_code == 201, response.text
    with sessions() as session:
        actors = {entry.actor for entry in session.query(AuditEntry).filter(AuditEntry.action == "credential.issue")}
    assert actors == {"client:vcapi-open"}


def test_not_configured(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, database_url=database_url), clock=clock)) as client:
        response = client.post(ISSUE, json={"credential": vc2("did:example:x")}, headers=bearer(client, tenants.a))
        assert_problem(response, 404, "VCAPI_NOT_CONFIGURED")
    settings = Settings(data_dir=tmp_path, database_url=database_url, vcapi_issuer=uuid.uuid4(), vcapi_open=True)
    with TestClient(create_app(settings, clock=clock)) as client:
        assert_problem(client.post(ISSUE, json={"credential": vc2("did:example:x")}), 404, "VCAPI_NOT_CONFIGURED")


def test_a_retired_key_stops_issuing(vcapi: VcApi) -> None:
    retired = vcapi.client.post(f"{ISSUERS}/{vcapi.issuer['id']}/keys/key-1/retire", headers=vcapi.headers)
    assert retired.status_code == 200, retired.text
    assert_problem(vcapi.issue(vc2(vcapi.did)), 409, "NO_ACTIVE_KEY")


def test_did_web_issuer(database_url: str, tmp_path: Path, clock: FakeClock, tenants: Tenants) -> None:
    """DCC-style clients may use a did:web issuer (the W3C suites need did:key, which is their business)."""
    with vcapi_service(database_url, tmp_path, clock, tenants.a, did_method="web") as vcapi:
        credential: dict[str, Any] = vcapi.issued(vc2(vcapi.did))
        assert credential["proof"]["verificationMethod"] == f"{vcapi.did}#key-1"
