"""Bitstring Status List v1.0 §2.1 entries, §2.2/§3.1 list credentials and the revoke/suspend/reinstate rules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair, VerificationMethod
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof, proof_set_verified, verify_proof_set
from credentials.status.bitstring import StatusList as Bitstring
from issuer.models import StatusList
from issuer.status_lists import (
    STATUS_LIST_LENGTH,
    StatusAction,
    StatusChangeRefused,
    entry_for,
    status_list_credential,
    status_list_url,
    status_transition,
)

NOW = datetime(2025, 3, 1, 12, 0, 30, 999, tzinfo=UTC)
LIST_ID = uuid.UUID("0b7e4c1e-2f6a-4d1c-9a53-6c1f3e2d8a10")
URL = f"https://issuer.example/status-lists/{LIST_ID}"
KEY = Ed25519KeyPair.from_seed(bytes(range(32)))


def list_row(purpose: str = "revocation", set_indices: tuple[int, ...] = ()) -> StatusList:
    bits = Bitstring.new(STATUS_LIST_LENGTH)
    for index in set_indices:
        bits.set(index, 1)
    return StatusList(id=LIST_ID, purpose=purpose, length=STATUS_LIST_LENGTH, bits=bits.to_bytes())


def test_status_list_url() -> None:
    assert status_list_url("https://issuer.example/", LIST_ID) == URL
    assert status_list_url("https://issuer.example", LIST_ID) == URL


def test_entry_for() -> None:
    assert entry_for(list_row("suspension"), 94567, URL) == {
        "id": f"{URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "94567",
        "statusListCredential": URL,
    }
    for outside in (-1, STATUS_LIST_LENGTH):
        with pytest.raises(ValueError):
            entry_for(list_row(), outside, URL)


def test_status_list_credential_shape() -> None:
    document = status_list_credential(
        list_row(set_indices=(94567,)), issuer_did="did:web:issuer.example", url=URL, now=NOW
    )
    subject = document.pop("credentialSubject")
    assert document == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:web:issuer.example",
        "validFrom": "2025-03-01T12:00:30Z",
    }
    assert {key: subject[key] for key in ("id", "type", "statusPurpose")} == {
        "id": f"{URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
    }
    # STANDARDS §7.2 self-generated check value: only index 94567 set.
    assert subject["encodedList"] == "uH4sIAAAAAAACA-3QAQ0AAAwCIO1f2hz_IAIJAAAAAAAAAAAAAADfVAEAAADAOQNQdb5gAEAAAA"
    decoded = Bitstring.decode(subject["encodedList"])
    assert [decoded.get(i) for i in (94566, 94567, 94568)] == [0, 1, 0]


def test_status_list_credential_signs_and_verifies_under_the_pinned_contexts() -> None:
    """Signing canonicalizes with data loss detection on, so an undefined term would fail here."""
    contexts = ContextStore.load()
    suite = SUITES["eddsa-rdfc-2022"]
    method = KEY.did_key_verification_method
    unsigned = status_list_credential(list_row(), issuer_did=KEY.did_key, url=URL, now=NOW)
    signed: dict[str, Any] = add_proof(
        unsigned, suite, ProofOptions.for_suite(suite, method), KEY.signer(), contexts, now=NOW
    )
    checks = verify_proof_set(
        signed,
        methods={method: VerificationMethod(method, "Multikey", KEY.did_key, KEY.public_key)},
        contexts=contexts,
        expected_purpose="assertionMethod",
        allowed_suites=frozenset({"eddsa-rdfc-2022"}),
    )
    assert proof_set_verified(checks)


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        ("active", StatusAction.REVOKE, ("revoked", "revocation", 1)),
        ("suspended", StatusAction.REVOKE, ("revoked", "revocation", 1)),
        ("active", StatusAction.SUSPEND, ("suspended", "suspension", 1)),
        ("suspended", StatusAction.REINSTATE, ("active", "suspension", 0)),
    ],
)
def test_allowed_transitions(current: str, action: StatusAction, expected: tuple[str, str, int]) -> None:
    transition = status_transition(current, action)
    assert (transition.to_status, transition.purpose, transition.value) == expected
    assert (transition.from_status, transition.action) == (current, action)


@pytest.mark.parametrize(
    ("current", "action", "reason"),
    [
        ("revoked", StatusAction.REVOKE, "final"),
        ("revoked", StatusAction.SUSPEND, "final"),
        ("revoked", StatusAction.REINSTATE, "final"),
        ("suspended", StatusAction.SUSPEND, "already suspended"),
        ("active", StatusAction.REINSTATE, "not suspended"),
    ],
)
def test_refused_transitions(current: str, action: StatusAction, reason: str) -> None:
    with pytest.raises(StatusChangeRefused, match=reason) as refused:
        status_transition(current, action)
    assert (refused.value.code, refused.value.status) == ("CONFLICT", 409)
