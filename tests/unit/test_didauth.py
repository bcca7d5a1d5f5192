"""VCALM DIDAuthentication presentations (VC-DI 1.0 §4.5, purpose `authentication`): the WALLETS.md §3.4 vectors,
presentations signed here with the holder key of those vectors (seed 0x07 x 32), and every refusal code."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.did import (
    DidJwkResolver,
    DidKeyResolver,
    DidNotFound,
    DidResolver,
    DidResolverRegistry,
    did_jwk_from_jwk,
)
from credentials.did.key import DidKeyVerificationMethodType
from credentials.didauth import DidAuthentication, verify_did_authentication
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from support.signed_badges import signed_badge

CHALLENGE = "c0ffee-challenge-0001"
DOMAIN = "https://credstack.example"
HOLDER = Ed25519KeyPair.from_seed(bytes([0x07]) * 32)
HOLDER_DID = "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z"
STRANGER = Ed25519KeyPair.from_seed(bytes([0x08]) * 32)
NOW = datetime(2026, 11, 28, 18, 5, tzinfo=UTC)
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
SUITE_NAMES = ("Ed25519Signature2020", "eddsa-rdfc-2022", "eddsa-jcs-2022")

# WALLETS.md §3.4, verbatim: LCW style (Ed25519Signature2020) and VCALM style (DataIntegrityProof eddsa-rdfc-2022).
LCW_VECTOR = json.loads(
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/security/suites/ed25519-2020/v1"],'
    '"type":["VerifiablePresentation"],"holder":"did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z",'
    '"proof":{"type":"Ed25519Signature2020","created":"2026-11-28T18:03:58Z",'
    '"verificationMethod":"did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z#'
    'z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z","proofPurpose":"authentication",'
    '"challenge":"c0ffee-challenge-0001","domain":"https://credstack.example",'
    '"proofValue":"z33nRWewTdj2cKBe8y77TwmPqYSRLdW6aDurFc58go4rvBXAHxHMCbkSk4jgYQ39VUeRTnTFFccL5VpjMWo9djaVz"}}'
)
VCALM_VECTOR = json.loads(
    '{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],'
    '"holder":"did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z",'
    '"proof":{"type":"DataIntegrityProof","created":"2026-11-28T18:03:58Z",'
    '"verificationMethod":"did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z#'
    'z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z","cryptosuite":"eddsa-rdfc-2022",'
    '"proofPurpose":"authentication","challenge":"c0ffee-challenge-0001","domain":"https://credstack.example",'
    '"proofValue":"z76PYz2gLegqR9LTbpzB5S4ao2aWrtoZu4hs232awwpTSKWAefy7CcwDptYxHshGqtiXerRUEbbyrfnjoFKqRZY2"}}'
)
VECTORS = {"lcw": LCW_VECTOR, "vcalm": VCALM_VECTOR}


@pytest.fixture(scope="module")
def contexts() -> ContextStore:
    return ContextStore.load()


def registry(key_type: DidKeyVerificationMethodType = "Multikey", **options: Any) -> DidResolverRegistry:
    """did:key and did:jwk only, resolved locally, as the issuer's wallet endpoints wire it."""
    return DidResolverRegistry({"key": DidKeyResolver(key_type), "jwk": DidJwkResolver()}, **options)


class OfflineWeb:
    """A did:web method that finds nothing: the registry's `local_documents` answer first."""

    async def resolve(self, did: str) -> dict[str, Any]:
        raise DidNotFound(did)


def registry_with_web(document: dict[str, Any]) -> DidResolverRegistry:
    methods: dict[str, DidResolver] = {"key": DidKeyResolver(), "jwk": DidJwkResolver(), "web": OfflineWeb()}
    return DidResolverRegistry(methods, local_documents={document["id"]: document})


async def didauth(
    presentation: Any,
    contexts: ContextStore,
    *,
    challenge: str = CHALLENGE,
    domain: str | None = DOMAIN,
    resolver: DidResolverRegistry | None = None,
    **options: Any,
) -> DidAuthentication:
    return await verify_did_authentication(
        presentation,
        challenge=challenge,
        domain=domain,
        contexts=contexts,
        resolver=resolver or registry(),
        now=options.pop("now", NOW),
        **options,
    )


def unsigned(context: list[Any] | None = None, **members: Any) -> dict[str, Any]:
    return {"@context": context or [V2], "type": ["VerifiablePresentation"], "holder": HOLDER_DID, **members}


