"""VC Data Integrity 1.0 §4 (add/verify proofs, proof sets and chains) over the three Ed25519 suites.

The vectors (test_vectors.py) pin the bytes; these tests pin the behaviour around them: options, timestamps,
proof sets and chains, the generic checks and their problem codes, fail-closed suite selection, and that a bad
document never raises from verification.
"""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from credentials import jsonld, problems
from credentials.jsonld import ContextStore, JsonLdProcessingError
from credentials.keys import Ed25519KeyPair, VerificationMethod
from credentials.problems import Problem, type_uri
from credentials.proofs import (
    ProofGenerationError,
    ProofOptions,
    ProofTransformationError,
    format_date_time_stamp,
    is_date_time_stamp,
)
from credentials.proofs.data_integrity import (
    ALL_SUITES,
    SUITES,
    ProofCheck,
    add_proof,
    check_proof_shape,
    parse_proofs,
    proof_set_verified,
    select_suite,
    verification_method_urls,
    verify_proof_set,
)
from credentials.proofs.ed25519_signature_2020 import SUITE_CONTEXT

NOW = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
SUITE_NAMES = sorted(ALL_SUITES)
ALICE = Ed25519KeyPair.from_seed(bytes(range(32)))
BOB = Ed25519KeyPair.from_seed(bytes(range(32, 64)))
CREDENTIAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}


@pytest.fixture(scope="module")
def contexts() -> ContextStore:
    return ContextStore.load()


def method_of(key: Ed25519KeyPair, kind: str = "Multikey") -> VerificationMethod:
    return VerificationMethod(key.did_key_verification_method, kind, key.did_key, key.public_key)


def sign(
    document: dict[str, Any], suite: str, key: Ed25519KeyPair, contexts: ContextStore, **fields: Any
) -> dict[str, Any]:
    options = ProofOptions.for_suite(SUITES[suite], key.did_key_verification_method, **fields)
    # add_proof shares nested values with its input (no needless deep copies); tests mutate their copy.
    return copy.deepcopy(add_proof(document, SUITES[suite], options, key.signer(), contexts, now=NOW))


def verify(document: Any, contexts: ContextStore, *keys: Ed25519KeyPair, **kwargs: Any) -> list[ProofCheck]:
    methods = {method_of(key).id: method_of(key) for key in keys or (ALICE,)}
    options: dict[str, Any] = {"expected_purpose": "assertionMethod", "allowed_suites": ALL_SUITES, **kwargs}
    return verify_proof_set(document, methods=methods, contexts=contexts, **options)


def codes_of(check: ProofCheck) -> list[str]:
    return [problem.code for problem in check.problems]


# Values: options, timestamps, problem types


def test_proof_options_emit_the_reference_member_order_and_lists() -> None:
    options = ProofOptions(
        "DataIntegrityProof",
        "eddsa-rdfc-2022",
        "did:example:1#k",
        created="2024-01-01T00:00:00Z",
        domain=("a.example", "b.example"),
        challenge="c",
        id="urn:uuid:1",
        previous_proof=("urn:uuid:0",),
    )
    proof = options.to_proof()
    assert list(proof) == [
        "id",
        "type",
        "created",
        "verificationMethod",
        "cryptosuite",
        "proofPurpose",
        "domain",
        "challenge",
        "previousProof",
    ]
    assert proof["domain"] == ["a.example", "b.example"] and proof["previousProof"] == ["urn:uuid:0"]


def test_options_for_suite_set_type_and_cryptosuite() -> None:
    rdfc = ProofOptions.for_suite(SUITES["eddsa-rdfc-2022"], "did:example:1#k")
    legacy = ProofOptions.for_suite(SUITES["Ed25519Signature2020"], "did:example:1#k", proof_purpose="x")
    assert (rdfc.type, rdfc.cryptosuite) == ("DataIntegrityProof", "eddsa-rdfc-2022")
    assert (legacy.type, legacy.cryptosuite, legacy.proof_purpose) == ("Ed25519Signature2020", None, "x")


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-24T23:36:38Z",
        "2023-02-24T23:36:38.123+02:00",
        "2024-02-29T00:00:00-14:00",
        "12024-01-01T24:00:00Z",
    ],
)
def test_valid_date_time_stamps(value: str) -> None:
    assert is_date_time_stamp(value)


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-24T23:36:38",  # no timezone: a dateTime, not a dateTimeStamp
        "2023-02-24 23:36:38Z",
        "2023-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2023-02-24T23:36:38z",
        "2023-02-24T23:36:38+15:00",
        "２０２３-02-24T23:36:38Z",
        "2023-02-24T23:36:38Z\n",
        20230224,
        None,
    ],
)
def test_invalid_date_time_stamps(value: object) -> None:
    assert not is_date_time_stamp(value)


