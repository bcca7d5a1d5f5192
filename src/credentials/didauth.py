"""VC-DI 1.0 §4.5 with proofPurpose `authentication`: verify a VCALM "DIDAuthentication" verifiable presentation.

A wallet proves control of a DID by signing a presentation (usually without credentials) for the verifier's
`challenge` and `domain`; the issuer then binds the credential it issues to that DID (`credentialSubject.id`).
Both shapes real wallets send are accepted: Ed25519Signature2020 (DCC Learner Credential Wallet, VCDM 2.0 or 1.1
presentation) and DataIntegrityProof eddsa-rdfc-2022 / eddsa-jcs-2022 (VCALM wallets), over did:key, did:jwk or
whatever else the injected resolver registry resolves (did:web when the caller wires it in).

Rules beyond the suites' own verification, checked in this order (cheap before costly; the first failure is the
verdict):
1. The presentation is a JSON object, its first @context is VCDM 2.0 or 1.1, every context URL is pinned, its
   type lists VerifiablePresentation, and it carries exactly one proof (a DID authentication proves one DID).
2. The proof's suite is allowed, its purpose is `authentication`, its `challenge` equals the caller's, and when the
   caller gives a `domain`, the proof's domain (a string or an array) contains it. With `domain=None` any domain or
   none is accepted: the LCW legacy deep-link flow signs without one.
3. The proof has not expired (`expires`, against `now`).
4. The verification method is a DID URL (an https URL with a key in its fragment binds the key to nothing), it
   resolves through the registry, its controller is the DID it belongs to, and that DID lists it under
   `authentication` (CID 1.0 §3.3).
5. `holder` (a URL or an object with an `id`), when present, equals the method's controller. A presentation
   without `holder` is accepted and its holder is the controller: the signature over the caller's challenge is
   what authenticates the DID, and `holder` is only a claim that must agree with it; nothing is learned from it
   that the proof does not already establish. (LCW always sends `holder`; DCC's lcw-mock omits it.)
6. The signature verifies (a did:key method may come back as Multikey or Ed25519VerificationKey2020, and an Ed25519
   did:jwk method as JsonWebKey2020: all three are the same Ed25519 key to every suite).

The credentials a presentation may carry are not verified here; the verdict is about the holder only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal

from credentials import problems as codes
from credentials.did.resolver import DidResolutionError, DidResolverRegistry
from credentials.jsonld import ContextStore
from credentials.keys import VerificationMethod
from credentials.proofs import is_date_time_stamp
from credentials.proofs.data_integrity import parse_proofs, select_suite, verify_proof_set

DidAuthError = Literal[
    "malformed",
    "no_proof",
    "unsupported_suite",
    "wrong_purpose",
    "challenge_mismatch",
    "domain_mismatch",
    "expired",
    "unresolvable_method",
    "unauthorized_method",
    "holder_mismatch",
    "invalid_signature",
]
"""Stable verdict codes; `detail` explains, but never branch on it."""

AUTHENTICATION: Final = "authentication"
DIDAUTH_SUITES: Final = frozenset({"Ed25519Signature2020", "eddsa-rdfc-2022", "eddsa-jcs-2022"})
PRESENTATION_CONTEXTS: Final = frozenset(
    {"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1"}
)
_JWK_METHOD_TYPES: Final = frozenset({"JsonWebKey2020", "JsonWebKey"})
_MAX_DETAIL: Final = 300
# VC-DI 1.0 §4.7 codes from the generic engine -> our verdicts; anything else is a bad signature.
_PROBLEM_ERRORS: Final[Mapping[str, DidAuthError]] = {
    codes.PARSING_ERROR: "malformed",
    codes.MALFORMED_VALUE_ERROR: "malformed",
    codes.PROOF_TRANSFORMATION_ERROR: "malformed",
    codes.DATA_LOSS_DETECTION_ERROR: "malformed",
    codes.INVALID_VERIFICATION_METHOD: "unresolvable_method",
}


@dataclass(frozen=True, slots=True)
class DidAuthentication:
    """The verdict: `holder` is the authenticated DID when `verified`, else None and `error` says why."""

    verified: bool
    holder: str | None
    error: DidAuthError | None
    detail: str


class _Refusal(Exception):
    """Internal: the presentation fails with `error`; turned into a verdict at the entry point."""

    def __init__(self, error: DidAuthError, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail


def _ascii(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("ascii")[:_MAX_DETAIL]


async def verify_did_authentication(
    presentation: Any,
    *,
    challenge: str,
    domain: str | None,
    contexts: ContextStore,
    resolver: DidResolverRegistry,
    now: datetime | None = None,
    suites: frozenset[str] = DIDAUTH_SUITES,
) -> DidAuthentication:
    """VC-DI 1.0 §4.5 / VCALM DIDAuthentication: who signed `presentation` for this `challenge` (and `domain`).

    Never raises for a bad presentation (any JSON value gets a verdict). Raises ValueError for an empty
    `challenge` or a naive `now` (caller bugs). Resolution failures, transient ones included (did:web), are the
    verdict `unresolvable_method`. The caller must consume the challenge (single use) after a verified verdict;
    `created` is not compared with the clock, the challenge gives freshness. Canonicalization runs inline on the
    event loop, as in the verifier's proof check: callers should cap the request body size.
    """
    if not challenge:
        raise ValueError("a DID authentication needs a non-empty challenge")
    moment = _utc(now)
    try:
        proof = _the_proof(presentation, contexts)
        _check_proof_options(proof, challenge=challenge, domain=domain, suites=suites, now=moment)
        claimed = _claimed_holder(presentation)
        method = await _authentication_method(proof["verificationMethod"], resolver)
        holder = _bound_holder(method, claimed)
        _check_signature(presentation, method, contexts, suites)
    except _Refusal as refusal:
        return DidAuthentication(False, None, refusal.error, _ascii(refusal.detail))
    return DidAuthentication(True, holder, None, _ascii(f"signed by {holder} for the challenge"))


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _check_contexts(presentation: Mapping[str, Any], contexts: ContextStore) -> None:
    """VCDM 2.0 §4.3 / VCDM 1.1 §4.1: the base context first; every other URL must be pinned (offline JSON-LD)."""
    entries = _as_list(presentation.get("@context"))
    if not entries or not isinstance(entries[0], str) or entries[0] not in PRESENTATION_CONTEXTS:
        raise _Refusal("malformed", "the first @context must be the VCDM 2.0 or 1.1 base context")
    for entry in entries:
        if isinstance(entry, str) and entry not in contexts:
            raise _Refusal("malformed", f"context {entry!r} is not pinned")
        if not isinstance(entry, str | dict):
            raise _Refusal("malformed", "each @context entry must be a URL or an object")


def _the_proof(presentation: Any, contexts: ContextStore) -> Mapping[str, Any]:
    """VCDM 2.0 §4.13 presentation structure and VC-DI 1.0 §4.5 step 1, narrowed to one proof."""
    if not isinstance(presentation, dict):
        raise _Refusal("malformed", f"the presentation is a JSON {type(presentation).__name__}, not an object")
    _check_contexts(presentation, contexts)
    if "VerifiablePresentation" not in _as_list(presentation.get("type")):
        raise _Refusal("malformed", "type must list VerifiablePresentation")
    proofs = parse_proofs(presentation)
    if not proofs:
        raise _Refusal("no_proof", "the presentation is not signed")
    if len(proofs) > 1:
        raise _Refusal("malformed", f"a DID authentication has exactly one proof, not {len(proofs)}")
    proof = proofs[0]
    if not isinstance(proof, dict):
        raise _Refusal("malformed", "the proof is not a JSON object")
    if not isinstance(proof.get("verificationMethod"), str) or not proof["verificationMethod"]:
        raise _Refusal("malformed", "the proof has no verificationMethod string")
    # VC-DI 1.0 §2.1: a proof id is a URL. (verify_proof_set also needs it hashable to follow proof chains.)
    if not isinstance(proof.get("id", ""), str):
        raise _Refusal("malformed", "the proof id is not a string")
    return proof


def _domains(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else [value]


def _check_proof_options(
    proof: Mapping[str, Any], *, challenge: str, domain: str | None, suites: frozenset[str], now: datetime
) -> None:
    """VC-DI 1.0 §4.4 steps 5-7 and §4.5: allowed suite, purpose `authentication`, challenge, domain, expiry."""
    if select_suite(proof, suites) is None:
        detail = f"type {proof.get('type')!r}, cryptosuite {proof.get('cryptosuite')!r} is not accepted"
        raise _Refusal("unsupported_suite", detail)
    if proof.get("proofPurpose") != AUTHENTICATION:
        raise _Refusal("wrong_purpose", f"proofPurpose is {proof.get('proofPurpose')!r}, not 'authentication'")
    if proof.get("challenge") != challenge:
        raise _Refusal("challenge_mismatch", "the proof's challenge is not the one asked for")
    if domain is not None and domain not in _domains(proof.get("domain")):
        raise _Refusal("domain_mismatch", f"the proof's domain does not include {domain!r}")
    _check_expiry(proof, now)


def _check_expiry(proof: Mapping[str, Any], now: datetime) -> None:
    """VC-DI 1.0 §2.1 `expires`: an XSD dateTimeStamp after which the proof is no longer valid."""
    if "expires" not in proof:
        return
    expires = proof["expires"]
    try:
        moment = datetime.fromisoformat(expires) if is_date_time_stamp(expires) else None
    except ValueError:
        moment = None
    if moment is None:
        raise _Refusal("malformed", "expires is not a usable XSD dateTimeStamp")
    if moment <= now:
        raise _Refusal("expired", f"the proof expired at {expires}")


def _claimed_holder(presentation: Mapping[str, Any]) -> str | None:
    """VCDM 2.0 §4.13: `holder` is a URL or an object whose `id` is one; absent means unclaimed."""
    if "holder" not in presentation:
        return None
    holder = presentation["holder"]
    value = holder.get("id") if isinstance(holder, dict) else holder
    if not isinstance(value, str) or not value:
        raise _Refusal("malformed", "holder must be a URL or an object with a URL id")
    return value


async def _authentication_method(url: str, resolver: DidResolverRegistry) -> VerificationMethod:
    """CID 1.0 §3.3 Retrieve Verification Method, then the `authentication` relationship of its DID."""
    did = url.partition("#")[0]
    if not did.startswith("did:"):
        raise _Refusal("unresolvable_method", "only a DID URL can name the key of a DID authentication")
    try:
        method = await resolver.dereference_verification_method(url)
    except DidResolutionError as exc:
        raise _Refusal("unresolvable_method", f"{url}: {exc.code}: {exc}") from None
    if method.controller != did:
        raise _Refusal("unauthorized_method", f"the method is controlled by {method.controller}, not by {did}")
    if AUTHENTICATION not in method.relationships:
        raise _Refusal("unauthorized_method", f"{did} does not list the method under authentication")
    return method


def _bound_holder(method: VerificationMethod, claimed: str | None) -> str:
    """VCALM DIDAuthentication: the authenticated DID is the method's controller; a claimed holder must agree."""
    if claimed is not None and claimed != method.controller:
        raise _Refusal("holder_mismatch", f"holder {claimed} is not the signing key's controller {method.controller}")
    return method.controller


def _as_suite_method(method: VerificationMethod) -> VerificationMethod:
    # An Ed25519 JWK (did:jwk's JsonWebKey2020) is the same key as a Multikey; @digitalbazaar/ed25519-multikey
    # converts it the same way. Non-Ed25519 JWKs keep their type and are refused by the suites.
    if method.type in _JWK_METHOD_TYPES and method.public_key is not None:
        return replace(method, type="Multikey")
    return method


def _check_signature(
    presentation: Mapping[str, Any], method: VerificationMethod, contexts: ContextStore, suites: frozenset[str]
) -> None:
    """VC-DI 1.0 §4.5 steps 3-6 through the suite's Verify Proof (purpose, challenge, domain already checked)."""
    checks = verify_proof_set(
        presentation,
        methods={method.id: _as_suite_method(method)},
        contexts=contexts,
        expected_purpose=AUTHENTICATION,
        allowed_suites=suites,
    )
    problems = [problem for check in checks for problem in check.problems]
    if all(check.verified for check in checks) and not problems:
        return
    first = problems[0] if problems else None
    error = _PROBLEM_ERRORS.get(first.code, "invalid_signature") if first else "invalid_signature"
    raise _Refusal(error, f"{first.title}: {first.detail}" if first else "the proof did not verify")
