"""VC-API §"Issue Credential" (`POST /credentials/issue`): sign the caller's credential, store it, allocate its status.

In this order, and why:

1. read the configured issuer and its active key (in the read session that also checked the access token);
2. check that `issuer` is the issuer's DID, and, for eddsa-jcs-2022 (whose signing does not canonicalize), that the
   credential canonicalizes with data loss detection and is I-JSON;
3. allocate the status entries in a short write transaction of their own, committed at once;
4. sign, with no transaction open; eddsa-rdfc-2022 and Ed25519Signature2020 canonicalize with data loss detection
   here, and issuer.credential_signing verifies the signature just made over the exact text to be stored;
5. store that text, its digest and an audit entry in a second short write transaction.

Unlike issuer.issuance (one transaction from allocation to storage), no status list row is locked while signing:
on PostgreSQL the allocator's row lock would serialise all signing on one list, and on SQLite the database write
lock would. The price: an index can be allocated without a credential being stored, when the process dies between
steps 3 and 5 or when step 4 refuses the credential (undefined JSON-LD terms: checking for them before allocating
would canonicalize every credential once more). Such an index is never handed out again and its bit stays 0, so
no credential's status is affected; the list has one unused entry (16 KiB lists of 131,072 entries: a million
refused requests use up eight lists).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from credentials.jsonld import ContextStore
from credentials.keys import Ed25519Signer
from credentials.proofs import ProofError, json_canonical_form, rdf_canonical_form
from credentials.proofs.data_integrity import SUITES
from issuer.achievements import FieldProblem
from issuer.credential_signing import SignedCredential, sign_credential
from issuer.db import write_session
from issuer.errors import Conflict
from issuer.keystore import MasterKey
from issuer.models import Credential
from issuer.recipient_lookup import recipient_pepper
from issuer.repositories.audit import record_audit
from issuer.repositories.credentials import NewCredential, RecipientKey, credential_row, recipient_key
from issuer.repositories.status_lists import Allocation
from issuer.runtime import Clock
from issuer.vcapi.allocation_pool import AllocationPool
from issuer.vcapi.errors import InvalidCredential, IssuerMismatch
from issuer.vcapi.record import RecordVersions
from issuer.vcapi.request import IssueInput
from issuer.vcapi.signing_issuer import SignerCache, SigningIssuer
from issuer.vcapi.status_entries import (
    REVOCATION,
    SUSPENSION,
    PlacedEntry,
    provisional_entries,
    status_plan,
    unsigned_credential,
)

CREDENTIAL_ID_MAX: Final = 500  # credentials.credential_id


@dataclass(frozen=True, slots=True)
class VcApiPorts:
    """What VC-API issuing needs: sessions (it runs its own short transactions), contexts, keys, URLs, clock, and
    the per-process cache of the issuers' VC-API record versions."""

    sessions: sessionmaker[Session]
    contexts: ContextStore
    master: MasterKey
    base_url: str
    clock: Clock
    records: RecordVersions = field(default_factory=RecordVersions)
    allocations: AllocationPool = field(default_factory=AllocationPool)
    signers: SignerCache = field(default_factory=SignerCache)


