"""Data Integrity proofs against the live JavaScript reference, in both directions, on realistic OB 3.0 credentials.

The reference is @digitalbazaar/vc 7.3.0 with data-integrity 2.5.0 + eddsa-rdfc-2022-cryptosuite 1.3.0 and
ed25519-signature-2020 5.4.0 (tests/interop/README.md), run through tests/interop/jsref.py. For every credential
(tests/interop/fixtures: an OB 3.0 credential on VCDM 2.0, the same on VCDM 1.1, one full of hard text, and
number variants) and both suites the reference has:

- the reference signs, we verify; we sign, the reference verifies (issuer = the signing did:key, so vc's
  "issuer must be the key's controller" rule is on);
- for the same input, key and `created` both sides produce the same signed JSON, proofValue byte for byte;
- proof sets signed by two keys, one proof from each side, verify on both sides, every proof;
- a changed value fails on both sides.

The reference has no eddsa-jcs-2022, so that suite is checked here alone, against an independent recomputation.
Verification methods are dereferenced as the verifier does (did:key, offline), then `verify_proof_set` runs.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest
import rfc8785
from jsref import JsReference, Suite

from credentials.did import DidKeyResolver, DidResolverRegistry
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair, VerificationMethod, multibase_decode_z
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import (
    ALL_SUITES,
    SUITES,
    ProofCheck,
    add_proof,
    proof_set_verified,
    verification_method_urls,
    verify_proof_set,
)

FIXTURES: Final = Path(__file__).resolve().parent / "fixtures"
# Key A is the W3C vc-di-eddsa test vector key (z6MkrJVn...); key B's seed is sha256("credstack interop key B").
SEED_A: Final = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
SEED_B: Final = "727ec03eeeaca4374c5f9220370f1f7671a29def45e64006887e6a361ffe9642"
KEY_A: Final = Ed25519KeyPair.from_seed(bytes.fromhex(SEED_A))
KEY_B: Final = Ed25519KeyPair.from_seed(bytes.fromhex(SEED_B))
SEEDS: Final = {KEY_A: SEED_A, KEY_B: SEED_B}
CREATED: Final = "2024-06-01T12:00:00Z"
JS_SUITES: Final[tuple[Suite, ...]] = ("eddsa-rdfc-2022", "Ed25519Signature2020")
FIXTURE_NAMES: Final = ("ob3-vcdm2", "ob3-vcdm11", "ob3-hard-text")
ED25519_2020_CONTEXT: Final = "https://w3id.org/security/suites/ed25519-2020/v1"
ISSUER_MISMATCH: Final = "Credential issuer must match the verification method controller."
STORE: Final = ContextStore.load()
RESOLVER: Final = DidResolverRegistry({"key": DidKeyResolver()})


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def as_json(document: Any) -> Any:
    """The document as it travels: plain JSON, sharing nothing with add_proof's input."""
    return json.loads(json.dumps(document, ensure_ascii=False, allow_nan=False))


