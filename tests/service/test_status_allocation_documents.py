"""From allocation to a verifier's verdict: entries and list credentials built from the stored rows are read back by
the verifier's own status check (Bitstring Status List v1.0 §3.2) as revoked, suspended or valid.

The list credentials are signed with eddsa-rdfc-2022 by a did:key issuer and served over httpx.MockTransport.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from credentials.http import AddressPolicy
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair, VerificationMethod
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof, proof_set_verified, verify_proof_set
from credentials.status.fetch import StatusListFetcher
from issuer.models import Credential, StatusList
from issuer.repositories.credentials import CredentialRepository
from issuer.repositories.status_lists import StatusListRepository, find_status_list
from issuer.status_lists import StatusAction, entry_for, status_list_credential, status_list_url
from schemas.report import CheckStatus
from support.clock import FakeClock
from support.status_lists import IssuerSetup, issuer_with_achievement, new_credential
from support.tenancy import Tenants
from verifier.checks.status import ListVerdict, check_status

BASE_URL = "https://issuer.example"
KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
METHOD = KEY.did_key_verification_method
VERIFY_AT = datetime(2025, 3, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def contexts() -> ContextStore:
    return ContextStore.load()


@pytest.fixture
def issuer(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> IssuerSetup:
    return issuer_with_achievement(sessions, tenants.a.organization_id, now=clock(), suspension=True)


def signed_list(row: StatusList, contexts: ContextStore, clock: FakeClock) -> dict[str, Any]:
    url = status_list_url(BASE_URL, row.id)
    unsigned = status_list_credential(row, issuer_did=KEY.did_key, url=url, now=clock())
    suite = SUITES["eddsa-rdfc-2022"]
    return add_proof(unsigned, suite, ProofOptions.for_suite(suite, METHOD), KEY.signer(), contexts, now=clock())


def credential_document(credential: Credential, lists: dict[uuid.UUID, StatusList]) -> dict[str, Any]:
    """The credentialStatus part of what issuance signs, rebuilt from the stored entries."""
    entries = [(credential.revocation_list_id, credential.revocation_index)]
    if credential.suspension_list_id is not None and credential.suspension_index is not None:
        entries.append((credential.suspension_list_id, credential.suspension_index))
    status = [entry_for(lists[i], index, status_list_url(BASE_URL, i)) for i, index in entries]
    return {"id": credential.credential_id, "issuer": KEY.did_key, "credentialStatus": status}


def list_verifier(contexts: ContextStore) -> Callable[[dict[str, Any]], Any]:
    async def verify(document: dict[str, Any]) -> ListVerdict:
        checks = verify_proof_set(
            document,
            methods={METHOD: VerificationMethod(METHOD, "Multikey", KEY.did_key, KEY.public_key)},
            contexts=contexts,
            expected_purpose="assertionMethod",
            allowed_suites=frozenset({"eddsa-rdfc-2022"}),
        )
        return ListVerdict(verified=proof_set_verified(checks), issuer=document.get("issuer"))

    return verify


def serve(documents: dict[str, dict[str, Any]]) -> StatusListFetcher:
    def handle(request: httpx.Request) -> httpx.Response:
        # The fetcher connects to the address it vetted and names the host in the Host header.
        document = documents.get(f"https://{request.headers['host']}{request.url.path}")
        return httpx.Response(404) if document is None else httpx.Response(200, json=document)

    async def public_dns(host: str, port: int) -> list[str]:
        return ["93.184.215.14"]

    return StatusListFetcher(
        httpx.AsyncClient(transport=httpx.MockTransport(handle)), policy=AddressPolicy(resolve_host=public_dns)
    )


async def test_the_verifier_reads_revoked_suspended_and_valid_credentials(
    sessions: sessionmaker[Session], issuer: IssuerSetup, clock: FakeClock, contexts: ContextStore
) -> None:
    with sessions() as session:
        lists = StatusListRepository(session, issuer.organization_id)
        issued = []
        for _ in range(3):
            revocation = lists.allocate(issuer.issuer_id, "revocation", now=clock())
            suspension = lists.allocate(issuer.issuer_id, "suspension", now=clock())
            new = new_credential(issuer, revocation, suspension=suspension, now=clock())
            issued.append(CredentialRepository(session, issuer.organization_id).create(new))
        repository = CredentialRepository(session, issuer.organization_id)
        repository.change_status(issued[0].id, StatusAction.REVOKE, actor="cli", reason=None, now=clock())
        repository.change_status(issued[1].id, StatusAction.SUSPEND, actor="cli", reason=None, now=clock())
        session.commit()
    stored: dict[uuid.UUID, StatusList] = {}
    with sessions() as session:
        for list_id in {issued[0].revocation_list_id, issued[0].suspension_list_id}:
            # Served publicly: found by id alone, whichever organization owns the list.
            row = find_status_list(session, list_id) if list_id is not None else None
            assert row is not None
            stored[row.id] = row
    # What is served is JSON text; the verifier parses it as any client would.
    fetcher = serve(
        {
            status_list_url(BASE_URL, i): json.loads(json.dumps(signed_list(row, contexts, clock)))
            for i, row in stored.items()
        }
    )
    expected = [
        (CheckStatus.FAILED, ["CREDENTIAL_REVOKED"]),
        (CheckStatus.FAILED, ["CREDENTIAL_SUSPENDED"]),
        (CheckStatus.PASSED, []),
    ]
    for credential, (status, codes) in zip(issued, expected, strict=True):
        result = await check_status(
            credential_document(credential, stored), fetcher=fetcher, verify_list=list_verifier(contexts), now=VERIFY_AT
        )
        assert (result.status, [p.code for p in result.problems]) == (status, codes), result.explanation


def test_unknown_list_is_not_found(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert find_status_list(session, uuid.uuid4()) is None
