"""Published vectors (tests/vectors/README.md) reproduced step by step, then verified and tampered with.

Each W3C vc-di-eddsa and 1EdTech OB 3.0 / CLR 2.0 vector is checked value by value: canonical document,
canonical proof configuration, document hash, proof hash, hashData (proof hash FIRST), signature, proofValue,
and the whole signed credential; then the published signed credential must verify, and must stop verifying
after tampering.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from credentials.jsonld import ContextStore
from credentials.keys import (
    Ed25519KeyPair,
    VerificationMethod,
    decode_public_key_multibase,
    multibase_decode_z,
)
from credentials.proofs import ProofOptions, encode_proof_value
from credentials.proofs import ed25519_signature_2020 as legacy
from credentials.proofs import eddsa_jcs_2022 as jcs
from credentials.proofs import eddsa_rdfc_2022 as rdfc
from credentials.proofs.data_integrity import (
    ALL_SUITES,
    SUITES,
    ProofCheck,
    add_proof,
    proof_set_verified,
    verify_proof_set,
)

VECTORS_DIR = Path(__file__).resolve().parents[1] / "vectors"
VECTORS = {
    "eddsa-rdfc-2022": "eddsa-rdfc-2022",
    "eddsa-jcs-2022": "eddsa-jcs-2022",
    "ed25519-signature-2020": "Ed25519Signature2020",
    "ob3-eddsa-rdfc-2022": "eddsa-rdfc-2022",
    "clr2-eddsa-rdfc-2022": "eddsa-rdfc-2022",
}
ALL = sorted(VECTORS)
DATA_INTEGRITY = [name for name in ALL if VECTORS[name] != "Ed25519Signature2020"]


@cache
def _load(name: str) -> str:
    return (VECTORS_DIR / f"{name}.json").read_text(encoding="utf-8")


def vector(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_load(name))
    return loaded


@pytest.fixture(scope="module")
def contexts() -> ContextStore:
    return ContextStore.load()


def key_pair(v: dict[str, Any]) -> Ed25519KeyPair:
    """The 1EdTech guide's secret key is a legacy 64-byte string, so its key comes from the 32-byte seed."""
    keys = v["keyPair"]
    if "seedHex" in keys:
        return Ed25519KeyPair.from_seed(bytes.fromhex(keys["seedHex"]))
    return Ed25519KeyPair.from_secret_key_multibase(keys["secretKeyMultibase"])


def method(name: str) -> VerificationMethod:
    """The verification method built from the URL's fragment, a publicKeyMultibase (no resolver involved)."""
    url = vector(name)["proofOptions"]["verificationMethod"]
    controller, fragment = url.split("#", 1)
    kind = "Ed25519VerificationKey2020" if VECTORS[name] == "Ed25519Signature2020" else "Multikey"
    return VerificationMethod(url, kind, controller, decode_public_key_multibase(fragment))


