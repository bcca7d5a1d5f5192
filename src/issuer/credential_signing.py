"""VC Data Integrity 1.0 §4.2 Add Proof and OB 3.0 §8.2 VC-JWT for issuance (ARCHITECTURE "Issue" step 5).

Sign the rendered credential with the issuer's key, serialize it to the exact text that will be stored and served,
then verify that text (parsed back, not the dict that was signed) against the public key before anything is
stored: a canonicalization drift between signing and verifying, a serialization that does not round-trip, or a
key that does not match its verification method is caught here, as a bug, instead of being handed to a learner.

Pure: the unsigned credential, the signer, the contexts and the clock reading in; the text out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credentials.jsonld import ContextStore
from credentials.keys import Ed25519Signer, VerificationMethod, b64url_decode
from credentials.proofs import ProofOptions, canonical_form_memo, format_date_time_stamp
from credentials.proofs.data_integrity import SUITES, add_proof, proof_set_verified, verify_proof_set
from credentials.proofs.vc_jwt import credential_from_payload, decode_unverified, sign_vc_jwt_eddsa
from credentials.proofs.vc_jwt.jose import verify_jws_signature

ASSERTION_METHOD = "assertionMethod"
JWT_ALGORITHM = "EdDSA"


class SelfVerificationFailed(RuntimeError):
    """Our own fresh signature does not verify: a bug or a damaged key, never the client's input (HTTP 500)."""


@dataclass(frozen=True, slots=True)
class SignedCredential:
    """The exact text to store and serve: JSON (`ldp`) or a compact JWS (`jwt`), and the embedded proof's suite."""

    text: str
    format: str
    cryptosuite: str | None


def serialize(document: Mapping[str, Any]) -> str:
    """The stored JSON text: compact, UTF-8 characters as they are, no NaN or Infinity (not JSON)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def sign_credential(
    unsigned: Mapping[str, Any],
    *,
    format: str,
    cryptosuite: str | None,
    signer: Ed25519Signer,
    contexts: ContextStore,
    now: datetime,
) -> SignedCredential:
    """VC-DI 1.0 §4.2 (embedded proof with `cryptosuite`) and/or OB 3.0 §8.2 (`format` "jwt", EdDSA), verified.

    `ldp` needs a cryptosuite; `jwt` with a cryptosuite carries an embedded proof inside the JWT as well.
    Raises SelfVerificationFailed when the result does not verify against the signer's public key.
    """
    if format not in ("ldp", "jwt") or (format == "ldp" and cryptosuite is None):
        raise ValueError("format is ldp (with a cryptosuite) or jwt")
    secured: Mapping[str, Any] = unsigned
    # Verifying canonicalizes the signed document again; the memo makes that the signing's own result whenever the
    # text parses back to exactly the document signed (credentials.proofs.canonical_form_memo).
    with canonical_form_memo():
        if cryptosuite is not None:
            suite = SUITES[cryptosuite]
            options = ProofOptions.for_suite(suite, signer.verification_method, created=format_date_time_stamp(now))
            secured = add_proof(unsigned, suite, options, signer, contexts, now=now)
        text = serialize(secured)
        if cryptosuite is not None:
            # The text that will be stored, parsed back: what a verifier will see, byte for byte.
            check_data_integrity(text, cryptosuite, signer, contexts)
    if format == "ldp":
        return SignedCredential(text, "ldp", cryptosuite)
    token = sign_vc_jwt_eddsa(secured, signer=signer)
    check_vc_jwt(token, secured, signer)
    return SignedCredential(token, "jwt", cryptosuite)


def _method(signer: Ed25519Signer) -> VerificationMethod:
    controller = signer.verification_method.partition("#")[0]
    return VerificationMethod(
        id=signer.verification_method,
        type="Multikey",
        controller=controller,
        public_key=signer.key.public_key,
        relationships=frozenset({ASSERTION_METHOD}),
    )


def check_data_integrity(text: str, cryptosuite: str, signer: Ed25519Signer, contexts: ContextStore) -> None:
    """VC-DI 1.0 §4.5 Verify Proof Sets over the stored text, with only the signer's key and suite accepted."""
    document = json.loads(text)
    checks = verify_proof_set(
        document,
        methods={signer.verification_method: _method(signer)},
        contexts=contexts,
        expected_purpose=ASSERTION_METHOD,
        allowed_suites=frozenset({cryptosuite}),
    )
    if not proof_set_verified(checks):
        details = "; ".join(f"{p.code}: {p.detail}" for check in checks for p in check.problems)
        raise SelfVerificationFailed(f"the {cryptosuite} proof just created does not verify: {details}")


def check_vc_jwt(token: str, credential: Mapping[str, Any], signer: Ed25519Signer) -> None:
    """OB 3.0 §8.2 (Verify) of our own token: the EdDSA signature, the claims, and the credential it carries."""
    header, payload = decode_unverified(token)
    signing_input, _, signature = token.rpartition(".")
    public_key = Ed25519PublicKey.from_public_bytes(signer.key.public_key)
    if header.get("alg") != JWT_ALGORITHM or header.get("kid") != signer.verification_method:
        raise SelfVerificationFailed("the VC-JWT just created has an unexpected header")
    if not verify_jws_signature(public_key, JWT_ALGORITHM, signing_input.encode("ascii"), b64url_decode(signature)):
        raise SelfVerificationFailed("the VC-JWT just created does not verify")
    carried, problems = credential_from_payload(payload)
    if problems or carried != dict(credential):
        raise SelfVerificationFailed("the VC-JWT just created does not carry the signed credential")
