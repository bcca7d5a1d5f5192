"""VCDM 2.0 §4.13 / VCDM 1.1 §4.10 Verifiable Presentations: the checks of the presentation itself.

The credentials inside are verified by the full pipeline and reported separately (service.py); here are the
presentation's structure, the holder's proof (VC-DI 1.0 §4.5 with proofPurpose `authentication`, and the caller's
`challenge` and `domain` as VC-DI 1.0 §4.4 steps 6-7 require), and the binding of the signing key to the holder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from credentials.did.resolver import DidResolutionError, DidResolverRegistry
from credentials.jsonld import ContextStore, JsonLdProcessingError, canonicalize
from credentials.keys import VerificationMethod
from credentials.proofs.data_integrity import (
    parse_proofs,
    proof_set_verified,
    verification_method_urls,
    verify_proof_set,
)
from schemas.report import CheckResult, CheckStatus, CredentialSummary, PresentationSummary, ProblemDetails
from verifier.checks.conformance import as_list, is_uri, vc_version
from verifier.checks.proof import ProofOutcome, as_details, resolve_methods
from verifier.checks.proof_purpose import is_fragment_key
from verifier.problems import errored, failed, passed, problem, skipped

AUTHENTICATION = "authentication"
NOT_SIGNED = "The presentation is not signed by its holder; each credential inside is still verified on its own."


def presentation_entries(presentation: Mapping[str, Any]) -> list[Any]:
    """VCDM 2.0 §4.13: `verifiableCredential`, one value or an array; absent means none."""
    return as_list(presentation.get("verifiableCredential"))


def holder_id(presentation: Mapping[str, Any]) -> str | None:
    """VCDM 2.0 §4.13: `holder` is a URL or an object whose `id` is one."""
    holder = presentation.get("holder")
    value = holder.get("id") if isinstance(holder, Mapping) else holder
    return value if isinstance(value, str) else None


def _structure_problems(presentation: Mapping[str, Any], contexts: ContextStore) -> Iterator[ProblemDetails]:
    entries = as_list(presentation.get("@context"))
    if vc_version(presentation) is None:
        yield problem("MALFORMED_VALUE_ERROR", "The first @context must be the VC 2.0 or 1.1 base context")
    for entry in entries:
        if isinstance(entry, str) and entry not in contexts:
            yield problem("CONTEXT_NOT_ALLOWED", "Context is not pinned", f"{entry} is not a known context")
        elif not isinstance(entry, str | dict):
            yield problem("MALFORMED_VALUE_ERROR", "Each @context entry must be a URL or an object")
    if "id" in presentation and not is_uri(presentation["id"]):
        yield problem("MALFORMED_VALUE_ERROR", "id must be a URL", repr(presentation["id"]))
    if "holder" in presentation and not is_uri(holder_id(presentation)):
        yield problem("MALFORMED_VALUE_ERROR", "holder must be a URL or an object with a URL id")
    for index, item in enumerate(presentation_entries(presentation)):
        if not isinstance(item, dict | str):
            detail = f"entry #{index + 1} is a JSON {type(item).__name__}"
            yield problem("MALFORMED_VALUE_ERROR", "verifiableCredential entries must be credentials", detail)


def _json_ld_problems(presentation: Mapping[str, Any], contexts: ContextStore) -> Iterator[ProblemDetails]:
    # Only the wrapper: each credential inside is expanded by its own conformance check, and the proof by its suite.
    wrapper = {k: v for k, v in presentation.items() if k not in {"proof", "verifiableCredential"}}
    try:
        canonicalize(wrapper, contexts)
    except JsonLdProcessingError as exc:
        yield problem(exc.code, "JSON-LD processing failed", str(exc))


def check_presentation_conformance(presentation: Mapping[str, Any], contexts: ContextStore) -> CheckResult:
    """VCDM 2.0 §4.13: contexts pinned, type VerifiablePresentation, URL id and holder, credential entries, and
    at least one credential unless the holder signed it (a DID Authentication presentation carries none)."""
    problems = list(_structure_problems(presentation, contexts))
    if not any(p.code == "CONTEXT_NOT_ALLOWED" for p in problems):
        problems.extend(_json_ld_problems(presentation, contexts))
    count = len(presentation_entries(presentation))
    if count == 0 and not parse_proofs(presentation):
        problems.append(problem("NO_CREDENTIALS", "The presentation carries no credential", "no verifiableCredential"))
    if problems and all(p.code == "NO_CREDENTIALS" for p in problems):
        return failed(
            "conformance", problems, "The presentation carries no credential and no signature: nothing to verify."
        )
    if problems:
        return failed("conformance", problems, "The presentation does not follow the data model it claims.")
    if count == 0:
        # VC-API "DID Authentication": a signed presentation without credentials proves who the holder is.
        return passed("conformance", "The presentation is well-formed and carries no credential (DID Authentication).")
    return passed(
        "conformance",
        f"The presentation is well-formed (VCDM {vc_version(presentation)}) and carries {count} "
        f"credential{'s' * (count != 1)}.",
        credentials=count,
    )


def _unsigned(challenge: str | None, domain: str | None) -> ProofOutcome:
    """No proof at all: fine unless the caller asked the holder to answer a challenge or name a domain."""
    problems = []
    if challenge is not None:
        problems.append(
            problem("INVALID_CHALLENGE_ERROR", "No proof answers the challenge", "the presentation is unsigned")
        )
    if domain is not None:
        problems.append(problem("INVALID_DOMAIN_ERROR", "No proof names the domain", "the presentation is unsigned"))
    if problems:
        explanation = "The holder was asked to sign the presentation for this request, and it is not signed."
        return ProofOutcome(failed("proof", problems, explanation))
    return ProofOutcome(skipped("proof", NOT_SIGNED, required=False))


async def check_holder_proof(
    presentation: Mapping[str, Any],
    *,
    resolver: DidResolverRegistry,
    contexts: ContextStore,
    suites: frozenset[str],
    challenge: str | None,
    domain: str | None,
) -> ProofOutcome:
    """VC-DI 1.0 §4.5 over the presentation, each proof for `authentication` with the caller's challenge/domain."""
    if not parse_proofs(presentation):
        return _unsigned(challenge, domain)
    methods, resolution_problems, transient = await resolve_methods(verification_method_urls(presentation), resolver)
    checks = verify_proof_set(
        presentation,
        methods=methods,
        contexts=contexts,
        expected_purpose=AUTHENTICATION,
        allowed_suites=suites,
        domain=domain,
        challenge=challenge,
    )
    details = [as_details(p) for c in checks for p in c.problems if p.code != "INVALID_VERIFICATION_METHOD"]
    details = resolution_problems + details
    if proof_set_verified(checks) and not details:
        used = {c.verification_method: methods[c.verification_method] for c in checks if c.verification_method}
        names = ", ".join(sorted({c.suite or "?" for c in checks}))
        result = passed(
            "proof",
            f"The holder's signature on the presentation is intact ({names}).",
            suites=[c.suite for c in checks],
            verification_methods=sorted(used),
        )
        return ProofOutcome(result, used)
    if transient and resolution_problems:
        explanation = "The holder's key could not be fetched, so the presentation's signature is unchecked."
        return ProofOutcome(errored("proof", details, explanation))
    return ProofOutcome(
        failed("proof", details or [problem("PROOF_VERIFICATION_ERROR", "No proof verified")], _why(details))
    )


