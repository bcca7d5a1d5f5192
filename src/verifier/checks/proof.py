"""The `proof` check: VC Data Integrity 1.0 §4.5 (every proof of a set or chain) or OB 3.0 §8.2 (VC-JWT).

Verification methods are dereferenced first (the resolver is asynchronous), then the pure cryptosuites run.
A key that could not be fetched for a passing reason makes the check ERROR, never PASSED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from credentials.did.resolver import DidResolutionError, DidResolverRegistry
from credentials.jsonld import ContextStore
from credentials.keys import VerificationMethod
from credentials.problems import Problem
from credentials.proofs.data_integrity import (
    parse_proofs,
    proof_set_verified,
    select_suite,
    verification_method_urls,
    verify_proof_set,
)
from credentials.proofs.vc_jwt import verify_vc_jwt
from schemas.report import CheckResult, ProblemDetails
from verifier.problems import errored, failed, passed, problem

CHECK_ID = "proof"
DEFAULT_SUITES = frozenset({"eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"})


@dataclass(slots=True)
class ProofOutcome:
    """What later checks need from this one: the methods that verified, keyed by URL."""

    result: CheckResult
    methods: dict[str, VerificationMethod] = field(default_factory=dict)


def as_details(item: Problem) -> ProblemDetails:
    return problem(item.code, item.title, item.detail)


async def resolve_methods(
    urls: list[str], resolver: DidResolverRegistry
) -> tuple[dict[str, VerificationMethod], list[ProblemDetails], bool]:
    """CID 1.0 §3.3 Retrieve Verification Method for each URL; the flag says a failure may be transient."""
    methods: dict[str, VerificationMethod] = {}
    problems: list[ProblemDetails] = []
    transient = False
    for url in dict.fromkeys(urls):
        try:
            methods[url] = await resolver.dereference_verification_method(url)
        except DidResolutionError as exc:
            transient = transient or exc.transient
            problems.append(
                problem("INVALID_VERIFICATION_METHOD", "The signing key could not be resolved", f"{url}: {exc}")
            )
    return methods, problems, transient


async def check_data_integrity(
    credential: Mapping[str, Any], *, resolver: DidResolverRegistry, contexts: ContextStore, suites: frozenset[str]
) -> ProofOutcome:
    """VC-DI 1.0 §4.5: resolve every method, verify every proof; the set passes only when all do."""
    methods, resolution_problems, transient = await resolve_methods(verification_method_urls(credential), resolver)
    checks = verify_proof_set(
        credential, methods=methods, contexts=contexts, expected_purpose="assertionMethod", allowed_suites=suites
    )
    details = [as_details(p) for check in checks for p in check.problems if p.code != "INVALID_VERIFICATION_METHOD"]
    details = resolution_problems + details
    if proof_set_verified(checks) and not details:
        used = {c.verification_method: methods[c.verification_method] for c in checks if c.verification_method}
        names = ", ".join(sorted({c.suite or "?" for c in checks}))
        count = len(checks)
        return ProofOutcome(
            passed(
                CHECK_ID,
                f"The issuer's signature is intact ({count} proof{'s' * (count > 1)}: {names}).",
                suites=[c.suite for c in checks],
                verification_methods=sorted(used),
            ),
            used,
        )
    if transient and resolution_problems:
        return ProofOutcome(
            errored(CHECK_ID, details, "The signing key could not be fetched, so the signature is unchecked.")
        )
    explanation = (
        "The signing key named by the credential does not exist or cannot be used, so nothing vouches for it."
        if resolution_problems
        else _data_integrity_failure(credential, details, suites)
    )
    return ProofOutcome(
        failed(CHECK_ID, details or [problem("PROOF_VERIFICATION_ERROR", "No proof verified")], explanation)
    )


def _data_integrity_failure(
    credential: Mapping[str, Any], details: list[ProblemDetails], suites: frozenset[str]
) -> str:
    """Why no signature was accepted, in words: only a checked signature may be called "altered" (VC-DI 1.0 §4.4)."""
    codes = {d.code for d in details}
    proofs = parse_proofs(credential)
    if not proofs:
        return "The credential carries no proof, so nothing shows who issued it."
    named = [p.get("proofPurpose") for p in proofs if isinstance(p, Mapping)]  # untrusted: may be unhashable
    purposes = sorted({p for p in named if isinstance(p, str) and p and p != "assertionMethod"})
    if purposes:
        # VC-DI 1.0 §4.4: a proof made for another purpose (e.g. logging in) is not an issuer's assertion.
        return (
            f"The proof was made for {' and '.join(purposes)}, not for issuing credentials (assertionMethod), "
            "so it does not vouch for this credential."
        )
    if any(not isinstance(p, Mapping) or select_suite(p, suites) is None for p in proofs):
        return "The credential is signed with a kind of proof Credstack does not accept, so its signature is unchecked."
    if "DATA_LOSS_DETECTION_ERROR" in codes:
        return (
            "The credential contains terms that no context defines, which a signature cannot protect, so it is refused."
        )
    if "PROOF_TRANSFORMATION_ERROR" in codes:
        return "The credential's JSON-LD cannot be processed (e.g. an unknown context), so its signature is unchecked."
    if codes <= {"PROOF_VERIFICATION_ERROR"}:
        return "The signature does not match the credential: it was altered or not signed by this key."
    return "The proof is malformed, so the signature could not be checked."


async def check_jwt(token: str, *, resolver: DidResolverRegistry) -> ProofOutcome:
    """OB 3.0 §8.2: the JWS signature and the JWT claims' consistency with the credential."""
    verdict = await verify_vc_jwt(token, resolver=resolver)
    details = [as_details(p) for p in verdict.problems]
    if verdict.valid:
        method = verdict.verification_method
        methods = {method.id: method} if method is not None else {}
        alg = (verdict.header or {}).get("alg")
        return ProofOutcome(passed(CHECK_ID, f"The issuer's JWT signature ({alg}) is intact.", alg=alg), methods)
    if verdict.indeterminate:
        return ProofOutcome(
            errored(CHECK_ID, details, "The signing key could not be fetched, so the signature is unchecked.")
        )
    return ProofOutcome(failed(CHECK_ID, details, _jwt_failure({d.code for d in details})))


def _jwt_failure(codes: set[str]) -> str:
    """OB 3.0 §8.2 (Verify): which stage refused the token (header, signature, or the claims after it)."""
    if "MALFORMED_PROOF_ERROR" in codes:
        return "The JWT's header is not acceptable (algorithm or key reference), so its signature is unchecked."
    if "PROOF_VERIFICATION_ERROR" in codes:
        return "The JWT signature does not match the credential: it was altered or not signed by this key."
    if "INVALID_VERIFICATION_METHOD" in codes:
        return "The key the JWT names cannot be used, so nothing vouches for it."
    if codes == {"MALFORMED_VALUE_ERROR"}:
        return "The JWT is signed, but its claims contradict the credential it carries."
    return "The JWT cannot be read as a signed credential."
