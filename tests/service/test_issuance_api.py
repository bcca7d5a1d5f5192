"""`POST /api/v1/credentials` end to end (SQLite and PostgreSQL): issue with the OAuth token, get exactly the stored
bytes back, and verify the credential with the service's own verification pipeline (proof, issuer key, status)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credentials.identity import identity_hash
from credentials.proofs.vc_jwt import decode_unverified
from issuer.models import Credential
from issuer.repositories.audit import AuditRepository
from schemas.report import CheckStatus
from support.api import assert_problem, bearer
from support.issuance import CREDENTIALS, LEARNER, check, issue, issued_credential, issuing, status_urls, verify
from support.tenancy import Tenants

BASE = "http://127.0.0.1:8000"


def _stored(sessions: sessionmaker[Session], row_id: str) -> Credential:
    with sessions() as session:
        row = session.get(Credential, uuid.UUID(row_id))
        assert row is not None
        return row


async def test_issue_and_verify_with_the_service_pipeline(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    response = issue(client, setup)
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"id", "claim_url", "claim_expires_at", "awards", "award_errors", "credential"}
    assert (body["awards"], body["award_errors"]) == ([], [])
    assert response.headers["location"] == f"{CREDENTIALS}/{body['id']}"
    credential = body["credential"]
    assert credential["id"] == f"urn:uuid:{body['id']}"
    assert credential["issuer"]["id"] == setup.issuer["did"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == f"{setup.issuer['did']}#key-1"
    assert credential["credentialSubject"]["achievement"] == setup.achievement["achievement"]
    # One status entry (no suspension): an object, as OB 3.0 and the 1EdTech schema want.
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    assert credential["credentialStatus"]["statusListCredential"].startswith(f"{BASE}/status-lists/")
    report = await verify(app, credential)
    assert report.verified, report.model_dump_json(indent=1)
    assert check(report, "status") is CheckStatus.PASSED
    assert check(report, "proof_purpose") is CheckStatus.PASSED


def test_email_recipient_is_a_salted_hash(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    first = issued_credential(issue(client, setup))
    second = issued_credential(issue(client, setup))
    identities = [c["credentialSubject"]["identifier"][0] for c in (first, second)]
    for identity in identities:
        assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
        assert identity["identityHash"] == identity_hash(LEARNER.lower(), identity["salt"])
        assert LEARNER.lower() not in json.dumps(first)
    # A random salt per credential: the same learner's credentials cannot be linked by their hashes.
    assert identities[0]["salt"] != identities[1]["salt"]
    assert identities[0]["identityHash"] != identities[1]["identityHash"]


def test_did_recipient_is_the_subject_id(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    learner = "did:example:ebfeb1f712ebc6f1c276e12ec21"
    credential = issued_credential(issue(client, setup, recipient={"did": learner}))
    assert credential["credentialSubject"]["id"] == learner
    assert "identifier" not in credential["credentialSubject"]


def test_response_bytes_are_the_stored_text_and_digest(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    response = issue(client, setup, narrative="Naïve café — ✓ 🎓")
    body = response.json()
    row_id = body["id"]
    stored = _stored(sessions, row_id)
    claim = f'"claim_url":"{body["claim_url"]}","claim_expires_at":"{body["claim_expires_at"]}"'
    members = f'"id":"{row_id}",{claim},"awards":[],"award_errors":[]'
    assert response.content == f'{{{members},"credential":{stored.document}}}'.encode()
    assert stored.digest == hashlib.sha256(stored.document.encode()).hexdigest()
    fetched = client.get(f"{CREDENTIALS}/{row_id}", headers=setup.headers)
    assert fetched.status_code == 200
    assert fetched.content.endswith(b',"credential":' + stored.document.encode() + b"}")
    assert fetched.json()["digest"] == stored.digest


async def test_issue_as_vc_jwt(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    response = issue(client, setup, format="jwt")
    token = response.json()["credential"]
    assert isinstance(token, str)
    header, payload = decode_unverified(token)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": f"{setup.issuer['did']}#key-1"}
    assert payload["iss"] == setup.issuer["did"]
    assert payload["jti"] == f"urn:uuid:{response.json()['id']}"
    assert "proof" not in payload
    report = await verify(app, token)
    assert report.verified, report.model_dump_json(indent=1)
    assert check(report, "status") is CheckStatus.PASSED


async def test_other_suites_and_jwt_with_an_embedded_proof(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    for changes in (
        {"cryptosuite": "eddsa-jcs-2022"},
        {"cryptosuite": "Ed25519Signature2020"},
        {"format": "jwt", "cryptosuite": "eddsa-rdfc-2022"},
    ):
        credential: Any = issue(client, setup, **changes).json()["credential"]
        if isinstance(credential, str):
            assert decode_unverified(credential)[1]["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        report = await verify(app, credential)
        assert report.verified, (changes, report.model_dump_json(indent=1))


async def test_did_key_issuer(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a, did_method="key")
    credential = issued_credential(issue(client, setup))
    did = setup.issuer["did"]
    assert credential["proof"]["verificationMethod"] == f"{did}#{did.removeprefix('did:key:')}"
    report = await verify(app, credential)
    assert report.verified, report.model_dump_json(indent=1)


async def test_suspension_enabled_issuer_gets_two_status_entries(
    app: FastAPI, client: TestClient, tenants: Tenants
) -> None:
    setup = issuing(client, tenants.a, suspension=True)
    credential = issued_credential(issue(client, setup))
    assert isinstance(credential["credentialStatus"], list)
    assert set(status_urls(credential)) == {"revocation", "suspension"}
    report = await verify(app, credential)
    assert report.verified, report.model_dump_json(indent=1)


def test_results_evidence_and_dates(client: TestClient, tenants: Tenants) -> None:
    template = {
        "name": "Practical",
        "description": "Graded practical.",
        "criteria": {"narrative": "Pass the practical."},
        "resultDescription": [
            {
                "id": "#grade",
                "name": "Grade",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [{"id": "#pass", "name": "Pass"}, {"id": "#merit", "name": "Merit"}],
            }
        ],
    }
    setup = issuing(client, tenants.a, template=template)
    credential = issued_credential(
        issue(
            client,
            setup,
            result=[{"resultDescription": "#grade", "achievedLevel": "#merit"}],
            evidence=[{"id": "https://portfolio.example/p/1", "name": "Portfolio"}],
            validFrom="2025-01-01T00:00:00+01:00",
            validUntil="2030-01-01T00:00:00Z",
        )
    )
    achievement_id = setup.achievement["id"]
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "resultDescription": f"{achievement_id}#grade", "achievedLevel": f"{achievement_id}#merit"}
    ]
    assert credential["evidence"][0]["type"] == ["Evidence"]
    assert (credential["validFrom"], credential["validUntil"]) == ("2024-12-31T23:00:00Z", "2030-01-01T00:00:00Z")


def test_issuance_is_audited(client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]) -> None:
    setup = issuing(client, tenants.a)
    row_id = issue(client, setup).json()["id"]
    with sessions() as session:
        entries = AuditRepository(session, tenants.a.organization_id).entries()
    issued = [entry for entry in entries if entry.action == "credential.issue"]
    assert [(e.subject, e.actor) for e in issued] == [(f"credential:{row_id}", f"client:{tenants.a.client_id}")]


def test_issuing_needs_the_scope(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    reader = bearer(client, tenants.a, "credentials:read")
    response = client.post(CREDENTIALS, json=setup.body(), headers=reader)
    assert_problem(response, 403, "INSUFFICIENT_SCOPE")
    assert_problem(client.post(CREDENTIALS, json=setup.body()), 401, "AUTHENTICATION_REQUIRED")


def test_a_retired_key_means_no_active_key(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    retired = client.post(f"/api/v1/issuers/{setup.issuer['id']}/keys/key-1/retire", headers=setup.headers)
    assert retired.status_code == 200, retired.text
    assert_problem(issue(client, setup, expect=None), 409, "NO_ACTIVE_KEY")
    rotated = client.post(f"/api/v1/issuers/{setup.issuer['id']}/keys/rotate", headers=setup.headers)
    assert rotated.status_code == 201
    credential = issued_credential(issue(client, setup))
    assert credential["proof"]["verificationMethod"].endswith("#key-2")
