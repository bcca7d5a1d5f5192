"""VC Data Integrity 1.0 §2.1 Proofs and §3 Cryptographic Suites: the vocabulary every proof module shares.

This package module holds what both the generic Data Integrity algorithms (`data_integrity`) and the
cryptosuites (`eddsa_rdfc_2022`, `eddsa_jcs_2022`, `ed25519_signature_2020`) need: proof options, the
per-proof verdict, the `Cryptosuite` protocol, the proof errors, the XSD dateTimeStamp rules, the
canonicalization boundary and the Ed25519 steps the three suites share. It imports none of them, so the suites
can depend on it and `data_integrity` can hold the suite registry without an import cycle. The entry points
(`add_proof`, `verify_proof_set`, ...) live in `credentials.proofs.data_integrity`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Final, Protocol

import rfc8785
from pyld.jsonld import JsonLdError

from credentials import problems as codes
from credentials.jsonld import ContextStore, JsonLdProcessingError, canonicalize
from credentials.keys import (
    Ed25519KeyPair,
    KeyMaterialError,
    Signer,
    VerificationMethod,
    base58btc_encode,
    multibase_decode_z,
)
from credentials.problems import Problem

JsonObject = Mapping[str, Any]

DATA_INTEGRITY_PROOF: Final = "DataIntegrityProof"
DATA_INTEGRITY_V2_CONTEXT: Final = "https://w3id.org/security/data-integrity/v2"
CREDENTIALS_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
ED25519_SIGNATURE_LENGTH: Final = 64
ED25519_PUBLIC_KEY_LENGTH: Final = 32
_MAX_PROOF_VALUE_LENGTH: Final = 1 + 88


class ProofError(Exception):
    """A proof could not be created or checked; `problem` says why with a stable code."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.code}: {problem.detail}")
        self.problem = problem

    @property
    def code(self) -> str:
        return self.problem.code


class ProofGenerationError(ProofError):
    """VC-DI 1.0 §4.2/§4.3: the proof options or the key cannot produce a proof (PROOF_GENERATION_ERROR)."""


class ProofTransformationError(ProofError):
    """VC-DI 1.0 §4.7: the document or proof configuration could not be transformed (canonicalized)."""


@dataclass(frozen=True, slots=True)
class ProofOptions:
    """VC-DI 1.0 §2.1 Proofs: the options a proof is created from (everything but `proofValue`)."""

    type: str
    cryptosuite: str | None
    verification_method: str
    proof_purpose: str = "assertionMethod"
    created: str | None = None
    expires: str | None = None
    domain: str | tuple[str, ...] | None = None
    challenge: str | None = None
    nonce: str | None = None
    id: str | None = None
    previous_proof: str | tuple[str, ...] | None = None

    @classmethod
    def for_suite(cls, suite: Cryptosuite, verification_method: str, **fields: Any) -> ProofOptions:
        """Options with `type` and `cryptosuite` taken from `suite` (legacy suites have no `cryptosuite`)."""
        cryptosuite = suite.name if suite.proof_type == DATA_INTEGRITY_PROOF else None
        return cls(suite.proof_type, cryptosuite, verification_method, **fields)

    def to_proof(self) -> dict[str, Any]:
        """The proof options as a proof map, members in the order the JavaScript reference emits them."""
        proof: dict[str, Any] = {} if self.id is None else {"id": self.id}
        proof["type"] = self.type
        optional: tuple[tuple[str, object], ...] = (
            ("created", self.created),
            ("verificationMethod", self.verification_method),
            ("cryptosuite", self.cryptosuite),
            ("proofPurpose", self.proof_purpose),
            ("expires", self.expires),
            ("domain", self.domain),
            ("challenge", self.challenge),
            ("nonce", self.nonce),
            ("previousProof", self.previous_proof),
        )
        for key, value in optional:
            if value is not None:
                proof[key] = list(value) if isinstance(value, tuple) else value
        return proof


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """VC-DI 1.0 §4.4 verification result for one proof: `verified` only when `problems` is empty."""

    index: int
    verification_method: str | None
    suite: str | None
    verified: bool
    problems: tuple[Problem, ...] = ()