def _why(details: list[ProblemDetails]) -> str:
    codes = {d.code for d in details}
    if "INVALID_CHALLENGE_ERROR" in codes:
        return "The presentation was signed for a different request: its challenge is not the one asked for."
    if "INVALID_DOMAIN_ERROR" in codes:
        return "The presentation was signed for a different website or service: its domain does not match."
    if "INVALID_VERIFICATION_METHOD" in codes:
        return "The holder's signing key does not exist or cannot be used, so nothing vouches for the presentation."
    return "The holder's signature does not match the presentation: it was altered or not signed by this key."


async def _confirmed(method: VerificationMethod, strict: DidResolverRegistry | None) -> VerificationMethod | str | None:
    """A key named only by a URL fragment is the holder's only if the holder's document lists it (as for issuers).

    The method when confirmed; a string when it could not be determined; None when the document refuses it.
    """
    if not is_fragment_key(method):
        return method
    if strict is None:
        return "offline: the holder's key document was not fetched"
    try:
        return await strict.dereference_verification_method(method.id)
    except DidResolutionError as exc:
        return f"the holder's key document could not be fetched: {exc}" if exc.transient else None


def _binding_problems(method: VerificationMethod, holder: str | None) -> list[ProblemDetails]:
    problems = []
    if AUTHENTICATION not in method.relationships:
        problems.append(
            problem("INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD", "Key not authorized for authentication", method.id)
        )
    if holder is not None and method.controller != holder:
        detail = f"{method.controller} != {holder}"
        problems.append(problem("INVALID_VERIFICATION_METHOD", "Key controller is not the holder", detail))
    return problems