def test_timestamps_are_utc_without_fractional_seconds() -> None:
    assert format_date_time_stamp(NOW) == "2024-05-06T07:08:09Z"
    plus_two = datetime(2024, 5, 6, 9, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    assert format_date_time_stamp(plus_two) == "2024-05-06T07:08:09Z"
    with pytest.raises(ValueError):
        format_date_time_stamp(datetime(2024, 5, 6))


@pytest.mark.parametrize(
    ("code", "uri"),
    [
        ("PROOF_VERIFICATION_ERROR", "https://w3id.org/security#PROOF_VERIFICATION_ERROR"),
        ("DATA_LOSS_DETECTION_ERROR", "https://w3id.org/security#DATA_LOSS_DETECTION_ERROR"),
        ("INVALID_VERIFICATION_METHOD", "https://w3id.org/security#INVALID_VERIFICATION_METHOD"),
        ("MALFORMED_VALUE_ERROR", "https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR"),
        ("STATUS_LIST_LENGTH_ERROR", "https://www.w3.org/ns/credentials/status-list#STATUS_LIST_LENGTH_ERROR"),
        ("CONTEXT_NOT_ALLOWED", "urn:credstack:problem:CONTEXT_NOT_ALLOWED"),
    ],
)
def test_problem_type_uris(code: str, uri: str) -> None:
    assert type_uri(code) == uri
    assert Problem(code, "t", "d").as_dict() == {"type": uri, "code": code, "title": "t", "detail": "d"}


# Add Proof (§4.2)


@pytest.mark.parametrize("suite", SUITE_NAMES)
def test_add_proof_returns_a_new_document_and_keeps_the_input(suite: str, contexts: ContextStore) -> None:
    before = copy.deepcopy(CREDENTIAL)
    signed = sign(CREDENTIAL, suite, ALICE, contexts)
    assert before == CREDENTIAL
    assert signed["proof"]["created"] == "2024-05-06T07:08:09Z"
    assert signed["proof"]["verificationMethod"] == ALICE.did_key_verification_method
    assert proof_set_verified(verify(signed, contexts))


def test_ed25519_signature_2020_appends_its_context_to_any_context_form(contexts: ContextStore) -> None:
    single = {**CREDENTIAL, "@context": CREDENTIAL["@context"][0], "type": "VerifiableCredential"}
    single.pop("credentialSubject")
    assert sign(single, "Ed25519Signature2020", ALICE, contexts)["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        SUITE_CONTEXT,
    ]
    already = {**CREDENTIAL, "@context": [*CREDENTIAL["@context"], SUITE_CONTEXT]}
    assert sign(already, "Ed25519Signature2020", ALICE, contexts)["@context"] == already["@context"]


@pytest.mark.parametrize(
    ("suite", "appended"),
    [
        ("eddsa-rdfc-2022", "https://w3id.org/security/data-integrity/v2"),
        ("eddsa-jcs-2022", "https://w3id.org/security/data-integrity/v2"),
        ("Ed25519Signature2020", SUITE_CONTEXT),
    ],
)
def test_vcdm_1_1_gets_the_suite_context(suite: str, appended: str, contexts: ContextStore) -> None:
    """As jsonld-signatures' ensureSuiteContext does: the VCDM 1.1 context does not define the proof terms."""
    v1_context = ["https://www.w3.org/2018/credentials/v1", {"alumniOf": "https://example.org/alumniOf"}]
    credential = {
        "@context": v1_context,
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential"],
        "issuer": "https://vc.example/issuers/5678",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:1", "alumniOf": "Example University"},
    }
    signed = sign(credential, suite, ALICE, contexts)
    assert signed["@context"] == [*v1_context, appended]
    assert proof_set_verified(verify(signed, contexts))


def test_add_proof_refuses_a_signer_for_another_method(contexts: ContextStore) -> None:
    options = ProofOptions.for_suite(SUITES["eddsa-rdfc-2022"], ALICE.did_key_verification_method)
    with pytest.raises(ProofGenerationError) as raised:
        add_proof(CREDENTIAL, SUITES["eddsa-rdfc-2022"], options, BOB.signer(), contexts)
    assert raised.value.code == "PROOF_GENERATION_ERROR"


@pytest.mark.parametrize("suite", SUITE_NAMES)
def test_add_proof_refuses_a_malformed_created(suite: str, contexts: ContextStore) -> None:
    with pytest.raises(ProofGenerationError):
        sign(CREDENTIAL, suite, ALICE, contexts, created="yesterday")


@pytest.mark.parametrize(("suite", "other"), [("eddsa-rdfc-2022", "eddsa-jcs-2022"), ("eddsa-jcs-2022", "x")])
def test_add_proof_refuses_options_of_another_suite(suite: str, other: str, contexts: ContextStore) -> None:
    options = ProofOptions("DataIntegrityProof", other, ALICE.did_key_verification_method)
    with pytest.raises(ProofGenerationError):
        add_proof(CREDENTIAL, SUITES[suite], options, ALICE.signer(), contexts, now=NOW)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_add_proof_reports_a_context_outside_the_store(suite: str, contexts: ContextStore) -> None:
    document = {**CREDENTIAL, "@context": [*CREDENTIAL["@context"], "https://unknown.example/context"]}
    with pytest.raises(ProofTransformationError) as raised:
        sign(document, suite, ALICE, contexts)
    assert raised.value.code == "PROOF_TRANSFORMATION_ERROR"
    assert "CONTEXT_NOT_ALLOWED" in raised.value.problem.detail


# The generic checks (§4.4 steps 2-7) and suite selection


def test_check_proof_shape_codes() -> None:
    good = {"type": "DataIntegrityProof", "verificationMethod": "did:ex:1#k", "proofPurpose": "assertion"}
    assert check_proof_shape(good, "assertion") == []
    assert [p.code for p in check_proof_shape("proof", "assertion")] == ["PARSING_ERROR"]
    incomplete = {"type": "DataIntegrityProof", "verificationMethod": ""}
    assert [p.code for p in check_proof_shape(incomplete, None)] == ["PROOF_VERIFICATION_ERROR"]
    assert [p.code for p in check_proof_shape(good, "authentication")] == ["PROOF_VERIFICATION_ERROR"]
    assert [p.code for p in check_proof_shape(good, None, domain="a.example")] == ["INVALID_DOMAIN_ERROR"]
    assert [p.code for p in check_proof_shape(good, None, challenge="c")] == ["INVALID_CHALLENGE_ERROR"]
    dated = {**good, "created": "2024-01-01", "expires": "soon"}
    assert [p.code for p in check_proof_shape(dated, None)] == ["MALFORMED_VALUE_ERROR"] * 2


def test_domain_is_compared_as_a_set_of_strings() -> None:
    proof = {"type": "t", "verificationMethod": "v", "proofPurpose": "p", "domain": ["b.example", "a.ex"]}
    assert check_proof_shape(proof, None, domain=["a.ex", "b.example"]) == []
    assert check_proof_shape({**proof, "domain": "a.example"}, None, domain="a.example") == []
    assert check_proof_shape(proof, None, domain="a.ex") != []


@pytest.mark.parametrize(
    "proof",
    [
        "eddsa-rdfc-2022",
        {"type": "DataIntegrityProof", "cryptosuite": "eddsa-2022"},
        {"type": "DataIntegrityProof", "cryptosuite": "Ed25519Signature2020"},
        {"type": "DataIntegrityProof", "cryptosuite": ["eddsa-rdfc-2022"]},
        {"type": "eddsa-rdfc-2022"},
        {"type": "Ed25519Signature2018"},
        {"cryptosuite": "eddsa-rdfc-2022"},
    ],
)
def test_select_suite_fails_closed(proof: object) -> None:
    assert select_suite(proof, ALL_SUITES) is None


def test_select_suite_honours_the_allowlist() -> None:
    rdfc = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}
    legacy = {"type": "Ed25519Signature2020", "cryptosuite": "ignored"}
    assert select_suite(rdfc, ALL_SUITES) is SUITES["eddsa-rdfc-2022"]
    assert select_suite(legacy, ALL_SUITES) is SUITES["Ed25519Signature2020"]
    assert select_suite(rdfc, frozenset({"eddsa-jcs-2022"})) is None