def signed(
    presentation: dict[str, Any],
    contexts: ContextStore,
    suite: str = "Ed25519Signature2020",
    *,
    key: Ed25519KeyPair = HOLDER,
    method: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Sign as a wallet does: purpose authentication, the challenge and domain (override any through `fields`)."""
    method = method or HOLDER.did_key_verification_method
    options = {"proof_purpose": "authentication", "challenge": CHALLENGE, "domain": DOMAIN} | fields
    proof_options = ProofOptions.for_suite(SUITES[suite], method, **options)
    result = add_proof(presentation, SUITES[suite], proof_options, key.signer(method), contexts, now=NOW)
    return copy.deepcopy(result)


def refused(verdict: DidAuthentication, error: str) -> bool:
    return (verdict.verified, verdict.holder, verdict.error) == (False, None, error) and verdict.detail.isascii()


def flip(value: str, position: int) -> str:
    replacement = "2" if value[position] != "2" else "3"
    return value[:position] + replacement + value[position + 1 :]


# The §3.4 vectors


@pytest.mark.parametrize("key_type", ["Multikey", "Ed25519VerificationKey2020"])
@pytest.mark.parametrize("name", VECTORS)
async def test_design_vectors_verify(name: str, key_type: DidKeyVerificationMethodType, contexts: ContextStore) -> None:
    # The "verifier pitfall": a did:key resolved to a Multikey method must still verify an Ed25519Signature2020 proof.
    verdict = await didauth(copy.deepcopy(VECTORS[name]), contexts, resolver=registry(key_type))
    assert verdict == DidAuthentication(True, HOLDER_DID, None, verdict.detail)
    assert HOLDER.did_key == HOLDER_DID


@pytest.mark.parametrize("name", VECTORS)
async def test_design_vectors_verify_when_no_domain_is_asked(name: str, contexts: ContextStore) -> None:
    assert (await didauth(copy.deepcopy(VECTORS[name]), contexts, domain=None)).holder == HOLDER_DID


@pytest.mark.parametrize("name", VECTORS)
async def test_flipped_holder_is_a_holder_mismatch(name: str, contexts: ContextStore) -> None:
    vp = copy.deepcopy(VECTORS[name]) | {"holder": STRANGER.did_key}
    assert refused(await didauth(vp, contexts), "holder_mismatch")


@pytest.mark.parametrize("name", VECTORS)
async def test_another_challenge_is_a_challenge_mismatch(name: str, contexts: ContextStore) -> None:
    assert refused(await didauth(copy.deepcopy(VECTORS[name]), contexts, challenge="c0ffee-0002"), "challenge_mismatch")


@pytest.mark.parametrize("name", VECTORS)
async def test_another_domain_is_a_domain_mismatch(name: str, contexts: ContextStore) -> None:
    verdict = await didauth(copy.deepcopy(VECTORS[name]), contexts, domain="https://attacker.example")
    assert refused(verdict, "domain_mismatch")


@pytest.mark.parametrize("name", VECTORS)
@pytest.mark.parametrize("field", ["challenge", "domain"])
async def test_editing_the_signed_challenge_or_domain_breaks_the_signature(
    name: str, field: str, contexts: ContextStore
) -> None:
    vp = copy.deepcopy(VECTORS[name])
    vp["proof"][field] = "https://attacker.example"
    asked: dict[str, Any] = {field: "https://attacker.example"}
    assert refused(await didauth(vp, contexts, **asked), "invalid_signature")


@pytest.mark.parametrize("name", VECTORS)
@pytest.mark.parametrize("position", [1, 2, 30, 60, -1])
async def test_one_flipped_proof_value_character_is_an_invalid_signature(
    name: str, position: int, contexts: ContextStore
) -> None:
    vp = copy.deepcopy(VECTORS[name])
    vp["proof"]["proofValue"] = flip(vp["proof"]["proofValue"], position)
    assert refused(await didauth(vp, contexts), "invalid_signature")


@pytest.mark.parametrize("name", VECTORS)
async def test_a_member_added_after_signing_is_an_invalid_signature(name: str, contexts: ContextStore) -> None:
    vp = copy.deepcopy(VECTORS[name]) | {"id": "urn:uuid:4d1e0c6b-1111-4a2b-8c3d-000000000001"}
    assert refused(await didauth(vp, contexts), "invalid_signature")


# Presentations signed here


@pytest.mark.parametrize("suite", SUITE_NAMES)
@pytest.mark.parametrize("base", [V1, V2])
async def test_each_suite_over_vcdm_1_1_and_2_0_presentations(suite: str, base: str, contexts: ContextStore) -> None:
    vp = signed(unsigned([base]), contexts, suite)
    assert vp["@context"][0] == base
    assert (await didauth(vp, contexts)).holder == HOLDER_DID


async def test_legacy_lcw_presentation_signs_without_a_domain(contexts: ContextStore) -> None:
    vp = signed(unsigned([V2, ED25519_2020]), contexts, domain=None)
    assert "domain" not in vp["proof"]
    assert (await didauth(vp, contexts, domain=None)).holder == HOLDER_DID
    assert refused(await didauth(vp, contexts), "domain_mismatch")


@pytest.mark.parametrize("suite", SUITE_NAMES)
async def test_domain_may_be_an_array_containing_the_asked_one(suite: str, contexts: ContextStore) -> None:
    vp = signed(unsigned(), contexts, suite, domain=("https://other.example", DOMAIN))
    assert (await didauth(vp, contexts)).holder == HOLDER_DID
    assert refused(await didauth(vp, contexts, domain="https://third.example"), "domain_mismatch")


@pytest.mark.parametrize("suite", ["Ed25519Signature2020", "eddsa-rdfc-2022"])
async def test_without_holder_the_authenticated_did_is_the_key_controller(suite: str, contexts: ContextStore) -> None:
    vp = signed({"@context": [V2], "type": ["VerifiablePresentation"]}, contexts, suite)
    assert (await didauth(vp, contexts)).holder == HOLDER_DID


async def test_holder_may_be_an_object_with_an_id(contexts: ContextStore) -> None:
    vp = signed(unsigned(holder={"id": HOLDER_DID}), contexts, "eddsa-rdfc-2022")
    assert (await didauth(vp, contexts)).holder == HOLDER_DID


@pytest.mark.parametrize("holder", [STRANGER.did_key, {"id": STRANGER.did_key}])
async def test_a_signed_holder_that_is_not_the_key_controller_is_a_holder_mismatch(
    holder: Any, contexts: ContextStore
) -> None:
    vp = signed(unsigned(holder=holder), contexts, "eddsa-rdfc-2022")
    assert refused(await didauth(vp, contexts), "holder_mismatch")


@pytest.mark.parametrize("holder", [None, "", 7, {"name": "x"}, ["did:key:z6Mk"]])
async def test_a_malformed_holder_is_refused(holder: Any, contexts: ContextStore) -> None:
    vp = copy.deepcopy(VCALM_VECTOR) | {"holder": holder}
    assert refused(await didauth(vp, contexts), "malformed")


@pytest.mark.parametrize("suite", SUITE_NAMES)
async def test_did_jwk_holder(suite: str, contexts: ContextStore) -> None:
    did = did_jwk_from_jwk(HOLDER.public_jwk())
    vp = signed(unsigned(holder=did), contexts, suite, method=f"{did}#0")
    assert (await didauth(vp, contexts)).holder == did


async def test_a_did_jwk_encryption_key_cannot_authenticate(contexts: ContextStore) -> None:
    did = did_jwk_from_jwk(HOLDER.public_jwk() | {"use": "enc"})
    vp = signed(unsigned(holder=did), contexts, "eddsa-rdfc-2022", method=f"{did}#0")
    assert refused(await didauth(vp, contexts), "unauthorized_method")


async def test_presentation_carrying_a_credential_authenticates_its_holder(contexts: ContextStore) -> None:
    vp = signed(unsigned(verifiableCredential=[signed_badge()]), contexts, "eddsa-rdfc-2022")
    assert (await didauth(vp, contexts)).holder == HOLDER_DID


@pytest.mark.parametrize(
    ("purpose", "suite"),
    [
        ("assertionMethod", "eddsa-rdfc-2022"),
        ("capabilityInvocation", "Ed25519Signature2020"),
        # Not a term of any context, so only JCS can sign it.
        ("Authentication", "eddsa-jcs-2022"),
    ],
)
async def test_wrong_purpose(purpose: str, suite: str, contexts: ContextStore) -> None:
    vp = signed(unsigned(), contexts, suite, proof_purpose=purpose)
    assert refused(await didauth(vp, contexts), "wrong_purpose")


async def test_a_proof_without_challenge_is_a_challenge_mismatch(contexts: ContextStore) -> None:
    vp = signed(unsigned(), contexts, "eddsa-rdfc-2022", challenge=None)
    assert refused(await didauth(vp, contexts), "challenge_mismatch")


async def test_expired_proof(contexts: ContextStore) -> None:
    vp = signed(unsigned(), contexts, "eddsa-rdfc-2022", expires="2026-11-28T18:04:59Z")
    assert refused(await didauth(vp, contexts), "expired")
    later = signed(unsigned(), contexts, "eddsa-rdfc-2022", expires="2026-11-28T18:15:00Z")
    assert (await didauth(later, contexts)).verified


async def test_a_signature_by_another_key_is_invalid(contexts: ContextStore) -> None:
    vp = signed(unsigned(), contexts, "eddsa-rdfc-2022", key=STRANGER)
    assert refused(await didauth(vp, contexts), "invalid_signature")


async def test_proof_sets_are_refused(contexts: ContextStore) -> None:
    once = signed(unsigned(), contexts, "eddsa-rdfc-2022")
    twice = signed(once, contexts, "eddsa-jcs-2022")
    assert refused(await didauth(twice, contexts), "malformed")


@pytest.mark.parametrize(
    "proof",
    [
        {"type": "RsaSignature2018"},
        {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019"},
        {"type": "DataIntegrityProof", "cryptosuite": "Ed25519Signature2020"},
        {"type": "JsonWebSignature2020"},
    ],
)
async def test_unsupported_suites(proof: dict[str, Any], contexts: ContextStore) -> None:
    vp = copy.deepcopy(VCALM_VECTOR)
    vp["proof"] = {key: value for key, value in vp["proof"].items() if key != "cryptosuite"} | proof
    assert refused(await didauth(vp, contexts), "unsupported_suite")


async def test_the_caller_can_narrow_the_suites(contexts: ContextStore) -> None:
    verdict = await didauth(copy.deepcopy(LCW_VECTOR), contexts, suites=frozenset({"eddsa-rdfc-2022"}))
    assert refused(verdict, "unsupported_suite")


@pytest.mark.parametrize(
    "method",
    [
        "https://wallet.example/keys#z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z",
        "did:web:wallet.example#key-1",
        f"{HOLDER_DID}#not-the-key",
        "did:key:z6Mk#z6Mk",
        HOLDER_DID,
    ],
    ids=["https fragment key", "did:web not wired", "unknown fragment", "bad did:key", "no fragment"],
)
async def test_unresolvable_methods(method: str, contexts: ContextStore) -> None:
    vp = copy.deepcopy(VCALM_VECTOR)
    vp["proof"]["verificationMethod"] = method
    assert refused(await didauth(vp, contexts), "unresolvable_method")


async def test_a_method_listed_by_a_document_for_another_controller_is_unauthorized(contexts: ContextStore) -> None:
    did = "did:web:wallet.example"
    method = {
        "id": f"{did}#key-1",
        "type": "Multikey",
        "controller": HOLDER_DID,
        "publicKeyMultibase": HOLDER.public_key_multibase,
    }
    document = {"id": did, "verificationMethod": [method], "authentication": [method["id"]]}
    resolver = registry_with_web(document)
    vp = signed(unsigned(), contexts, "eddsa-rdfc-2022", method=f"{did}#key-1")
    assert refused(await didauth(vp, contexts, resolver=resolver), "unauthorized_method")


async def test_a_did_web_holder_verifies_when_the_caller_wires_it_in(contexts: ContextStore) -> None:
    did = "did:web:wallet.example"
    method = {
        "id": f"{did}#key-1",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": HOLDER.public_key_multibase,
    }
    document = {"id": did, "verificationMethod": [method], "authentication": ["#key-1"]}
    resolver = registry_with_web(document)
    vp = signed(unsigned(holder=did), contexts, "Ed25519Signature2020", method=f"{did}#key-1")
    assert (await didauth(vp, contexts, resolver=resolver)).holder == did


# Malformed input


@pytest.mark.parametrize(
    "value",
    [None, True, 1, 1.5, "a presentation", [], [LCW_VECTOR], {}, {"proof": LCW_VECTOR["proof"]}],
)
async def test_non_presentations_are_malformed(value: Any, contexts: ContextStore) -> None:
    assert refused(await didauth(copy.deepcopy(value), contexts), "malformed")


@pytest.mark.parametrize(
    "context",
    [
        [ED25519_2020, V2],
        ["https://example.com/unpinned"],
        [V2, "https://example.com/unpinned"],
        [{"@vocab": "https://example.com/#"}],
        [V2, 7],
        "https://www.w3.org/ns/credentials/v1",
    ],
)
async def test_bad_contexts_are_malformed(context: Any, contexts: ContextStore) -> None:
    vp = copy.deepcopy(VCALM_VECTOR) | {"@context": context}
    assert refused(await didauth(vp, contexts), "malformed")


async def test_the_type_must_be_verifiable_presentation(contexts: ContextStore) -> None:
    vp = copy.deepcopy(VCALM_VECTOR) | {"type": ["VerifiableCredential"]}
    assert refused(await didauth(vp, contexts), "malformed")


@pytest.mark.parametrize("proof", [None, []])
async def test_an_unsigned_presentation_has_no_proof(proof: Any, contexts: ContextStore) -> None:
    assert refused(await didauth(unsigned(proof=proof), contexts), "no_proof")
    assert refused(await didauth(unsigned(), contexts), "no_proof")


@pytest.mark.parametrize(
    "change",
    [
        {"proof": "z33nRWew"},
        {"proof": [7]},
        {"verificationMethod": None},
        {"verificationMethod": ""},
        {"expires": "tomorrow"},
        {"created": "yesterday"},
    ],
)
async def test_malformed_proofs(change: dict[str, Any], contexts: ContextStore) -> None:
    vp = copy.deepcopy(VCALM_VECTOR)
    if "proof" in change:
        vp["proof"] = change["proof"]
    else:
        vp["proof"] |= change
    assert refused(await didauth(vp, contexts), "malformed")


async def test_caller_bugs_raise(contexts: ContextStore) -> None:
    with pytest.raises(ValueError):
        await didauth(copy.deepcopy(LCW_VECTOR), contexts, challenge="")
    with pytest.raises(ValueError):
        await didauth(copy.deepcopy(LCW_VECTOR), contexts, now=NOW.replace(tzinfo=None))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=10,
)
PROOF_MEMBERS = st.fixed_dictionaries(
    {},
    optional={
        key: st.just(value) | JSON
        for key, value in VCALM_VECTOR["proof"].items()
        if key in {"type", "cryptosuite", "verificationMethod", "proofPurpose", "challenge", "domain", "proofValue"}
    }
    | {"expires": JSON, "created": st.just("2026-11-28T18:03:58Z") | JSON, "previousProof": JSON},
)
PRESENTATIONS = st.fixed_dictionaries(
    {},
    optional={
        "@context": st.just([V2]) | st.just([V1, ED25519_2020]) | JSON,
        "type": st.just(["VerifiablePresentation"]) | JSON,
        "holder": st.just(HOLDER_DID) | JSON,
        "proof": PROOF_MEMBERS | st.lists(PROOF_MEMBERS, max_size=2) | JSON,
        "verifiableCredential": JSON,
    },
)


@st.composite
def mutated_vectors(draw: st.DrawFn) -> dict[str, Any]:
    """A §3.4 vector with one or two members (top level or in the proof) replaced by any JSON, or removed."""
    vp: dict[str, Any] = copy.deepcopy(draw(st.sampled_from([LCW_VECTOR, VCALM_VECTOR])))
    for _ in range(draw(st.integers(1, 2))):
        target = vp["proof"] if draw(st.booleans()) and isinstance(vp.get("proof"), dict) else vp
        key = draw(st.sampled_from([*sorted(target), "id", "expires", "verifiableCredential"]))
        if key in target and draw(st.booleans()):
            del target[key]
        else:
            target[key] = draw(JSON)
    return vp


def check_verdict(value: Any, contexts: ContextStore) -> DidAuthentication:
    verdict = asyncio.run(didauth(value, contexts))
    assert verdict.detail.isascii()
    assert verdict.verified == (verdict.error is None) == (verdict.holder is not None)
    assert verdict.holder in {None, HOLDER_DID}
    return verdict


@settings(max_examples=150, deadline=None)
@given(value=JSON | PRESENTATIONS)
def test_arbitrary_json_never_raises(value: Any, contexts: ContextStore) -> None:
    check_verdict(value, contexts)


@settings(max_examples=150, deadline=None)
@given(value=mutated_vectors())
def test_mutated_vectors_never_raise(value: dict[str, Any], contexts: ContextStore) -> None:
    check_verdict(value, contexts)