def text(document: Any) -> str:
    """Serialization that also compares member order (what a byte-for-byte diff of two issuers' output sees)."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False)


def our_sign(document: dict[str, Any], suite: str, key: Ed25519KeyPair, created: str = CREATED) -> dict[str, Any]:
    options = ProofOptions.for_suite(SUITES[suite], key.did_key_verification_method, created=created)
    signed: dict[str, Any] = as_json(add_proof(document, SUITES[suite], options, key.signer(), STORE))
    return signed


def js_sign(js: JsReference, document: dict[str, Any], suite: Suite, key: Ed25519KeyPair) -> dict[str, Any]:
    return js.sign(document, suite, SEEDS[key], CREATED)


async def _dereference(urls: list[str]) -> dict[str, VerificationMethod]:
    return {url: await RESOLVER.dereference_verification_method(url) for url in urls}


def our_verify(document: dict[str, Any]) -> list[ProofCheck]:
    """What the verifier does per credential: dereference every did:key method, then verify every proof."""
    methods = asyncio.run(_dereference(verification_method_urls(document)))
    return verify_proof_set(
        document, methods=methods, contexts=STORE, expected_purpose="assertionMethod", allowed_suites=ALL_SUITES
    )


def assert_we_verify_every_proof(document: dict[str, Any], count: int) -> None:
    checks = our_verify(document)
    assert len(checks) == count, checks
    assert proof_set_verified(checks), [check.problems for check in checks]


def assert_reference_verifies_every_proof(
    js: JsReference, document: dict[str, Any], count: int, *, check_issuer: bool = True
) -> None:
    result = js.verify(document, check_issuer=check_issuer)
    assert result["verified"] is True, result["errors"]
    assert result["allProofsVerified"] is True, result
    assert result["errors"] == []
    assert len(result["proofs"]) == count


def proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document["proof"]
    return proof if isinstance(proof, list) else [proof]


def test_fixtures_are_issued_by_key_a() -> None:
    """The issuer/controller rule only holds if the fixtures name key A's DID as issuer."""
    for name in FIXTURE_NAMES:
        assert fixture(name)["issuer"]["id"] == KEY_A.did_key, name


def test_realistic_fixture_has_about_sixty_quads(js_reference: JsReference) -> None:
    nquads = js_reference.canonize(fixture("ob3-vcdm2"), canonizer="eddsa-rdfc-2022")
    assert 55 <= nquads.count("\n") <= 70


# One proof, each direction, and identical output


@pytest.mark.parametrize("suite", JS_SUITES)
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_reference_signed_credential_verifies_here(name: str, suite: Suite, js_reference: JsReference) -> None:
    signed = js_sign(js_reference, fixture(name), suite, KEY_A)
    assert proofs_of(signed)[0]["verificationMethod"] == KEY_A.did_key_verification_method
    assert_we_verify_every_proof(signed, 1)


@pytest.mark.parametrize("suite", JS_SUITES)
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_our_signed_credential_verifies_in_reference(name: str, suite: Suite, js_reference: JsReference) -> None:
    signed = our_sign(fixture(name), suite, KEY_A)
    assert_reference_verifies_every_proof(js_reference, signed, 1, check_issuer=True)


@pytest.mark.parametrize("suite", JS_SUITES)
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_both_sides_sign_identical_json(name: str, suite: Suite, js_reference: JsReference) -> None:
    """Same input, key and created: the same @context handling, proof members and order, and proofValue."""
    theirs = js_sign(js_reference, fixture(name), suite, KEY_A)
    ours = our_sign(fixture(name), suite, KEY_A)
    assert ours["proof"]["proofValue"] == theirs["proof"]["proofValue"]
    assert text(ours) == text(theirs)


def test_vcdm_1_1_gets_the_same_suite_context_on_both_sides(js_reference: JsReference) -> None:
    v1 = fixture("ob3-vcdm11")
    appended_by: dict[Suite, str] = {
        "eddsa-rdfc-2022": "https://w3id.org/security/data-integrity/v2",
        "Ed25519Signature2020": ED25519_2020_CONTEXT,
    }
    for suite, appended in appended_by.items():
        theirs = js_sign(js_reference, v1, suite, KEY_A)
        assert theirs["@context"] == [*v1["@context"], appended]
        assert our_sign(v1, suite, KEY_A)["@context"] == theirs["@context"]


# Numbers in xsd:float terms (creditsAvailable, creditsEarned)

NUMBERS: Final = (3, 3.0, 2.5, 0.1, 0.30000000000000004, 1e21, 10**21, 1.7976931348623157e308, 1e-7)


def with_credits(value: int | float) -> dict[str, Any]:
    credential = fixture("ob3-vcdm2")
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = value
    credential["credentialSubject"]["creditsEarned"] = value
    return credential