def test_parse_proofs_and_method_urls() -> None:
    assert parse_proofs({}) == []
    assert parse_proofs({"proof": {"a": 1}}) == [{"a": 1}]
    proofs = [{"verificationMethod": "x"}, "junk", {"verificationMethod": "y"}, {"verificationMethod": "x"}]
    assert parse_proofs({"proof": proofs}) == proofs
    assert verification_method_urls({"proof": proofs}) == ["x", "y"]


# Verify Proof: bad input is a failed check, never an exception


def test_documents_without_a_usable_proof(contexts: ContextStore) -> None:
    documents: list[dict[str, Any]] = [{"name": "x"}, {"proof": []}, {"proof": "z123"}, {"proof": [None]}]
    for document in documents:
        checks = verify(document, contexts)
        assert len(checks) == 1 and not proof_set_verified(checks)
        assert codes_of(checks[0]) == ["PARSING_ERROR"]
    assert codes_of(verify("not a document", contexts)[0]) == ["PARSING_ERROR"]


@pytest.mark.parametrize("suite", SUITE_NAMES)
def test_verification_method_problems(suite: str, contexts: ContextStore) -> None:
    signed = sign(CREDENTIAL, suite, ALICE, contexts)
    assert codes_of(verify(signed, contexts, BOB)[0]) == ["INVALID_VERIFICATION_METHOD"]  # not resolved
    vm = ALICE.did_key_verification_method
    cases = {
        "wrong id": VerificationMethod("did:ex:other#k", "Multikey", "did:ex:other", ALICE.public_key),
        "wrong type": VerificationMethod(vm, "EcdsaSecp256k1VerificationKey2019", "did:x", ALICE.public_key),
        "no key": VerificationMethod(vm, "Multikey", ALICE.did_key),
        "short key": VerificationMethod(vm, "Multikey", ALICE.did_key, ALICE.public_key[:31]),
    }
    for method in cases.values():
        checks = verify_proof_set(
            signed, methods={vm: method}, contexts=contexts, expected_purpose=None, allowed_suites=ALL_SUITES
        )
        assert codes_of(checks[0]) == ["INVALID_VERIFICATION_METHOD"]
    other_key = VerificationMethod(vm, "Multikey", ALICE.did_key, BOB.public_key)
    checks = verify_proof_set(
        signed, methods={vm: other_key}, contexts=contexts, expected_purpose=None, allowed_suites=ALL_SUITES
    )
    assert [p.title for p in checks[0].problems] == ["Invalid signature"]


