"""VC-DI-EdDSA 1.0 §3.3 eddsa-jcs-2022: RFC 8785 JSON canonicalization, SHA-256, pure Ed25519.

The spec's steps under the spec's names: `transform` (§3.3.3), `hashing` (§3.3.4), `configure` (§3.3.5 Proof
Configuration), serialization and verification (§3.3.6/§3.3.7, shared in `credentials.proofs`), and
`EddsaJcs2022.create_proof` / `.verify_proof` (§3.3.1/§3.3.2). Unlike eddsa-rdfc-2022 the emitted proof keeps
a copy of the document's `@context`, and that copy is part of the signed proof configuration. Section numbers
are those of the W3C Recommendation of 2025-05-15.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from credentials import problems as codes
from credentials.jsonld import ContextStore
from credentials.keys import Signer, VerificationMethod
from credentials.problems import Problem
from credentials.proofs import (
    CREDENTIALS_V2_CONTEXT,
    DATA_INTEGRITY_PROOF,
    DATA_INTEGRITY_V2_CONTEXT,
    ProofCheck,
    ProofGenerationError,
    ProofOptions,
    ProofTransformationError,
    encode_proof_value,
    is_date_time_stamp,
    json_canonical_form,
    run_verification,
    sign_hash_data,
    with_suite_context,
)
from credentials.proofs.eddsa_rdfc_2022 import ACCEPTED_METHOD_TYPES

NAME: Final = "eddsa-jcs-2022"


def transform(unsecured_document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """VC-DI-EdDSA 1.0 §3.3.3 Transformation (eddsa-jcs-2022): the JCS (RFC 8785) bytes of the document."""
    if options.get("type") != DATA_INTEGRITY_PROOF or options.get("cryptosuite") != NAME:
        raise ProofTransformationError(
            Problem(codes.PROOF_VERIFICATION_ERROR, "Wrong suite", f"the options are not {NAME} options")
        )
    return json_canonical_form(unsecured_document)


def configure(options: Mapping[str, Any]) -> bytes:
    """VC-DI-EdDSA 1.0 §3.3.5 Proof Configuration (eddsa-jcs-2022): JCS of the options, @context included."""
    proof_config = {key: value for key, value in options.items() if key != "proofValue"}
    if proof_config.get("type") != DATA_INTEGRITY_PROOF or proof_config.get("cryptosuite") != NAME:
        raise ProofGenerationError(
            Problem(
                codes.PROOF_GENERATION_ERROR,
                "Wrong suite",
                f"type/cryptosuite must be {DATA_INTEGRITY_PROOF}/{NAME}",
            )
        )
    if "created" in proof_config and not is_date_time_stamp(proof_config["created"]):
        raise ProofGenerationError(
            Problem(codes.PROOF_GENERATION_ERROR, "Bad created", "created is not an XSD dateTimeStamp")
        )
    return json_canonical_form(proof_config)


def hashing(transformed_document: bytes, canonical_proof_config: bytes) -> bytes:
    """VC-DI-EdDSA 1.0 §3.3.4 Hashing: SHA-256(canonicalProofConfig) || SHA-256(transformedDocument)."""
    return hashlib.sha256(canonical_proof_config).digest() + hashlib.sha256(transformed_document).digest()


def _context_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def context_prefix_matches(document: Mapping[str, Any], proof_context: object) -> bool:
    """VC-DI-EdDSA 1.0 §3.3.2 step 4.1: the document's @context starts with all of the proof's, in order."""
    if "@context" not in document:
        return False
    expected = _context_list(proof_context)
    actual = _context_list(document["@context"])
    return len(actual) >= len(expected) and actual[: len(expected)] == expected


class EddsaJcs2022:
    """VC-DI-EdDSA 1.0 §3.3 eddsa-jcs-2022 as a `Cryptosuite`."""

    name: ClassVar[str] = NAME
    proof_type: ClassVar[str] = DATA_INTEGRITY_PROOF

    def ensure_suite_context(self, document: Mapping[str, Any]) -> Mapping[str, Any]:
        """@digitalbazaar/data-integrity 2.5 ensureSuiteContext: a document without the VCDM 2.0 or the Data
        Integrity v2 context (a VCDM 1.1 credential) gets the latter appended; it defines the proof terms."""
        return with_suite_context(document, DATA_INTEGRITY_V2_CONTEXT, CREDENTIALS_V2_CONTEXT)

    def create_proof(
        self, unsecured: Mapping[str, Any], options: ProofOptions, signer: Signer, contexts: ContextStore
    ) -> dict[str, Any]:
        """VC-DI-EdDSA 1.0 §3.3.1 Create Proof (eddsa-jcs-2022); raises ProofError; ignores `contexts`."""
        proof = options.to_proof()
        # Step 2, which the spec strongly advises: binds the proof to the document's contexts for proof sets.
        if "@context" in unsecured:
            proof["@context"] = unsecured["@context"]
        proof_config = configure(proof)
        transformed_data = transform(unsecured, proof)
        hash_data = hashing(transformed_data, proof_config)
        proof["proofValue"] = encode_proof_value(sign_hash_data(hash_data, signer))
        return proof

    def verify_proof(
        self,
        secured_without_proof: Mapping[str, Any],
        proof: Mapping[str, Any],
        method: VerificationMethod,
        contexts: ContextStore,
    ) -> ProofCheck:
        """VC-DI-EdDSA 1.0 §3.3.2 Verify Proof (eddsa-jcs-2022); a bad proof is a failed check."""
        if proof.get("type") != DATA_INTEGRITY_PROOF or proof.get("cryptosuite") != NAME:
            wrong = Problem(codes.PROOF_VERIFICATION_ERROR, "Wrong suite", f"the proof is not a {NAME} proof")
            return ProofCheck(0, None, NAME, False, (wrong,))
        proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
        unsecured_document = secured_without_proof
        if "@context" in proof_options:
            if not context_prefix_matches(secured_without_proof, proof_options["@context"]):
                mismatch = Problem(
                    codes.PROOF_VERIFICATION_ERROR,
                    "Context mismatch",
                    "the document's @context does not start with the proof's @context",
                )
                return ProofCheck(0, _url(proof), NAME, False, (mismatch,))
            unsecured_document = {**secured_without_proof, "@context": proof_options["@context"]}

        def hash_data() -> bytes:
            transformed_data = transform(unsecured_document, proof_options)
            return hashing(transformed_data, configure(proof_options))

        return run_verification(NAME, proof, method, ACCEPTED_METHOD_TYPES, hash_data)


def _url(proof: Mapping[str, Any]) -> str | None:
    vm = proof.get("verificationMethod")
    return vm if isinstance(vm, str) else None
