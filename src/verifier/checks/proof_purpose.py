"""The `proof_purpose` check: VC-DI 1.0 §4.4 step "proof purpose" and CID 1.0 §3.3 relationship validation.

Each verification method must be listed under its controller's `assertionMethod`, and the controller must be
the credential's issuer (OB 3.0 §8.1 step 2; the 1EdTech validator's "key controller must equal issuer").
A key named only by a URL fragment (`https://issuer#z6Mk...`) proves nothing about the issuer until the
issuer's own document lists it, so such keys are confirmed against that document when it can be fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urldefrag

from credentials.did.resolver import DidResolutionError, DidResolverRegistry
from credentials.keys import VerificationMethod, encode_public_key_multibase
from schemas.report import CheckResult, ProblemDetails
from verifier.problems import errored, failed, passed, problem, skipped

CHECK_ID = "proof_purpose"


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None


def is_fragment_key(method: VerificationMethod) -> bool:
    """An http(s) method whose fragment is its own public key: taken from the URL, no document consulted."""
    base, fragment = urldefrag(method.id)
    return (
        base.startswith(("https://", "http://"))
        and method.public_key is not None
        and fragment == encode_public_key_multibase(method.public_key)
    )


async def _confirm(
    method: VerificationMethod, strict: DidResolverRegistry | None
) -> VerificationMethod | ProblemDetails | str:
    """Re-dereference a fragment key through the controller's document.

    A string says why it could not be determined (offline, network); a problem says the issuer's document
    answered and does not vouch for the key (not listed, no document, an invalid document).
    """
    if strict is None:
        return "offline: the issuer's key document was not fetched"
    try:
        return await strict.dereference_verification_method(method.id)
    except DidResolutionError as exc:
        if exc.transient:
            return f"the issuer's key document could not be fetched: {exc}"
        return problem("INVALID_VERIFICATION_METHOD", "The issuer's document does not list this key", str(exc))


def _binding_problems(method: VerificationMethod, issuer: str | None) -> list[ProblemDetails]:
    problems = []
    if "assertionMethod" not in method.relationships:
        problems.append(
            problem("INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD", "Key not authorized for assertions", method.id)
        )
    if issuer is None or method.controller != issuer:
        problems.append(
            problem(
                "INVALID_VERIFICATION_METHOD", "Key controller is not the issuer", f"{method.controller} != {issuer}"
            )
        )
    return problems


async def check_proof_purpose(
    credential: Mapping[str, Any],
    methods: Mapping[str, VerificationMethod],
    *,
    strict_resolver: DidResolverRegistry | None,
) -> CheckResult:
    """Every key that signed is the issuer's and is authorized for `assertionMethod`."""
    if not methods:
        return skipped(CHECK_ID, "Skipped because the signature could not be verified.")
    issuer = issuer_id(credential)
    problems: list[ProblemDetails] = []
    undetermined: list[ProblemDetails] = []
    for method in methods.values():
        if is_fragment_key(method):
            confirmed = await _confirm(method, strict_resolver)
            if isinstance(confirmed, str):
                undetermined.append(
                    problem("INVALID_VERIFICATION_METHOD", "Key not confirmed by the issuer", confirmed)
                )
                continue
            if isinstance(confirmed, ProblemDetails):
                problems.append(confirmed)
                continue
            method = confirmed
        problems.extend(_binding_problems(method, issuer))
    if problems:
        return failed(CHECK_ID, problems, "The credential was signed with a key that does not belong to its issuer.")
    if undetermined:
        return errored(
            CHECK_ID,
            undetermined,
            "The key is named only inside the credential; the issuer's own document could not confirm it.",
        )
    return passed(CHECK_ID, f"The signing key belongs to the issuer {issuer} and may sign credentials.")