def test_json_web_key_and_legacy_key_types_are_accepted(contexts: ContextStore) -> None:
    vm = ALICE.did_key_verification_method
    jwk = VerificationMethod(vm, "JsonWebKey", ALICE.did_key, public_key_jwk=ALICE.public_jwk())
    legacy = VerificationMethod(vm, "Ed25519VerificationKey2020", ALICE.did_key, ALICE.public_key)
    cases = (("eddsa-jcs-2022", jwk), ("eddsa-rdfc-2022", legacy), ("Ed25519Signature2020", legacy))
    for suite, method in cases:
        signed = sign(CREDENTIAL, suite, ALICE, contexts)
        checks = verify_proof_set(
            signed, methods={vm: method}, contexts=contexts, expected_purpose=None, allowed_suites=ALL_SUITES
        )
        assert proof_set_verified(checks), checks


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
@pytest.mark.parametrize("broken", ["unknown context", "bad @vocab", "context is a number"])
def test_unprocessable_json_ld(suite: str, broken: str, contexts: ContextStore) -> None:
    signed = sign(CREDENTIAL, suite, ALICE, contexts)
    signed["@context"] = {
        "unknown context": [*signed["@context"], "https://unknown.example/context"],
        "bad @vocab": [*signed["@context"], {"@vocab": 5}],
        "context is a number": 5,
    }[broken]
    checks = verify(signed, contexts)
    assert not checks[0].verified
    if suite == "Ed25519Signature2020" and broken == "context is a number":
        assert [p.title for p in checks[0].problems] == ["Missing context"]  # checked before canonicalizing
    else:
        assert codes_of(checks[0]) == ["PROOF_TRANSFORMATION_ERROR"]


def test_deeply_nested_documents_do_not_raise(contexts: ContextStore) -> None:
    for suite in SUITE_NAMES:
        signed = sign(CREDENTIAL, suite, ALICE, contexts)
        nested: dict[str, Any] = {}
        signed["credentialSubject"]["alumniOf"] = nested
        for _ in range(5000):
            nested["https://example.org/p"] = {}
            nested = nested["https://example.org/p"]
        assert not verify(signed, contexts)[0].verified


