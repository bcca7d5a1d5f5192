"""W3C CCG Ed25519Signature2020 (CG-FINAL-di-eddsa-2020-20220724): the legacy Linked Data Signature suite.

Still issued by DCC wallets and 2022-2023 Open Badges 3.0 drafts, and still verified by the 1EdTech validator,
so we verify it and can issue it. It is eddsa-rdfc-2022 in all but name: RDFC-1.0 transformation, proof
configuration = proof options + the document's @context, hashing SHA-256(proof config) || SHA-256(document),
pure Ed25519, `z` base58btc proofValue. Differences: `type` is Ed25519Signature2020 with no `cryptosuite`,
`created` is required, and the document must carry the suite context (it defines the proof terms), which
signing appends when missing, as @digitalbazaar/ed25519-signature-2020 5.4.0 (the reference followed) does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from credentials import problems as codes
from credentials.jsonld import ContextStore
from credentials.keys import Signer, VerificationMethod
from credentials.problems import Problem
from credentials.proofs import (
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
from credentials.proofs.eddsa_rdfc_2022 import hashing

NAME: Final = "Ed25519Signature2020"
SUITE_CONTEXT: Final = "https://w3id.org/security/suites/ed25519-2020/v1"
# The suite names Ed25519VerificationKey2020; the JS reference converts any Ed25519 Multikey to it.
ACCEPTED_METHOD_TYPES: Final = frozenset({"Ed25519VerificationKey2020", "Multikey"})
# Members a Linked Data Signature proof configuration never contains (jsonld-signatures canonizeProof).
_SIGNATURE_MEMBERS: Final = frozenset({"proofValue", "jws", "signatureValue"})


def includes_suite_context(document: Mapping[str, Any]) -> bool:
    """The document's @context is, or lists, the Ed25519Signature2020 context URL."""
    context = document.get("@context")
    return context == SUITE_CONTEXT or (isinstance(context, list) and SUITE_CONTEXT in context)


def transform(unsecured_document: JsonObject, options: JsonObject, contexts: ContextStore) -> str:
    """Ed25519Signature2020 transformation: the document's RDFC-1.0 canonical N-Quads (as eddsa-rdfc-2022)."""
    if options.get("type") != NAME:
        raise ProofTransformationError(
            Problem(codes.PROOF_TRANSFORMATION_ERROR, "Wrong suite", f"the options are not {NAME} options")
        )
    return rdf_canonical_form(unsecured_document, contexts)


def configure(unsecured_document: JsonObject, options: JsonObject, contexts: ContextStore) -> str:
    """Ed25519Signature2020 proof configuration: canonical proof options + the document's @context."""
    proof_config = {key: value for key, value in options.items() if key not in _SIGNATURE_MEMBERS}
    if proof_config.get("type") != NAME:
        raise ProofGenerationError(Problem(codes.PROOF_GENERATION_ERROR, "Wrong suite", f"not {NAME}"))
    if not is_date_time_stamp(proof_config.get("created")):
        raise ProofGenerationError(
            Problem(codes.PROOF_GENERATION_ERROR, "Bad created", "required, an XSD dateTimeStamp")
        )
    proof_config.pop("@context", None)
    if "@context" in unsecured_document:
        proof_config["@context"] = unsecured_document["@context"]
    return rdf_canonical_form(proof_config, contexts)


class Ed25519Signature2020:
    """The Ed25519Signature2020 suite as a `Cryptosuite`."""

    name: ClassVar[str] = NAME
    proof_type: ClassVar[str] = NAME

    def ensure_suite_context(self, document: Mapping[str, Any]) -> Mapping[str, Any]:
        """jsonld-signatures ensureSuiteContext: append the suite context to @context when it is missing."""
        return with_suite_context(document, SUITE_CONTEXT)

    def create_proof(
        self, unsecured: Mapping[str, Any], options: ProofOptions, signer: Signer, contexts: ContextStore
    ) -> dict[str, Any]:
        """Ed25519Signature2020 Create Proof over a document that already carries the suite context."""
        if not includes_suite_context(unsecured):
            raise ProofGenerationError(
                Problem(
                    codes.PROOF_GENERATION_ERROR,
                    "Missing context",
                    f"the document must include {SUITE_CONTEXT}",
                )
            )
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
        """Ed25519Signature2020 Verify Proof; a bad proof is a failed check, never an error."""
        vm = proof.get("verificationMethod")
        vm_url = vm if isinstance(vm, str) else None
        found: list[Problem] = []
        if proof.get("type") != NAME:
            found.append(Problem(codes.PROOF_VERIFICATION_ERROR, "Wrong suite", f"not a {NAME} proof"))
        if "created" not in proof:
            found.append(Problem(codes.PROOF_VERIFICATION_ERROR, "Missing created", "created is required"))
        if not includes_suite_context(secured_without_proof):
            found.append(
                Problem(
                    codes.PROOF_VERIFICATION_ERROR,
                    "Missing context",
                    f"the document must include {SUITE_CONTEXT}",
                )
            )
        if found:
            return ProofCheck(0, vm_url, NAME, False, tuple(found))
        proof_options = {key: value for key, value in proof.items() if key not in _SIGNATURE_MEMBERS}

        def hash_data() -> bytes:
            transformed_data = transform(secured_without_proof, proof_options, contexts)
            return hashing(transformed_data, configure(secured_without_proof, proof_options, contexts))

        return run_verification(NAME, proof, method, ACCEPTED_METHOD_TYPES, hash_data)
