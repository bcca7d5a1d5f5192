"""VC-DI-EdDSA 1.0 §3.2 eddsa-rdfc-2022: RDFC-1.0 canonical N-Quads, SHA-256, pure Ed25519.

The module is the spec's steps under the spec's names: `transform` (§3.2.3), `hashing` (§3.2.4),
`configure` (§3.2.5 Proof Configuration), proof serialization and verification (§3.2.6/§3.2.7, shared with the
other Ed25519 suites in `credentials.proofs`), and `EddsaRdfc2022.create_proof` / `.verify_proof`
(§3.2.1/§3.2.2).
Section numbers are those of the W3C Recommendation of 2025-05-15.
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
    JsonObject,
    ProofCheck,
    ProofGenerationError,
    ProofOptions,
    ProofTransformationError,
    encode_proof_value,
    is_date_time_stamp,
    rdf_canonical_form,
    run_verification,
    sign_hash_data,
    with_suite_context,
)

NAME: Final = "eddsa-rdfc-2022"
# VC-DI-EdDSA §2.1 allows Multikey and JsonWebKey; Ed25519VerificationKey2020 is the same key in the legacy
# dress that did:key resolvers and the JS reference still produce.
ACCEPTED_METHOD_TYPES: Final = frozenset({"Multikey", "JsonWebKey", "Ed25519VerificationKey2020"})


def _without_proof_value(proof: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in proof.items() if key != "proofValue"}


def transform(unsecured_document: JsonObject, options: JsonObject, contexts: ContextStore) -> str:
    """VC-DI-EdDSA 1.0 §3.2.3 Transformation (eddsa-rdfc-2022): the document's RDFC-1.0 canonical N-Quads."""
    if options.get("type") != DATA_INTEGRITY_PROOF or options.get("cryptosuite") != NAME:
        raise ProofTransformationError(
            Problem(codes.PROOF_TRANSFORMATION_ERROR, "Wrong suite", f"the options are not {NAME} options")
        )
    return rdf_canonical_form(unsecured_document, contexts)


def configure(unsecured_document: JsonObject, options: JsonObject, contexts: ContextStore) -> str:
    """VC-DI-EdDSA 1.0 §3.2.5 Proof Configuration (eddsa-rdfc-2022): canonical options + document @context."""
    proof_config = _without_proof_value(options)
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
    # Step 4 replaces any @context the proof carries: the proof is read in the document's context.
    proof_config.pop("@context", None)
    if "@context" in unsecured_document:
        proof_config["@context"] = unsecured_document["@context"]
    return rdf_canonical_form(proof_config, contexts)


def hashing(transformed_document: str, canonical_proof_config: str) -> bytes:
    """VC-DI-EdDSA 1.0 §3.2.4 Hashing: SHA-256(canonicalProofConfig) || SHA-256(transformedDocument)."""
    proof_config_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    transformed_document_hash = hashlib.sha256(transformed_document.encode("utf-8")).digest()
    return proof_config_hash + transformed_document_hash


class EddsaRdfc2022:
    """VC-DI-EdDSA 1.0 §3.2 eddsa-rdfc-2022 as a `Cryptosuite`."""

    name: ClassVar[str] = NAME
    proof_type: ClassVar[str] = DATA_INTEGRITY_PROOF

    def ensure_suite_context(self, document: Mapping[str, Any]) -> Mapping[str, Any]:
        """@digitalbazaar/data-integrity 2.5 ensureSuiteContext: a document without the VCDM 2.0 or the Data
        Integrity v2 context (a VCDM 1.1 credential) gets the latter appended; it defines the proof terms."""
        return with_suite_context(document, DATA_INTEGRITY_V2_CONTEXT, CREDENTIALS_V2_CONTEXT)

    def create_proof(
        self, unsecured: Mapping[str, Any], options: ProofOptions, signer: Signer, contexts: ContextStore
    ) -> dict[str, Any]:
        """VC-DI-EdDSA 1.0 §3.2.1 Create Proof (eddsa-rdfc-2022); raises ProofError."""
        proof = options.to_proof()
        canonical_proof_config = configure(unsecured, proof, contexts)
        transformed_data = transform(unsecured, proof, contexts)
        hash_data = hashing(transformed_data, canonical_proof_config)
        proof["proofValue"] = encode_proof_value(sign_hash_data(hash_data, signer))
        return proof

    def verify_proof(
        self,
        secured_without_proof: Mapping[str, Any],
        proof: Mapping[str, Any],
        method: VerificationMethod,
        contexts: ContextStore,
    ) -> ProofCheck:
        """VC-DI-EdDSA 1.0 §3.2.2 Verify Proof (eddsa-rdfc-2022); a bad proof is a failed check."""
        if proof.get("type") != DATA_INTEGRITY_PROOF or proof.get("cryptosuite") != NAME:
            wrong = Problem(codes.PROOF_VERIFICATION_ERROR, "Wrong suite", f"the proof is not a {NAME} proof")
            return ProofCheck(0, None, NAME, False, (wrong,))
        proof_options = _without_proof_value(proof)

        def hash_data() -> bytes:
            transformed_data = transform(secured_without_proof, proof_options, contexts)
            canonical_proof_config = configure(secured_without_proof, proof_options, contexts)
            return hashing(transformed_data, canonical_proof_config)

        return run_verification(NAME, proof, method, ACCEPTED_METHOD_TYPES, hash_data)