@pytest.mark.parametrize("suite", JS_SUITES)
@pytest.mark.parametrize("value", NUMBERS, ids=repr)
def test_xsd_float_values_sign_identically_and_verify_both_ways(
    value: int | float, suite: Suite, js_reference: JsReference
) -> None:
    theirs = js_sign(js_reference, with_credits(value), suite, KEY_A)
    ours = our_sign(with_credits(value), suite, KEY_A)
    assert ours["proof"]["proofValue"] == theirs["proof"]["proofValue"]
    assert ours == theirs  # 3.0 == 3: JSON.stringify writes 3
    assert_we_verify_every_proof(theirs, 1)
    assert_reference_verifies_every_proof(js_reference, ours, 1)


@pytest.mark.parametrize("suite", JS_SUITES)
def test_a_float_without_a_dot_in_its_js_form_signs_as_an_integer_on_both_sides(
    suite: Suite, js_reference: JsReference
) -> None:
    """jsonld.js treats a number as a double only if String(n) has a '.' (or |n| >= 1e21): 1e-7 becomes
    "0"^^xsd:float, so a signature over creditsEarned 1e-7 also covers 0. We must agree (we do); a verifier
    cannot tell the two apart."""
    nquads = js_reference.canonize(with_credits(1e-7), canonizer="eddsa-rdfc-2022")
    assert '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsEarned> "0"^^' in nquads
    theirs = js_sign(js_reference, with_credits(1e-7), suite, KEY_A)
    theirs["credentialSubject"]["creditsEarned"] = 0
    assert js_reference.verify(theirs)["verified"] is True
    assert_we_verify_every_proof(theirs, 1)


# Proof sets: two keys, one proof from each side

Signer = Callable[[JsReference, dict[str, Any], Suite, Ed25519KeyPair], dict[str, Any]]


def _ours(_js: JsReference, document: dict[str, Any], suite: Suite, key: Ed25519KeyPair) -> dict[str, Any]:
    return our_sign(document, suite, key)


SIGNERS: Final[dict[str, Signer]] = {"js": js_sign, "ours": _ours}
ORDERS: Final = (("js", "ours"), ("ours", "js"))
SET_SUITES: Final[dict[str, tuple[Suite, Suite]]] = {
    "eddsa-rdfc-2022": ("eddsa-rdfc-2022", "eddsa-rdfc-2022"),
    "Ed25519Signature2020": ("Ed25519Signature2020", "Ed25519Signature2020"),
    # a second suite must not change @context after the first proof, so the 2020 context is there from the start
    "mixed": ("eddsa-rdfc-2022", "Ed25519Signature2020"),
}


def set_input(kind: str) -> dict[str, Any]:
    credential = fixture("ob3-vcdm2")
    if kind == "mixed":
        credential["@context"] = [*credential["@context"], ED25519_2020_CONTEXT]
    return credential


def proof_set(js: JsReference, kind: str, first: str, second: str) -> dict[str, Any]:
    suite_a, suite_b = SET_SUITES[kind]
    signed_by_a = SIGNERS[first](js, set_input(kind), suite_a, KEY_A)
    return SIGNERS[second](js, signed_by_a, suite_b, KEY_B)


@pytest.mark.parametrize(("first", "second"), ORDERS)
@pytest.mark.parametrize("kind", sorted(SET_SUITES))
def test_proof_set_from_both_sides_verifies_every_proof_on_both_sides(
    kind: str, first: str, second: str, js_reference: JsReference
) -> None:
    """Key A's proof from one side, key B's on top from the other. Key B is not the issuer, so the reference is
    asked with checkIssuer false (plain assertionMethod purpose) for allProofsVerified."""
    signed = proof_set(js_reference, kind, first, second)
    assert [proof["verificationMethod"] for proof in proofs_of(signed)] == [
        KEY_A.did_key_verification_method,
        KEY_B.did_key_verification_method,
    ]
    assert_we_verify_every_proof(signed, 2)
    assert_reference_verifies_every_proof(js_reference, signed, 2, check_issuer=False)


