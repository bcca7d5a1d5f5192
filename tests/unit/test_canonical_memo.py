"""credentials.proofs.canonical_form_memo: within the block each distinct document is canonicalized once, and only
an identical document (same JSON types, same member order) is ever answered from the memo."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest

import credentials.proofs as proofs
from credentials.jsonld import ContextStore
from credentials.proofs import canonical_form_memo, rdf_canonical_form
from credstack.settings import Settings
from credstack.verification import verifier_ports
from support.signed_badges import signed_badge, tampered
from verifier.service import verify_input

VC_V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture(scope="module")
def contexts() -> ContextStore:
    return ContextStore.load()


def credential(**subject: Any) -> dict[str, Any]:
    return {
        "@context": [VC_V2, {"credits": "https://example.org/vocab#credits"}],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", **subject},
    }


def test_identical_documents_are_canonicalized_once(contexts: ContextStore) -> None:
    with mock.patch.object(proofs, "canonicalize", wraps=proofs.canonicalize) as counted:
        with canonical_form_memo():
            first = rdf_canonical_form(credential(name="A"), contexts)
            again = rdf_canonical_form(credential(name="A"), contexts)
        assert first == again
        assert counted.call_count == 1


def test_any_difference_is_computed_afresh(contexts: ContextStore) -> None:
    with mock.patch.object(proofs, "canonicalize", wraps=proofs.canonicalize) as counted, canonical_form_memo():
        forms = [
            rdf_canonical_form(credential(name="A"), contexts),
            rdf_canonical_form(credential(name="B"), contexts),
            rdf_canonical_form(credential(name="A", credits=1), contexts),
            rdf_canonical_form(credential(name="A", credits=1.0), contexts),
            rdf_canonical_form(credential(name="A", credits=True), contexts),
        ]
    assert counted.call_count == 5, "1, 1.0 and true are different inputs"
    # JSON-LD reads numbers as JavaScript does: 1.0 is the integer 1, so those two forms agree; true does not.
    assert forms[2] == forms[3] and len(set(forms)) == 4


def test_outside_the_block_nothing_is_remembered(contexts: ContextStore) -> None:
    with canonical_form_memo():
        rdf_canonical_form(credential(name="A"), contexts)
    with mock.patch.object(proofs, "canonicalize", wraps=proofs.canonicalize) as counted:
        rdf_canonical_form(credential(name="A"), contexts)
        rdf_canonical_form(credential(name="A"), contexts)
    assert counted.call_count == 2


def test_refusals_are_not_remembered(contexts: ContextStore) -> None:
    with canonical_form_memo():
        for _ in range(2):
            with pytest.raises(proofs.ProofTransformationError):
                rdf_canonical_form(credential(undefinedTerm="x"), contexts)


async def test_verification_canonicalizes_the_credential_once() -> None:
    """The verifier's conformance check and the eddsa-rdfc-2022 proof check share the credential's canonical form;
    the proof configuration is still canonicalized by the suite."""
    signed = signed_badge()
    async with verifier_ports(Settings(), offline=True) as ports:
        with mock.patch.object(proofs, "canonicalize", wraps=proofs.canonicalize) as counted:
            report = await verify_input(json.dumps(signed).encode(), ports)
        assert report.verified
        assert counted.call_count == 1, "only the proof configuration"
        report = await verify_input(json.dumps(tampered(signed)).encode(), ports)
        assert not report.verified, "a remembered form never stands in for a different document"