@pytest.mark.parametrize("value", [math.nan, 2**60])
def test_values_jcs_cannot_represent_are_a_transformation_problem(value: Any, contexts: ContextStore) -> None:
    signed = sign(CREDENTIAL, "eddsa-jcs-2022", ALICE, contexts)
    signed["credentialSubject"]["alumniOf"] = value
    assert codes_of(verify(signed, contexts)[0]) == ["PROOF_TRANSFORMATION_ERROR"]


class _DataLoss(JsonLdProcessingError):
    code = "DATA_LOSS_DETECTION_ERROR"


def test_data_loss_has_its_own_code(contexts: ContextStore, monkeypatch: pytest.MonkeyPatch) -> None:
    signed = sign(CREDENTIAL, "eddsa-rdfc-2022", ALICE, contexts)

    def dropping(document: Any, store: ContextStore) -> str:
        raise _DataLoss("term 'undefinedTerm' would be dropped")

    monkeypatch.setattr("credentials.proofs.canonicalize", dropping)
    checks = verify(signed, contexts)
    assert codes_of(checks[0]) == ["DATA_LOSS_DETECTION_ERROR"]
    assert checks[0].problems[0].type == "https://w3id.org/security#DATA_LOSS_DETECTION_ERROR"


@pytest.mark.skipif(not hasattr(jsonld, "DataLossError"), reason="jsonld.py does not detect data loss yet")
@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_an_undefined_term_is_data_loss(suite: str, contexts: ContextStore) -> None:
    plain = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    document = {**plain, "issuer": "https://vc.example/issuers/5678", "name": "x"}
    with pytest.raises(ProofTransformationError) as raised:
        sign({**document, "undefinedTerm": 1}, suite, ALICE, contexts)
    assert raised.value.code == problems.DATA_LOSS_DETECTION_ERROR
    signed = sign(document, suite, ALICE, contexts)
    signed["undefinedTerm"] = "dropped"
    assert codes_of(verify(signed, contexts)[0]) == [problems.DATA_LOSS_DETECTION_ERROR]


@pytest.mark.parametrize("suite", SUITE_NAMES)
def test_domain_challenge_and_expires_round_trip(suite: str, contexts: ContextStore) -> None:
    expires = "2030-01-01T00:00:00Z"
    signed = sign(CREDENTIAL, suite, ALICE, contexts, domain="a.example", challenge="c-1", expires=expires)
    assert proof_set_verified(verify(signed, contexts, domain="a.example", challenge="c-1"))
    assert codes_of(verify(signed, contexts, domain="b.example")[0]) == ["INVALID_DOMAIN_ERROR"]
    assert codes_of(verify(signed, contexts, challenge="c-2")[0]) == ["INVALID_CHALLENGE_ERROR"]
    signed["proof"]["expires"] = "2030-01-01"
    assert codes_of(verify(signed, contexts)[0]) == ["MALFORMED_VALUE_ERROR"]


def test_ed25519_signature_2020_requires_created(contexts: ContextStore) -> None:
    signed = sign(CREDENTIAL, "Ed25519Signature2020", ALICE, contexts)
    del signed["proof"]["created"]
    assert [p.title for p in verify(signed, contexts)[0].problems] == ["Missing created"]


@pytest.mark.parametrize("suite", SUITE_NAMES)
def test_a_suite_given_another_suites_proof_fails(suite: str, contexts: ContextStore) -> None:
    other = next(name for name in SUITE_NAMES if name != suite)
    signed = sign(CREDENTIAL, other, ALICE, contexts)
    unsecured = {key: value for key, value in signed.items() if key != "proof"}
    check = SUITES[suite].verify_proof(unsecured, signed["proof"], method_of(ALICE), contexts)
    assert not check.verified and check.problems[0].title == "Wrong suite"


# Proof sets and chains (§4.3, §4.5)