@pytest.mark.parametrize(("first", "second"), ORDERS)
@pytest.mark.parametrize("kind", sorted(SET_SUITES))
def test_proof_set_is_the_same_json_whoever_signs(
    kind: str, first: str, second: str, js_reference: JsReference
) -> None:
    mixed = proof_set(js_reference, kind, first, second)
    assert text(mixed) == text(proof_set(js_reference, kind, "js", "js"))
    assert text(mixed) == text(proof_set(js_reference, kind, "ours", "ours"))


def test_reference_with_issuer_check_accepts_only_the_issuers_proof_of_a_set(js_reference: JsReference) -> None:
    """Why the set tests use checkIssuer false: vc's issuer rule fails key B's proof, yet `verified` holds."""
    result = js_reference.verify(proof_set(js_reference, "eddsa-rdfc-2022", "js", "ours"), check_issuer=True)
    assert result["verified"] is True and result["allProofsVerified"] is False
    assert [(proof["verified"], proof["errors"]) for proof in result["proofs"]] == [
        (True, []),
        (False, [ISSUER_MISMATCH]),
    ]


# Tampering


def _set_achievement_name(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["name"] = "Data Analysis with R"


def _set_credits(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["creditsEarned"] = 4


def _set_identity_hash(credential: dict[str, Any]) -> None:
    identity = credential["credentialSubject"]["identifier"][0]
    identity["identityHash"] = identity["identityHash"][:-1] + "0"


def _drop_evidence(credential: dict[str, Any]) -> None:
    credential["evidence"] = credential["evidence"][:1]


def _set_achieved_level(credential: dict[str, Any]) -> None:
    result = credential["credentialSubject"]["result"][0]
    result["achievedLevel"] = "urn:uuid:d02c7c8f-5d8b-4b6c-9d2e-3b8f3c0f6a01"


def _set_proof_created(credential: dict[str, Any]) -> None:
    for proof in proofs_of(credential):
        proof["created"] = "2024-06-01T12:00:01Z"


TAMPERINGS: Final[dict[str, Callable[[dict[str, Any]], None]]] = {
    "achievement name": _set_achievement_name,
    "creditsEarned": _set_credits,
    "identityHash": _set_identity_hash,
    "one evidence dropped": _drop_evidence,
    "achievedLevel": _set_achieved_level,
    "proof created": _set_proof_created,
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
@pytest.mark.parametrize("signer", sorted(SIGNERS))
@pytest.mark.parametrize("suite", JS_SUITES)
@pytest.mark.parametrize("name", ["ob3-vcdm2", "ob3-vcdm11"])
def test_changed_value_fails_on_both_sides(
    name: str, suite: Suite, signer: str, tampering: str, js_reference: JsReference
) -> None:
    signed = SIGNERS[signer](js_reference, fixture(name), suite, KEY_A)
    TAMPERINGS[tampering](signed)
    result = js_reference.verify(signed)
    assert result["verified"] is False and result["allProofsVerified"] is False
    checks = our_verify(signed)
    assert not proof_set_verified(checks)
    assert [problem.title for problem in checks[0].problems] == ["Invalid signature"]


@pytest.mark.parametrize("kind", sorted(SET_SUITES))
def test_changed_value_fails_every_proof_of_a_set_on_both_sides(kind: str, js_reference: JsReference) -> None:
    signed = proof_set(js_reference, kind, "js", "ours")
    _set_achievement_name(signed)
    result = js_reference.verify(signed, check_issuer=False)
    assert result["verified"] is False
    assert [proof["verified"] for proof in result["proofs"]] == [False, False]
    assert [check.verified for check in our_verify(signed)] == [False, False]


def test_hard_text_change_of_one_control_character_fails_on_both_sides(js_reference: JsReference) -> None:
    for suite in JS_SUITES:
        for signer in SIGNERS.values():
            signed = signer(js_reference, fixture("ob3-hard-text"), suite, KEY_A)
            signed["description"] = signed["description"].replace("\x1f", "\x1e", 1)
            assert js_reference.verify(signed)["verified"] is False
            assert not proof_set_verified(our_verify(signed))


def test_rtl_direction_change_fails_on_both_sides(js_reference: JsReference) -> None:
    """@direction is signed (rdfDirection i18n-datatype: "..."^^<https://www.w3.org/ns/i18n#ar_rtl>)."""
    for suite in JS_SUITES:
        for signer in SIGNERS.values():
            signed = signer(js_reference, fixture("ob3-hard-text"), suite, KEY_A)
            signed["name"]["@direction"] = "ltr"
            assert js_reference.verify(signed)["verified"] is False
            assert not proof_set_verified(our_verify(signed))


@pytest.mark.parametrize("suite", JS_SUITES)
def test_reordered_members_and_set_entries_still_verify_on_both_sides(suite: Suite, js_reference: JsReference) -> None:
    """RDF canonicalization signs the graph, not the JSON text: member order and @set order do not matter."""
    for signer in SIGNERS.values():
        signed = signer(js_reference, fixture("ob3-vcdm2"), suite, KEY_A)
        reordered = {key: signed[key] for key in reversed(list(signed))}
        reordered["evidence"] = list(reversed(signed["evidence"]))
        levels = reordered["credentialSubject"]["achievement"]["resultDescription"][0]["rubricCriterionLevel"]
        levels.reverse()
        assert text(reordered) != text(signed)
        assert_reference_verifies_every_proof(js_reference, reordered, 1)
        assert_we_verify_every_proof(reordered, 1)


# eddsa-jcs-2022: the reference has no such suite, so it is checked here only


def jcs_hash_data(document: dict[str, Any]) -> bytes:
    """VC-DI-EdDSA 1.0 §3.3.4-3.3.5 recomputed with rfc8785 directly: SHA-256(JCS(proof config with the
    document's @context)) || SHA-256(JCS(document without proof))."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_config = {key: value for key, value in document["proof"].items() if key != "proofValue"}
    proof_config["@context"] = document["@context"]
    return hashlib.sha256(rfc8785.dumps(proof_config)).digest() + hashlib.sha256(rfc8785.dumps(unsecured)).digest()


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_jcs_proof_matches_an_independent_recomputation(name: str) -> None:
    signed = our_sign(fixture(name), "eddsa-jcs-2022", KEY_A)
    assert signed["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    signature = multibase_decode_z(signed["proof"]["proofValue"])
    assert KEY_A.verify(signature, jcs_hash_data(signed))
    # Ed25519 is deterministic: signing the recomputed hash gives the same proofValue
    assert KEY_A.sign(jcs_hash_data(signed)) == signature
    assert_we_verify_every_proof(signed, 1)


def test_jcs_changed_value_fails_and_reordered_members_verify() -> None:
    signed = our_sign(fixture("ob3-vcdm2"), "eddsa-jcs-2022", KEY_A)
    reordered = {key: signed[key] for key in reversed(list(signed))}
    assert_we_verify_every_proof(reordered, 1)
    for tampering in TAMPERINGS.values():
        tampered = copy.deepcopy(signed)
        tampering(tampered)
        assert not proof_set_verified(our_verify(tampered))
    # JSON, not RDF: reordering an array is a change
    tampered = copy.deepcopy(signed)
    tampered["evidence"].reverse()
    assert not proof_set_verified(our_verify(tampered))


def test_jcs_proof_in_a_set_with_a_reference_proof(js_reference: JsReference) -> None:
    """We verify both proofs; the reference, lacking the suite, skips ours and still verifies its own."""
    signed = our_sign(js_sign(js_reference, fixture("ob3-vcdm2"), "eddsa-rdfc-2022", KEY_A), "eddsa-jcs-2022", KEY_B)
    assert_we_verify_every_proof(signed, 2)
    result = js_reference.verify(signed, check_issuer=False)
    assert result["verified"] is True and result["allProofsVerified"] is False
    assert [proof["cryptosuite"] for proof in result["proofs"]] == ["eddsa-rdfc-2022"]