def issuer_id_of(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def check_issuer(credential: Mapping[str, Any], did: str) -> None:
    """VC-API §"Issue Credential" 400: `issuer` (or `issuer.id`) must be the configured issuer's DID."""
    if issuer_id_of(credential) != did:
        raise IssuerMismatch(f"this service signs VC-API credentials as {did}; set the credential's issuer to it")


def check_signable(unsigned: Mapping[str, Any], cryptosuite: str, contexts: ContextStore) -> None:
    """VC-DI 1.0 §2.4 (data loss) and §4.7 for eddsa-jcs-2022, whose signing never canonicalizes: the document it will
    sign canonicalizes safely and is I-JSON (RFC 8785). The RDF suites check the same while signing (step 4)."""
    if cryptosuite != "eddsa-jcs-2022":
        return
    document = SUITES[cryptosuite].ensure_suite_context(unsigned)
    try:
        rdf_canonical_form(document, contexts)
        json_canonical_form(document)
    except ProofError as exc:
        raise refused(exc) from exc


def refused(exc: ProofError) -> InvalidCredential:
    """VC-API 400 for a credential the suite cannot sign (DATA_LOSS_DETECTION_ERROR, PROOF_TRANSFORMATION_ERROR)."""
    return InvalidCredential([FieldProblem(("credential",), exc.problem.detail, exc.problem.code)])


def sign(
    unsigned: Mapping[str, Any], cryptosuite: str, signer: Ed25519Signer, ports: VcApiPorts, now: datetime
) -> SignedCredential:
    """Step 4: VC-DI 1.0 §4.2 Add Proof, verified over the text to be stored (issuer.credential_signing)."""
    try:
        return sign_credential(
            unsigned, format="ldp", cryptosuite=cryptosuite, signer=signer, contexts=ports.contexts, now=now
        )
    except ProofError as exc:
        raise refused(exc) from exc


def subject_recipient(credential: Mapping[str, Any], organization_id: uuid.UUID, master: MasterKey) -> RecipientKey:
    """The lookup key of the single subject's DID (listing by `recipient=did:...` finds the credential); any other
    credential gets a random key that no query matches (`recipient_key` cannot be NULL yet)."""
    subject = credential.get("credentialSubject")
    did = subject.get("id") if isinstance(subject, dict) else None
    if isinstance(did, str) and did.startswith("did:"):
        return recipient_key("did", did, organization_id=organization_id, pepper=recipient_pepper(master))
    return RecipientKey("did", secrets.token_hex(32))


def credential_id_for(wanted: object, row_id: uuid.UUID) -> str:
    """The `credentials.credential_id` to try first: the credential's own `id` when it has one that fits the column;
    else (and when a stored credential already has that id) `urn:uuid:<row id>` (README "VC-API", "Storage")."""
    if isinstance(wanted, str) and len(wanted) <= CREDENTIAL_ID_MAX:
        return wanted
    return f"urn:uuid:{row_id}"


@dataclass(frozen=True, slots=True)
class _Signed:
    document: Mapping[str, Any]
    signed: SignedCredential
    allocations: Mapping[str, Allocation]


def store_credential(acting: SigningIssuer, signed: _Signed, ports: VcApiPorts, now: datetime) -> Credential:
    """Step 5: the credential row (against the issuer's VC-API record) and its audit entry, committed together. The
    row is built from values this module derived itself, so CredentialRepository.create's ownership query and
    savepoint are not needed: a unique key taken by another credential (its `id`) fails the commit, which is then
    retried once under the internal id."""
    issuer = acting.issuer
    row_id = uuid.uuid4()
    for credential_id in dict.fromkeys((credential_id_for(signed.document.get("id"), row_id), f"urn:uuid:{row_id}")):
        with write_session(ports.sessions) as session:
            new = NewCredential(
                issuer_id=issuer.id,
                achievement_version_id=ports.records.version_id(session, issuer, base_url=ports.base_url, now=now),
                credential_id=credential_id,
                format=signed.signed.format,
                cryptosuite=signed.signed.cryptosuite,
                document=signed.signed.text,
                recipient=subject_recipient(signed.document, issuer.organization_id, ports.master),
                revocation=signed.allocations[REVOCATION],
                suspension=signed.allocations.get(SUSPENSION),
                issued_at=now,
                row_id=row_id,
            )
            stored = credential_row(new, issuer.organization_id)
            session.add(stored)
            record_audit(
                session,
                organization_id=issuer.organization_id,
                actor=acting.principal.actor,
                action="credential.issue",
                subject=f"credential:{row_id}",
                at=now,
                reason="VC-API",
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                ports.records.forget(issuer.id)  # in case the record is what failed (a database restored meanwhile)
                continue
            return stored
    raise Conflict("a concurrent request kept the credential from being stored; send it again")


def issue_vcapi_credential(acting: SigningIssuer, issue: IssueInput, ports: VcApiPorts) -> Credential:
    """VC-API §"Issue Credential": the stored credential (its `document` is the signed text); steps 2-5 of the module
    docstring, after the caller read `acting` (step 1, `signing_issuer`). Raises IssuerMismatch, InvalidCredential."""
    now = ports.clock()
    check_issuer(issue.credential, acting.issuer.did)
    plan = status_plan(issue, suspension_enabled=acting.issuer.suspension_enabled)
    provisional = unsigned_credential(issue, provisional_entries(plan), base_url=ports.base_url, now=now)
    check_signable(provisional, issue.cryptosuite, ports.contexts)
    allocations = ports.allocations.take(ports.sessions, acting.issuer, plan.allocate, now=now)
    entries = [PlacedEntry(p, allocations[p].index, allocations[p].list_id) for p in plan.embed]
    unsigned = unsigned_credential(issue, entries, base_url=ports.base_url, now=now)
    signed = sign(unsigned, issue.cryptosuite, acting.signer, ports, now)
    return store_credential(acting, _Signed(unsigned, signed, allocations), ports, now)