def unsigned(v: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = v.get("unsignedCredentialWithSuiteContext", v["unsignedCredential"])
    return document


def options_map(v: dict[str, Any]) -> dict[str, Any]:
    """The proof options as the suite receives them (the vectors add the document's @context)."""
    return {key: value for key, value in v["proofOptions"].items() if key != "@context"}


def canonical_steps(name: str, contexts: ContextStore) -> tuple[bytes, bytes, bytes]:
    """(transformed document, canonical proof configuration, hashData) from the suite's step functions."""
    v = vector(name)
    document, options = unsigned(v), options_map(v)
    if VECTORS[name] == "eddsa-jcs-2022":
        transformed, proof_config = jcs.transform(document, options), jcs.configure(v["proofOptions"])
        return transformed, proof_config, jcs.hashing(transformed, proof_config)
    module = legacy if VECTORS[name] == "Ed25519Signature2020" else rdfc
    document_nquads = module.transform(document, options, contexts)
    config_nquads = module.configure(document, options, contexts)
    return document_nquads.encode(), config_nquads.encode(), module.hashing(document_nquads, config_nquads)


def single_proof(document: dict[str, Any]) -> dict[str, Any]:
    """The 1EdTech CLR vector carries `proof` as a one-element array; a single object is the same RDF."""
    proof = document["proof"]
    return {**document, "proof": proof[0] if isinstance(proof, list) and len(proof) == 1 else proof}


def first_proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document["proof"]
    found: dict[str, Any] = proof[0] if isinstance(proof, list) else proof
    return found


def verify(document: dict[str, Any], name: str, contexts: ContextStore, **kwargs: Any) -> list[ProofCheck]:
    vm = method(name)
    options: dict[str, Any] = {"expected_purpose": "assertionMethod", "allowed_suites": ALL_SUITES, **kwargs}
    return verify_proof_set(document, methods={vm.id: vm}, contexts=contexts, **options)


# Key material


@pytest.mark.parametrize("name", ALL)
def test_public_key_derives_from_the_secret_key(name: str) -> None:
    v = vector(name)
    assert key_pair(v).public_key_multibase == v["keyPair"]["publicKeyMultibase"]


@pytest.mark.parametrize("name", ["ob3-eddsa-rdfc-2022", "clr2-eddsa-rdfc-2022"])
def test_1edtech_legacy_secret_key_is_seed_and_public_key(name: str) -> None:
    keys = vector(name)["keyPair"]
    legacy_bytes = multibase_decode_z(keys["secretKeyMultibaseAsPublished"])
    assert legacy_bytes == b"\x80\x26" + bytes.fromhex(keys["seedHex"]) + bytes.fromhex(keys["publicKeyHex"])
    derived = Ed25519KeyPair.from_seed(bytes.fromhex(keys["seedHex"]))
    assert derived.secret_key_multibase == keys["secretKeyMultibase"]


# Each step, byte for byte


@pytest.mark.parametrize("name", ALL)
def test_canonical_document(name: str, contexts: ContextStore) -> None:
    transformed, _, _ = canonical_steps(name, contexts)
    assert transformed == vector(name)["expected"]["canonicalDocument"].encode()


@pytest.mark.parametrize("name", ALL)
def test_canonical_proof_configuration(name: str, contexts: ContextStore) -> None:
    _, proof_config, _ = canonical_steps(name, contexts)
    assert proof_config == vector(name)["expected"]["canonicalProofOptions"].encode()


@pytest.mark.parametrize("name", ALL)
def test_hashes_proof_configuration_hash_first(name: str, contexts: ContextStore) -> None:
    transformed, proof_config, hash_data = canonical_steps(name, contexts)
    expected = vector(name)["expected"]
    assert hashlib.sha256(transformed).hexdigest() == expected["docHashHex"]
    assert hashlib.sha256(proof_config).hexdigest() == expected["proofHashHex"]
    assert hash_data.hex() == expected["combinedHashHex"] == expected["proofHashHex"] + expected["docHashHex"]


@pytest.mark.parametrize("name", ALL)
def test_signature_and_proof_value(name: str, contexts: ContextStore) -> None:
    _, _, hash_data = canonical_steps(name, contexts)
    v = vector(name)
    signature = key_pair(v).signer(v["proofOptions"]["verificationMethod"]).sign(hash_data)
    assert signature.hex() == v["expected"]["signatureHex"]
    assert encode_proof_value(signature) == v["expected"]["proofValue"]


@pytest.mark.parametrize("name", ALL)
def test_add_proof_reproduces_the_signed_credential(name: str, contexts: ContextStore) -> None:
    v = vector(name)
    given = options_map(v)
    options = ProofOptions(
        given["type"], given.get("cryptosuite"), given["verificationMethod"], created=given["created"]
    )
    before = copy.deepcopy(v["unsignedCredential"])
    signer = key_pair(v).signer(given["verificationMethod"])
    signed = add_proof(v["unsignedCredential"], SUITES[VECTORS[name]], options, signer, contexts)
    assert signed == single_proof(v["expected"]["signedCredential"])
    assert v["unsignedCredential"] == before, "signing must not modify its input"


def test_rdfc_proof_has_no_context_and_jcs_proof_keeps_it() -> None:
    assert "@context" not in first_proof(vector("eddsa-rdfc-2022")["expected"]["signedCredential"])
    jcs_signed = vector("eddsa-jcs-2022")["expected"]["signedCredential"]
    assert jcs_signed["proof"]["@context"] == jcs_signed["@context"]


def test_ed25519_signature_2020_context_is_appended_when_signing() -> None:
    v = vector("ed25519-signature-2020")
    with_context = SUITES["Ed25519Signature2020"].ensure_suite_context(v["unsignedCredential"])
    assert with_context == v["unsignedCredentialWithSuiteContext"]
    assert with_context["@context"][-1] == legacy.SUITE_CONTEXT


# Verification of the published credentials


@pytest.mark.parametrize("name", ALL)
def test_published_credential_verifies(name: str, contexts: ContextStore) -> None:
    v = vector(name)
    checks = verify(v["expected"]["signedCredential"], name, contexts)
    assert proof_set_verified(checks), checks
    assert [(check.suite, check.verification_method) for check in checks] == [
        (VECTORS[name], v["proofOptions"]["verificationMethod"])
    ]


def test_clr_embedded_credential_verifies(contexts: ContextStore) -> None:
    v = vector("clr2-eddsa-rdfc-2022")
    embedded = v["embeddedCredential"]["signedCredential"]
    assert embedded == v["expected"]["signedCredential"]["credentialSubject"]["verifiableCredential"][0]
    assert proof_set_verified(verify(embedded, "clr2-eddsa-rdfc-2022", contexts))


def _set_name(document: dict[str, Any]) -> None:
    document["name"] += "!"


def _flip_proof_value_char(document: dict[str, Any]) -> None:
    proof = first_proof(document)
    value = proof["proofValue"]
    proof["proofValue"] = value[:10] + ("2" if value[10] != "2" else "3") + value[11:]


def _drop_multibase_prefix(document: dict[str, Any]) -> None:
    proof = first_proof(document)
    proof["proofValue"] = proof["proofValue"][1:]


def _truncate_signature(document: dict[str, Any]) -> None:
    proof = first_proof(document)
    proof["proofValue"] = encode_proof_value(multibase_decode_z(proof["proofValue"])[:63])


def _change_purpose(document: dict[str, Any]) -> None:
    first_proof(document)["proofPurpose"] = "authentication"


def _change_created(document: dict[str, Any]) -> None:
    first_proof(document)["created"] = "2030-01-01T00:00:00Z"


# Tampering -> (the one problem's code, its title), so each case is caught by the check meant for it.
TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "name changed": (_set_name, "PROOF_VERIFICATION_ERROR", "Invalid signature"),
    "proofValue character changed": (_flip_proof_value_char, "PROOF_VERIFICATION_ERROR", "Invalid signature"),
    "proofValue without z": (_drop_multibase_prefix, "PROOF_VERIFICATION_ERROR", "Bad proofValue"),
    "63-byte signature": (_truncate_signature, "PROOF_VERIFICATION_ERROR", "Bad proofValue"),
    "wrong proofPurpose": (_change_purpose, "PROOF_VERIFICATION_ERROR", "Wrong proof purpose"),
    "created changed": (_change_created, "PROOF_VERIFICATION_ERROR", "Invalid signature"),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERING))