async def check_holder_binding(
    presentation: Mapping[str, Any], outcome: ProofOutcome, *, strict_resolver: DidResolverRegistry | None
) -> CheckResult:
    """CID 1.0 §3.3: each key that signed is listed under `authentication`, and its controller is the `holder`."""
    if outcome.result.status is CheckStatus.SKIPPED:
        reason = (
            "The presentation names a holder but is not signed, so nothing proves who presented it."
            if holder_id(presentation)
            else "The presentation has no holder signature, so there is no key to bind to a holder."
        )
        return skipped("proof_purpose", reason, required=False)
    if outcome.result.status is not CheckStatus.PASSED or not outcome.methods:
        return skipped("proof_purpose", "Skipped because the holder's signature did not verify.")
    holder = holder_id(presentation)
    problems: list[ProblemDetails] = []
    undetermined: list[ProblemDetails] = []
    for method in outcome.methods.values():
        confirmed = await _confirmed(method, strict_resolver)
        if isinstance(confirmed, str):
            undetermined.append(problem("INVALID_VERIFICATION_METHOD", "Key not confirmed by the holder", confirmed))
        elif confirmed is None:
            problems.append(problem("INVALID_VERIFICATION_METHOD", "The holder's document does not list this key"))
        else:
            problems.extend(_binding_problems(confirmed, holder))
    if problems:
        return failed("proof_purpose", problems, "The presentation was signed with a key that is not its holder's.")
    if undetermined:
        explanation = "The key is named only inside the presentation; the holder's own document could not confirm it."
        return errored("proof_purpose", undetermined, explanation)
    if holder is None:
        return passed(
            "proof_purpose", "The signing key may authenticate its controller; the presentation names no holder."
        )
    return passed("proof_purpose", f"The presentation was signed by its holder {holder}.", holder=holder)


def nested_skips() -> list[CheckResult]:
    """validity, status, recipient and endorsements belong to credentials: each nested report has its own."""
    reason = "Checked for each credential in the presentation: see the credentials' own reports."
    return [
        skipped(check_id, reason, required=False) for check_id in ("validity", "status", "recipient", "endorsements")
    ]


def presentation_summary(presentation: Mapping[str, Any]) -> PresentationSummary:
    """VCDM 2.0 §4.13 `id`, `holder` and the number of `verifiableCredential` entries, as the presentation says."""
    identifier = presentation.get("id")
    return PresentationSummary(
        id=identifier if isinstance(identifier, str) else None,
        holder=holder_id(presentation),
        credential_count=len(presentation_entries(presentation)),
    )


def summarize_presentation(presentation: Mapping[str, Any], container: str) -> CredentialSummary:
    """What a credential summary can say of a presentation: its format, id and types; the rest is per credential."""
    identifier = presentation.get("id")
    types = [t for t in as_list(presentation.get("type")) if isinstance(t, str)]
    return CredentialSummary(format=container, id=identifier if isinstance(identifier, str) else None, types=types)
