"""VC Data Integrity 1.0 §4 Algorithms: Add Proof (§4.2), Add Proof Set/Chain (§4.3), Verify Proof (§4.4) and
Verify Proof Sets and Chains (§4.5), generic over the cryptosuites in `SUITES`.

Verification never raises for a bad document: every proof gets a `ProofCheck` whose problems carry the spec's
error codes. The verification methods are resolved by the caller beforehand (resolution is asynchronous I/O):
`verification_method_urls` lists what to resolve and `verify_proof_set` takes the results as a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from credentials import problems as codes
from credentials.jsonld import ContextStore
from credentials.keys import Signer, VerificationMethod
from credentials.problems import PROOF_VERIFICATION_ERROR, Problem
from credentials.proofs import (
    Cryptosuite,
    ProofCheck,
    ProofError,
    ProofGenerationError,
    ProofOptions,
    ProofTransformationError,
    format_date_time_stamp,
    is_date_time_stamp,
)
from credentials.proofs.ed25519_signature_2020 import Ed25519Signature2020
from credentials.proofs.eddsa_jcs_2022 import EddsaJcs2022
from credentials.proofs.eddsa_rdfc_2022 import EddsaRdfc2022

__all__ = [
    "ALL_SUITES",
    "SUITES",
    "Cryptosuite",
    "ProofCheck",
    "ProofError",
    "ProofGenerationError",
    "ProofOptions",
    "ProofTransformationError",
    "add_proof",
    "check_proof_shape",
    "parse_proofs",
    "proof_set_verified",
    "select_suite",
    "verification_method_urls",
    "verify_proof_set",
]

SUITES: Final[Mapping[str, Cryptosuite]] = MappingProxyType(
    {suite.name: suite for suite in (EddsaRdfc2022(), EddsaJcs2022(), Ed25519Signature2020())}
)
ALL_SUITES: Final = frozenset(SUITES)
_REQUIRED_MEMBERS: Final = ("type", "verificationMethod", "proofPurpose")


def select_suite(proof: object, allowed: frozenset[str]) -> Cryptosuite | None:
    """VC-DI-EdDSA 1.0 §3.1 Instantiate Cryptosuite, fail closed: None for a type/cryptosuite not allowed."""
    if not isinstance(proof, Mapping):
        return None
    proof_type = proof.get("type")
    name = proof.get("cryptosuite") if proof_type == "DataIntegrityProof" else proof_type
    suite = SUITES.get(name) if isinstance(name, str) else None
    if suite is None or suite.name not in allowed or suite.proof_type != proof_type:
        return None
    return suite


def parse_proofs(document: Mapping[str, Any]) -> list[Any]:
    """VC-DI 1.0 §4.3 step 1 / §4.5 step 1 (allProofs): `proof` as a list; entries are not checked here."""
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def verification_method_urls(document: Mapping[str, Any]) -> list[str]:
    """The distinct verificationMethod URLs of the document's proofs, in order, for the caller to resolve."""
    urls: dict[str, None] = {}
    for proof in parse_proofs(document):
        if isinstance(proof, Mapping) and isinstance(proof.get("verificationMethod"), str):
            urls.setdefault(proof["verificationMethod"], None)
    return list(urls)


def _string_set(value: object) -> frozenset[str] | None:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    return None


def check_proof_shape(
    proof: object,
    expected_purpose: str | None,
    domain: str | Sequence[str] | None = None,
    challenge: str | None = None,
) -> list[Problem]:
    """VC-DI 1.0 §4.4 Verify Proof steps 2-7: a map with the required members and the expected values."""
    if not isinstance(proof, Mapping):
        return [Problem(codes.PARSING_ERROR, "Proof is not an object", "every proof must be a JSON object")]
    found: list[Problem] = []
    missing = [key for key in _REQUIRED_MEMBERS if not isinstance(proof.get(key), str) or not proof[key]]
    if missing:
        found.append(Problem(codes.PROOF_VERIFICATION_ERROR, "Incomplete proof", f"no {', '.join(missing)}"))
    purpose = proof.get("proofPurpose")
    if expected_purpose is not None and isinstance(purpose, str) and purpose != expected_purpose:
        found.append(
            Problem(
                codes.PROOF_VERIFICATION_ERROR,
                "Wrong proof purpose",
                f"{purpose!r}, expected {expected_purpose!r}",
            )
        )
    if domain is not None and _string_set(proof.get("domain")) != _string_set(domain):
        found.append(Problem(codes.INVALID_DOMAIN_ERROR, "Wrong domain", "not the expected domain"))
    if challenge is not None and proof.get("challenge") != challenge:
        found.append(
            Problem(
                codes.INVALID_CHALLENGE_ERROR,
                "Wrong challenge",
                "the proof's challenge is not the expected one",
            )
        )
    for key in ("created", "expires"):
        if key in proof and not is_date_time_stamp(proof[key]):
            found.append(Problem(codes.MALFORMED_VALUE_ERROR, f"Bad {key}", "not an XSD dateTimeStamp"))
    return found