class Cryptosuite(Protocol):
    """VC-DI 1.0 §3 Cryptographic Suites: createProof, verifyProof and the suite's document context rule."""

    name: ClassVar[str]
    proof_type: ClassVar[str]

    def ensure_suite_context(self, document: Mapping[str, Any]) -> Mapping[str, Any]:
        """The document to sign: `document` itself, or a copy with the suite's context appended."""
        ...

    def create_proof(
        self, unsecured: Mapping[str, Any], options: ProofOptions, signer: Signer, contexts: ContextStore
    ) -> dict[str, Any]:
        """The suite's Create Proof algorithm; raises ProofError."""
        ...

    def verify_proof(
        self,
        secured_without_proof: Mapping[str, Any],
        proof: Mapping[str, Any],
        method: VerificationMethod,
        contexts: ContextStore,
    ) -> ProofCheck:
        """The suite's Verify Proof algorithm over the document minus `proof`; never raises for bad input."""
        ...


def with_suite_context(document: JsonObject, context_url: str, *equivalents: str) -> JsonObject:
    """jsonld-signatures 11 ensureSuiteContext: `document` if its @context lists `context_url` (or an
    equivalent), else a shallow copy with `context_url` appended, so the proof's terms are defined."""
    context = document.get("@context")
    listed = context if isinstance(context, list) else [context]
    if any(url in listed for url in (context_url, *equivalents)):
        return document
    if context is None:
        return {**document, "@context": [context_url]}
    return {**document, "@context": [*listed, context_url]}