@pytest.mark.parametrize("name", ALL)
def test_tampered_credential_fails(name: str, tamper: str, contexts: ContextStore) -> None:
    v = vector(name)
    document = copy.deepcopy(v["expected"]["signedCredential"])
    change, code, title = TAMPERING[tamper]
    change(document)
    checks = verify(document, name, contexts)
    assert not proof_set_verified(checks)
    assert [(problem.code, problem.title) for problem in checks[0].problems] == [(code, title)]


@pytest.mark.parametrize("name", DATA_INTEGRITY)
def test_other_eddsa_cryptosuite_fails(name: str, contexts: ContextStore) -> None:
    v = vector(name)
    document = copy.deepcopy(v["expected"]["signedCredential"])
    proof = first_proof(document)
    other = {"eddsa-rdfc-2022": "eddsa-jcs-2022", "eddsa-jcs-2022": "eddsa-rdfc-2022"}
    proof["cryptosuite"] = other[proof["cryptosuite"]]
    checks = verify(document, name, contexts)
    assert not checks[0].verified
    assert [problem.title for problem in checks[0].problems] == ["Invalid signature"]


@pytest.mark.parametrize("name", ALL)
def test_unknown_or_disallowed_cryptosuite_is_unsupported(name: str, contexts: ContextStore) -> None:
    v = vector(name)
    document = copy.deepcopy(v["expected"]["signedCredential"])
    proof = first_proof(document)
    proof["type"], proof["cryptosuite"] = "DataIntegrityProof", "eddsa-2099"
    for checks in (
        verify(document, name, contexts),
        verify(v["expected"]["signedCredential"], name, contexts, allowed_suites=frozenset({"none"})),
    ):
        assert not checks[0].verified
        assert checks[0].problems[0].title == "Unsupported cryptosuite"


def test_jcs_proof_context_must_prefix_the_document_context(contexts: ContextStore) -> None:
    name = "eddsa-jcs-2022"
    v = vector(name)
    document = copy.deepcopy(v["expected"]["signedCredential"])
    document["@context"] = list(reversed(document["@context"]))
    checks = verify(document, name, contexts)
    assert not checks[0].verified and checks[0].problems[0].title == "Context mismatch"
    document = copy.deepcopy(v["expected"]["signedCredential"])
    document["proof"]["@context"] = ["https://www.w3.org/ns/credentials/v2", "https://example.org/other"]
    assert not verify(document, name, contexts)[0].verified


def test_jcs_document_context_may_grow_after_signing(contexts: ContextStore) -> None:
    """VC-DI-EdDSA §3.3.2 step 4: only the proof's @context prefix is hashed, so appended contexts verify."""
    name = "eddsa-jcs-2022"
    v = vector(name)
    document = copy.deepcopy(v["expected"]["signedCredential"])
    document["@context"].append("https://w3id.org/security/data-integrity/v2")
    assert proof_set_verified(verify(document, name, contexts))


def test_ed25519_signature_2020_needs_its_context(contexts: ContextStore) -> None:
    name = "ed25519-signature-2020"
    v = vector(name)
    document = copy.deepcopy(v["expected"]["signedCredential"])
    document["@context"] = document["@context"][:2]
    checks = verify(document, name, contexts)
    assert not checks[0].verified and checks[0].problems[0].title == "Missing context"


def test_expected_purpose_mismatch_fails(contexts: ContextStore) -> None:
    name = "ob3-eddsa-rdfc-2022"
    v = vector(name)
    checks = verify(v["expected"]["signedCredential"], name, contexts, expected_purpose="authentication")
    assert not checks[0].verified
    assert checks[0].problems[0].code == "PROOF_VERIFICATION_ERROR"