def test_a_proof_set_verifies_only_if_every_proof_does(contexts: ContextStore) -> None:
    signed = sign(sign(CREDENTIAL, "eddsa-rdfc-2022", ALICE, contexts), "eddsa-jcs-2022", BOB, contexts)
    assert [proof["cryptosuite"] for proof in signed["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    checks = verify(signed, contexts, ALICE, BOB)
    assert proof_set_verified(checks) and [check.index for check in checks] == [0, 1]

    altered = copy.deepcopy(signed)
    altered["proof"][1]["created"] = "2030-01-01T00:00:00Z"
    checks = verify(altered, contexts, ALICE, BOB)
    assert [check.verified for check in checks] == [True, False] and not proof_set_verified(checks)

    stripped = copy.deepcopy(signed)
    del stripped["proof"][0]["proofValue"]
    assert [check.verified for check in verify(stripped, contexts, ALICE, BOB)] == [False, True]
    assert [check.verified for check in verify(signed, contexts, ALICE)] == [True, False]  # Bob's key unknown


def test_a_legacy_proof_can_join_a_data_integrity_set(contexts: ContextStore) -> None:
    signed = sign(sign(CREDENTIAL, "eddsa-jcs-2022", ALICE, contexts), "Ed25519Signature2020", BOB, contexts)
    assert signed["@context"][-1] == SUITE_CONTEXT
    assert proof_set_verified(verify(signed, contexts, ALICE, BOB))


@pytest.mark.parametrize("suite", SUITE_NAMES)
def test_a_proof_chain_signs_the_proofs_it_follows(suite: str, contexts: ContextStore) -> None:
    first = sign(CREDENTIAL, suite, ALICE, contexts, id="urn:uuid:first")
    chained = sign(first, suite, BOB, contexts, id="urn:uuid:second", previous_proof="urn:uuid:first")
    assert chained["proof"][1]["previousProof"] == "urn:uuid:first"
    assert proof_set_verified(verify(chained, contexts, ALICE, BOB))

    altered = copy.deepcopy(chained)
    altered["proof"][0]["created"] = "2030-01-01T00:00:00Z"
    assert [check.verified for check in verify(altered, contexts, ALICE, BOB)] == [False, False]

    missing = copy.deepcopy(chained)
    missing["proof"][1]["previousProof"] = "urn:uuid:nowhere"
    checks = verify(missing, contexts, ALICE, BOB)
    assert checks[1].problems[0].title == "Unknown previous proof"

    dropped = {**chained, "proof": [chained["proof"][1]]}
    assert codes_of(verify(dropped, contexts, BOB)[0]) == ["PROOF_VERIFICATION_ERROR"]


def test_a_chained_proof_fails_when_the_proof_it_follows_fails(contexts: ContextStore) -> None:
    first = sign(CREDENTIAL, "eddsa-rdfc-2022", ALICE, contexts, id="urn:uuid:first")
    chained = sign(first, "eddsa-rdfc-2022", BOB, contexts, previous_proof=("urn:uuid:first",))
    checks = verify(chained, contexts, BOB)  # Alice's method is unresolved: the first proof fails
    assert [check.verified for check in checks] == [False, False]
    assert checks[1].problems[0].title == "Broken chain"


@pytest.mark.parametrize("bad_id", [["urn:uuid:first"], {"id": "urn:uuid:first"}])
def test_a_failed_proof_with_a_non_string_id_is_a_verdict_not_a_crash(bad_id: object, contexts: ContextStore) -> None:
    signed = sign(CREDENTIAL, "eddsa-rdfc-2022", ALICE, contexts)
    signed["proof"]["id"] = bad_id  # also breaks the signature: the proof fails, and its id is unhashable
    assert [check.verified for check in verify(signed, contexts, ALICE)] == [False]


def test_add_proof_refuses_an_unknown_previous_proof(contexts: ContextStore) -> None:
    first = sign(CREDENTIAL, "eddsa-rdfc-2022", ALICE, contexts, id="urn:uuid:first")
    with pytest.raises(ProofGenerationError) as raised:
        sign(first, "eddsa-rdfc-2022", BOB, contexts, previous_proof="urn:uuid:other")
    assert raised.value.code == "PROOF_GENERATION_ERROR"


# Round trips over arbitrary text


@pytest.mark.parametrize("suite", SUITE_NAMES)
@settings(max_examples=60, deadline=None)
@given(name=st.text(), description=st.text())
@example(name="", description='\x00\t\n\r"\\\u2028\U0001f393 e\u0301 \ufeff')
def test_sign_verify_round_trip(suite: str, name: str, description: str, contexts: ContextStore) -> None:
    document = {**CREDENTIAL, "name": name, "description": description}
    signed = sign(document, suite, ALICE, contexts)
    assert proof_set_verified(verify(signed, contexts))
    signed["name"] = name + "\u00e9"
    assert not verify(signed, contexts)[0].verified