# XSD 1.1 Part 2 §3.4.28 dateTimeStamp: a dateTime whose timezone is required. Digits are ASCII only.
_DATE_TIME_STAMP = re.compile(
    r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_date_time_stamp(value: object) -> bool:
    """XSD 1.1 Part 2 §3.4.28 dateTimeStamp, e.g. 2023-02-24T23:36:38Z; the day must exist in the month."""
    match = _DATE_TIME_STAMP.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return False
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS_IN_MONTH[month - 1] + (1 if month == 2 and leap else 0)


def format_date_time_stamp(moment: datetime) -> str:
    """XSD dateTimeStamp in UTC, no fractional seconds (2023-02-24T23:36:38Z), as the JS reference writes."""
    if moment.tzinfo is None:
        raise ValueError("a proof timestamp needs a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_CAUSE_DEPTH = 16


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < _CAUSE_DEPTH:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def transformation_problem(exc: BaseException) -> Problem:
    """VC-DI 1.0 §2.4 and §4.7: JSON-LD data loss is DATA_LOSS_DETECTION_ERROR, any other refusal a
    PROOF_TRANSFORMATION_ERROR whose detail names our own error (CONTEXT_NOT_ALLOWED, ...) under pyld's
    wrappers.
    """
    chain = _cause_chain(exc)
    lossy = (cause for cause in chain if getattr(cause, "code", None) == codes.DATA_LOSS_DETECTION_ERROR)
    loss = next(lossy, None)
    if loss is not None:
        return Problem(codes.DATA_LOSS_DETECTION_ERROR, "Data loss", str(loss))
    ours = next((cause for cause in chain if isinstance(cause, JsonLdProcessingError)), None)
    if ours is not None:
        return Problem(codes.PROOF_TRANSFORMATION_ERROR, "Cannot canonicalize", f"{ours.code}: {ours}")
    if isinstance(exc, RecursionError):
        return Problem(codes.PROOF_TRANSFORMATION_ERROR, "Cannot canonicalize", "nested too deeply")
    return Problem(codes.PROOF_TRANSFORMATION_ERROR, "Cannot canonicalize", str(chain[-1]))


_CANONICAL_FORMS: ContextVar[dict[str, str] | None] = ContextVar("credstack_canonical_forms", default=None)


@contextmanager
def canonical_form_memo() -> Iterator[None]:
    """Within the block (in this thread or task), `rdf_canonical_form` canonicalizes each distinct document once.

    For signing followed by verifying the result (issuer.credential_signing): the verifier's document is the signed
    one parsed back, so it is canonicalized again for nothing. Documents are told apart by their `repr`, which is
    exact for JSON values (1, 1.0 and True differ; key order counts too, so a reordered copy is computed afresh):
    a hit is only ever an input identical to an earlier one, whose canonical form cannot differ, so verification
    loses nothing: any difference between what was signed and what is verified is computed and compared anew.
    """
    token = _CANONICAL_FORMS.set({})
    try:
        yield
    finally:
        _CANONICAL_FORMS.reset(token)


def remember_canonical_form(document: Mapping[str, Any], canonical: str) -> None:
    """Inside `canonical_form_memo`, record a canonical form computed elsewhere (the verifier's conformance check)
    so that `rdf_canonical_form` of an identical document reuses it; outside the block, nothing."""
    memo = _CANONICAL_FORMS.get()
    if memo is not None:
        memo[repr(document)] = canonical


def rdf_canonical_form(document: Mapping[str, Any], contexts: ContextStore) -> str:
    """RDFC-1.0 §4.4 serialized canonical form (N-Quads) of a JSON-LD document, or ProofTransformationError"""
    memo = _CANONICAL_FORMS.get()
    key = repr(document) if memo is not None else ""
    if memo is not None and key in memo:
        return memo[key]
    try:
        canonical = canonicalize(document, contexts)
    except (JsonLdProcessingError, JsonLdError, RecursionError) as exc:
        raise ProofTransformationError(transformation_problem(exc)) from exc
    if memo is not None:
        memo[key] = canonical
    return canonical


def json_canonical_form(value: Mapping[str, Any]) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme (UTF-8 bytes), or ProofTransformationError for non-I-JSON."""
    try:
        canonical: bytes = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, RecursionError) as exc:
        raise ProofTransformationError(transformation_problem(exc)) from exc
    return canonical


# The Ed25519 steps are word for word the same in eddsa-rdfc-2022, eddsa-jcs-2022 and Ed25519Signature2020.


def sign_hash_data(hash_data: bytes, signer: Signer) -> bytes:
    """VC-DI-EdDSA 1.0 §3.2.6 Proof Serialization: pure Ed25519 (RFC 8032) over hashData, exactly 64 bytes."""
    if signer.algorithm != "Ed25519":
        raise ProofGenerationError(
            Problem(
                codes.PROOF_GENERATION_ERROR,
                "Wrong key type",
                f"the signer's algorithm is {signer.algorithm}",
            )
        )
    proof_bytes = signer.sign(hash_data)
    if len(proof_bytes) != ED25519_SIGNATURE_LENGTH:
        raise ProofGenerationError(
            Problem(codes.PROOF_GENERATION_ERROR, "Bad signature", "the signer did not return 64 bytes")
        )
    return proof_bytes


def encode_proof_value(proof_bytes: bytes) -> str:
    """CID 1.0 §2.4 Multibase: `z` + base58btc of the signature."""
    return "z" + base58btc_encode(proof_bytes)


def verify_hash_data(hash_data: bytes, proof_bytes: bytes, public_key: bytes) -> bool:
    """VC-DI-EdDSA 1.0 §3.2.7 Proof Verification: pure Ed25519 (RFC 8032) verification of hashData."""
    return Ed25519KeyPair(public_key).verify(proof_bytes, hash_data)


def decode_proof_value(proof: Mapping[str, Any]) -> bytes | Problem:
    """VC-DI-EdDSA 1.0 §3.2.2 step 3: proofValue is multibase base58btc (`z`) of a 64-byte signature."""
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return Problem(codes.PROOF_VERIFICATION_ERROR, "Bad proofValue", "not a 'z' base58btc string")
    # base58 decoding is quadratic in the length; 64 bytes never need more than 88 characters.
    if len(value) > _MAX_PROOF_VALUE_LENGTH:
        return Problem(codes.PROOF_VERIFICATION_ERROR, "Bad proofValue", "too long for an Ed25519 signature")
    try:
        proof_bytes = multibase_decode_z(value)
    except KeyMaterialError:
        return Problem(codes.PROOF_VERIFICATION_ERROR, "Bad proofValue", "proofValue is not valid base58btc")
    if len(proof_bytes) != ED25519_SIGNATURE_LENGTH:
        return Problem(
            codes.PROOF_VERIFICATION_ERROR,
            "Bad proofValue",
            f"an Ed25519 signature is 64 bytes, proofValue decodes to {len(proof_bytes)}",
        )
    return proof_bytes


def method_public_key(
    method: VerificationMethod, proof: Mapping[str, Any], accepted_types: frozenset[str]
) -> bytes | Problem:
    """CID 1.0 §3.3 Retrieve Verification Method steps 8-9: the proof's method, an accepted type, Ed25519."""
    if method.id != proof.get("verificationMethod"):
        return Problem(
            codes.INVALID_VERIFICATION_METHOD,
            "Wrong verification method",
            f"got {method.id!r} for this proof",
        )
    if method.type not in accepted_types:
        return Problem(
            codes.INVALID_VERIFICATION_METHOD,
            "Unsupported verification method type",
            f"{method.type!r} is not one of {sorted(accepted_types)}",
        )
    key = method.public_key
    if key is None and method.public_key_jwk is not None:
        try:
            key = Ed25519KeyPair.from_jwk(method.public_key_jwk).public_key
        except KeyMaterialError as exc:
            return Problem(codes.INVALID_VERIFICATION_METHOD, "Unusable key", str(exc))
    if key is None or len(key) != ED25519_PUBLIC_KEY_LENGTH:
        return Problem(codes.INVALID_VERIFICATION_METHOD, "Unusable key", "no 32-byte Ed25519 key")
    return key


def run_verification(
    suite: str,
    proof: Mapping[str, Any],
    method: VerificationMethod,
    accepted_types: frozenset[str],
    hash_data: Callable[[], bytes],
) -> ProofCheck:
    """VC-DI-EdDSA 1.0 §3.2.2 steps 3-8 around a suite's transformation and hashing (`hash_data`).

    The cheap checks (proofValue, key, created) run before canonicalization, the expensive part. Any
    ProofError from `hash_data` (canonicalization refused the input) becomes a problem: a bad credential never
    raises.
    """
    vm = proof.get("verificationMethod")
    vm_url = vm if isinstance(vm, str) else None
    proof_bytes = decode_proof_value(proof)
    key = method_public_key(method, proof, accepted_types)
    found = [result for result in (proof_bytes, key) if isinstance(result, Problem)]
    if "created" in proof and not is_date_time_stamp(proof["created"]):
        found.append(Problem(codes.MALFORMED_VALUE_ERROR, "Bad created", "not an XSD dateTimeStamp"))
    if found or not isinstance(proof_bytes, bytes) or not isinstance(key, bytes):
        return ProofCheck(0, vm_url, suite, False, tuple(found))
    try:
        data = hash_data()
    except ProofError as exc:
        return ProofCheck(0, vm_url, suite, False, (exc.problem,))
    if not verify_hash_data(data, proof_bytes, key):
        invalid = Problem(codes.PROOF_VERIFICATION_ERROR, "Invalid signature", "Ed25519 verification failed")
        return ProofCheck(0, vm_url, suite, False, (invalid,))
    return ProofCheck(0, vm_url, suite, True)