def _matching_proofs(all_proofs: Sequence[Any], previous: object, code: str) -> list[Any]:
    """VC-DI 1.0 §4.3 steps 3-5 / §4.5 step 3.2: the proofs `previousProof` names; ProofError if absent."""
    if previous is None:
        return []
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list | tuple) or not all(isinstance(item, str) for item in wanted):
        raise ProofError(Problem(code, "Bad previousProof", "not a string or a list of strings"))
    ids = {proof.get("id") for proof in all_proofs if isinstance(proof, Mapping)}
    absent = [item for item in wanted if item not in ids]
    if absent:
        raise ProofError(Problem(code, "Unknown previous proof", f"no proof in the set has id {absent[0]!r}"))
    return [proof for proof in all_proofs if isinstance(proof, Mapping) and proof.get("id") in wanted]


def _with_proofs(unsecured: Mapping[str, Any], matching: list[Any]) -> Mapping[str, Any]:
    # §4.3 step 6 / §4.5 step 3.3: a chained proof signs the document together with the proofs it follows.
    return {**unsecured, "proof": matching} if matching else unsecured


def add_proof(
    document: Mapping[str, Any],
    suite: Cryptosuite,
    options: ProofOptions,
    signer: Signer,
    contexts: ContextStore,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """VC-DI 1.0 §4.2 Add Proof and §4.3 Add Proof Set/Chain: a new document; existing proofs make a set.

    The result is a new top-level map that shares nested values with `document` (nothing is deep-copied).
    `created` defaults to `now` (or the current time) as an XSD dateTimeStamp without fractional seconds.
    Raises ProofError (ProofGenerationError, ProofTransformationError) with the spec's code when no proof can
    be made.
    """
    if options.verification_method != signer.verification_method:
        raise ProofGenerationError(
            Problem(
                codes.PROOF_GENERATION_ERROR,
                "Wrong key",
                "the signer's verification method is not the options'",
            )
        )
    if options.created is None:
        options = replace(options, created=format_date_time_stamp(now or datetime.now(UTC)))
    all_proofs = parse_proofs(document)
    output = {key: value for key, value in suite.ensure_suite_context(document).items() if key != "proof"}
    try:
        matching = _matching_proofs(all_proofs, options.previous_proof, codes.PROOF_GENERATION_ERROR)
    except ProofError as exc:
        raise ProofGenerationError(exc.problem) from exc
    proof = suite.create_proof(_with_proofs(output, matching), options, signer, contexts)
    _check_created_proof(proof, options)
    output["proof"] = [*all_proofs, proof] if all_proofs else proof
    return output


def _check_created_proof(proof: Mapping[str, Any], options: ProofOptions) -> None:
    """VC-DI 1.0 §4.2 steps 2-4: the proof has type, verificationMethod, proofPurpose, domain, challenge."""
    if any(not proof.get(key) for key in _REQUIRED_MEMBERS):
        raise ProofGenerationError(
            Problem(codes.PROOF_GENERATION_ERROR, "Incomplete proof", "type, verificationMethod, purpose")
        )
    expected = options.to_proof()
    for key in ("domain", "challenge"):
        if key in expected and proof.get(key) != expected[key]:
            raise ProofGenerationError(
                Problem(codes.PROOF_GENERATION_ERROR, f"Wrong {key}", "differs from the options")
            )


def verify_proof_set(
    document: Mapping[str, Any],
    *,
    methods: Mapping[str, VerificationMethod],
    contexts: ContextStore,
    expected_purpose: str | None,
    allowed_suites: frozenset[str],
    domain: str | Sequence[str] | None = None,
    challenge: str | None = None,
) -> list[ProofCheck]:
    """VC-DI 1.0 §4.5 Verify Proof Sets and Chains: a check for EVERY proof; the set verifies only if all do.

    A document without proofs yields one failed check, so "all checks verified" never holds vacuously.
    """
    if not isinstance(document, Mapping):
        not_object = Problem(codes.PARSING_ERROR, "Not an object", "the document is not a JSON object")
        return [ProofCheck(0, None, None, False, (not_object,))]
    all_proofs = parse_proofs(document)
    if not all_proofs:
        no_proof = Problem(codes.PARSING_ERROR, "No proof", "the document has no proof")
        return [ProofCheck(0, None, None, False, (no_proof,))]
    request = _SetVerification(
        all_proofs=all_proofs,
        unsecured={key: value for key, value in document.items() if key != "proof"},
        methods=methods,
        contexts=contexts,
        expected_purpose=expected_purpose,
        allowed_suites=allowed_suites,
        domain=domain,
        challenge=challenge,
    )
    checks = [_verify_one(index, proof, request) for index, proof in enumerate(all_proofs)]
    return _propagate_chain_failures(checks, all_proofs)


@dataclass(frozen=True, slots=True)
class _SetVerification:
    """What every proof of one `verify_proof_set` call is checked against."""

    all_proofs: Sequence[Any]
    unsecured: Mapping[str, Any]
    methods: Mapping[str, VerificationMethod]
    contexts: ContextStore
    expected_purpose: str | None
    allowed_suites: frozenset[str]
    domain: str | Sequence[str] | None
    challenge: str | None


def _verify_one(index: int, proof: Any, request: _SetVerification) -> ProofCheck:
    """VC-DI 1.0 §4.5 step 3 for one proof: shape, suite, previous proofs, method, the suite's verifyProof."""
    shape = check_proof_shape(proof, request.expected_purpose, request.domain, request.challenge)
    vm = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    vm_url = vm if isinstance(vm, str) else None
    suite = select_suite(proof, request.allowed_suites)
    if shape:
        return ProofCheck(index, vm_url, suite.name if suite else None, False, tuple(shape))
    if suite is None:
        unsupported = Problem(codes.PROOF_VERIFICATION_ERROR, "Unsupported cryptosuite", _suite_label(proof))
        return ProofCheck(index, vm_url, None, False, (unsupported,))
    try:
        previous = _matching_proofs(request.all_proofs, proof.get("previousProof"), PROOF_VERIFICATION_ERROR)
    except ProofError as exc:
        return ProofCheck(index, vm_url, suite.name, False, (exc.problem,))
    method = request.methods.get(vm_url) if vm_url is not None else None
    if method is None:
        unresolved = Problem(codes.INVALID_VERIFICATION_METHOD, "Unresolved method", f"{vm_url!r} unknown")
        return ProofCheck(index, vm_url, suite.name, False, (unresolved,))
    check = suite.verify_proof(_with_proofs(request.unsecured, previous), proof, method, request.contexts)
    return replace(check, index=index, verification_method=vm_url, suite=suite.name)


def _suite_label(proof: Any) -> str:
    if not isinstance(proof, Mapping):
        return "the proof is not an object"
    return f"type {proof.get('type')!r}, cryptosuite {proof.get('cryptosuite')!r} is not accepted"


def _propagate_chain_failures(checks: list[ProofCheck], all_proofs: Sequence[Any]) -> list[ProofCheck]:
    """VC-DI 1.0 §4.5: a proof with previousProof is verified only if the proofs it follows are verified."""
    failed_ids = {
        proof.get("id")
        for proof, check in zip(all_proofs, checks, strict=True)
        # Only string ids can be named by a previousProof; a list or object id (malformed) must not crash the set.
        if not check.verified and isinstance(proof, Mapping) and isinstance(proof.get("id"), str)
    }
    changed = True
    while changed:
        changed = False
        for position, (proof, check) in enumerate(zip(all_proofs, checks, strict=True)):
            previous = _string_set(proof.get("previousProof")) if isinstance(proof, Mapping) else None
            if check.verified and previous and previous & failed_ids:
                broken = Problem(codes.PROOF_VERIFICATION_ERROR, "Broken chain", "a previous proof failed")
                checks[position] = replace(check, verified=False, problems=(broken,))
                if isinstance(proof.get("id"), str):
                    failed_ids.add(proof["id"])
                changed = True
    return checks


def proof_set_verified(checks: Sequence[ProofCheck]) -> bool:
    """VC-DI 1.0 §4.5 steps 4-6 combined result: at least one proof, and every proof verified."""
    return bool(checks) and all(check.verified for check in checks)
