"""The verification pipeline (ARCHITECTURE.md "Verify"): parse -> conformance -> proof -> proof purpose ->
validity -> status -> recipient -> endorsements -> report. Shared by the CLI and the HTTP service.

Checks run in that order and every id always appears. A check that needs an authentic credential (proof
purpose, status, endorsements) is SKIPPED with the reason when the proof did not pass, so a forged credential
never makes the server fetch the URLs it names. A presentation (VCDM 2.0 §4.13) gets its own checks and one
nested report per credential; a CLR (CLR 2.0) the usual checks and one nested report per bundled credential.
One deadline bounds the whole verification, nested reports included (verifier.deadline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from credentials.did.resolver import DidResolverRegistry
from credentials.jsonld import ContextStore
from credentials.proofs import canonical_form_memo
from credentials.status.fetch import StatusListFetcher
from schemas.report import CheckResult, CheckStatus, VerificationReport
from verifier.bundles import limit_problems, with_problems
from verifier.checks.conformance import check_conformance
from verifier.checks.endorsements import check_endorsements
from verifier.checks.proof import DEFAULT_SUITES, ProofOutcome, check_data_integrity, check_jwt
from verifier.checks.proof_purpose import check_proof_purpose, issuer_id
from verifier.checks.recipient import check_recipient
from verifier.checks.status import ListVerdict, check_status
from verifier.checks.validity import check_validity
from verifier.clr import clr_entries, clr_problems, is_clr
from verifier.deadline import Deadline
from verifier.parse import Limits, ParsedInput, UnreadableInput, jwt_credential, parse_embedded, parse_input
from verifier.presentation import (
    check_holder_binding,
    check_holder_proof,
    check_presentation_conformance,
    nested_skips,
    presentation_entries,
    presentation_summary,
    summarize_presentation,
)
from verifier.problems import failed, passed, problem, skipped
from verifier.summary import summarize

MAX_ENDORSEMENT_DEPTH = 1


@dataclass(frozen=True, slots=True)
class VerifierPorts:
    """Every effect the pipeline uses, injected. `strict_resolver`/`status_fetcher` are None when offline.

    `deadline_seconds` bounds one whole verification (nested credentials, status lists and endorsements included).
    """

    contexts: ContextStore
    resolver: DidResolverRegistry
    strict_resolver: DidResolverRegistry | None
    status_fetcher: StatusListFetcher | None
    clock: Callable[[], datetime]
    skew: timedelta = timedelta(minutes=5)
    suites: frozenset[str] = DEFAULT_SUITES
    limits: Limits = field(default_factory=Limits)
    deadline_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """The caller's expectations: who the recipient is; for a presentation, the challenge and domain its holder's
    proof must carry (VC-DI 1.0 §4.4 steps 6-7)."""

    recipient_email: str | None = None
    recipient_did: str | None = None
    challenge: str | None = None
    domain: str | None = None


def is_verified(checks: list[CheckResult]) -> bool:
    """True only when every required check passed or was skipped by policy (ARCHITECTURE.md)."""
    return all(c.status is CheckStatus.PASSED or (c.status is CheckStatus.SKIPPED and not c.required) for c in checks)


async def verify_input(
    data: bytes, ports: VerifierPorts, options: VerifyOptions = VerifyOptions()
) -> VerificationReport:
    """Parse bytes (UnreadableInput propagates: there is nothing to report on) and verify what was found."""
    return await verify_parsed(parse_input(data, ports.limits), ports, options)


async def verify_parsed(
    parsed: ParsedInput,
    ports: VerifierPorts,
    options: VerifyOptions = VerifyOptions(),
    *,
    depth: int = 0,
    nesting: int = 0,
    deadline: Deadline | None = None,
) -> VerificationReport:
    """ARCHITECTURE.md "Verify": a credential, CLR or presentation. `depth` counts endorsement levels, `nesting`
    credential-inside-credential levels; `deadline` is the caller's when this is part of a larger verification."""
    if deadline is None:
        deadline = Deadline.after(ports.deadline_seconds)
    now = ports.clock()
    if parsed.is_presentation:
        if depth or nesting:
            reason = "A presentation can only be verified on its own, not inside a credential or presentation."
            return unreadable_report(reason, now, code="UNSUPPORTED_INPUT")
        return await _verify_presentation(parsed, ports, options, deadline)
    credential = parsed.document
    # conformance canonicalizes the credential without its proof, and so does an RDFC proof check of the same
    # document: the memo lets the second use the first's result (credentials.proofs.canonical_form_memo).
    with canonical_form_memo():
        checks = await _credential_checks(parsed, ports, options, now, depth=depth, deadline=deadline)
    nested: list[VerificationReport] = []
    if is_clr(credential):
        entries = clr_entries(credential)
        refusal = limit_problems(len(entries), ports.limits, nesting, "CLR")
        checks[1] = with_problems(checks[1], [*clr_problems(credential), *refusal])
        if not refusal:
            # The CLR's subject is the recipient; its issuer vouches that every bundled credential is theirs too.
            nested = await _verify_entries(entries, ports, VerifyOptions(), nesting, deadline)
    return VerificationReport(
        verified=is_verified(checks) and all(report.verified for report in nested),
        kind="clr" if is_clr(credential) else "credential",
        checks=checks,
        credential=summarize(credential, parsed.container),
        credentials=nested,
        checked_at=now,
    )


async def _ready(result: CheckResult) -> CheckResult:
    return result


async def _credential_checks(
    parsed: ParsedInput, ports: VerifierPorts, options: VerifyOptions, now: datetime, *, depth: int, deadline: Deadline
) -> list[CheckResult]:
    """The eight checks of one credential, each run only while the deadline allows (lambdas defer the work)."""
    credential = parsed.document
    checks = [passed("parse", _parse_explanation(parsed))]
    checks.append(await deadline.run("conformance", lambda: _ready(check_conformance(credential, ports.contexts))))
    outcome = ProofOutcome(deadline.timed_out("proof"))

    async def proof() -> CheckResult:
        nonlocal outcome
        outcome = await _proof(parsed, ports)
        return outcome.result

    checks.append(await deadline.run("proof", proof))
    authentic = outcome.result.status is CheckStatus.PASSED
    checks.append(await deadline.run("proof_purpose", lambda: _purpose(credential, outcome, ports)))
    checks.append(await deadline.run("validity", lambda: _ready(check_validity(credential, now=now, skew=ports.skew))))
    checks.append(await deadline.run("status", lambda: _status(credential, authentic, ports, now, deadline)))
    email, did = options.recipient_email, options.recipient_did
    checks.append(await deadline.run("recipient", lambda: _ready(check_recipient(credential, email=email, did=did))))
    checks.append(
        await deadline.run("endorsements", partial(_endorsements, credential, authentic, ports, depth, deadline))
    )
    return checks


async def _verify_presentation(
    parsed: ParsedInput, ports: VerifierPorts, options: VerifyOptions, deadline: Deadline
) -> VerificationReport:
    """VCDM 2.0 §4.13: the presentation's own checks, then every credential inside through the full pipeline."""
    now = ports.clock()
    presentation = parsed.document
    entries = presentation_entries(presentation)
    refusal = limit_problems(len(entries), ports.limits, 0, "presentation")
    conformance = await deadline.run(
        "conformance", lambda: _ready(check_presentation_conformance(presentation, ports.contexts))
    )
    outcome = ProofOutcome(deadline.timed_out("proof"))

    async def proof() -> CheckResult:
        nonlocal outcome
        outcome = await check_holder_proof(
            presentation,
            resolver=ports.resolver,
            contexts=ports.contexts,
            suites=ports.suites,
            challenge=options.challenge,
            domain=options.domain,
        )
        return outcome.result

    proof_result = await deadline.run("proof", proof)
    purpose = await deadline.run(
        "proof_purpose", lambda: check_holder_binding(presentation, outcome, strict_resolver=ports.strict_resolver)
    )
    checks = [
        passed("parse", f"Read a presentation from {_CONTAINERS[parsed.container]}."),
        with_problems(conformance, refusal),
        proof_result,
        purpose,
        *nested_skips(),
    ]
    recipient = VerifyOptions(recipient_email=options.recipient_email, recipient_did=options.recipient_did)
    nested = [] if refusal else await _verify_entries(entries, ports, recipient, 0, deadline)
    return VerificationReport(
        verified=is_verified(checks) and _presented(nested, proof_result) and all(r.verified for r in nested),
        kind="presentation",
        checks=checks,
        credential=summarize_presentation(presentation, parsed.container),
        presentation=presentation_summary(presentation),
        credentials=nested,
        checked_at=now,
    )


def _presented(nested: list[VerificationReport], proof: CheckResult) -> bool:
    """A presentation vouches for something: credentials, or (DID Authentication) the holder's own signature."""
    return bool(nested) or proof.status is CheckStatus.PASSED


async def _verify_entries(
    entries: list[Any], ports: VerifierPorts, options: VerifyOptions, nesting: int, deadline: Deadline
) -> list[VerificationReport]:
    """Each credential inside a presentation or CLR, in order, through the full pipeline, one level deeper."""
    reports = []
    for item in entries:
        try:
            parsed = parse_embedded(item, ports.limits)
        except UnreadableInput as exc:
            reports.append(unreadable_report(str(exc), ports.clock()))
            continue
        reports.append(await verify_parsed(parsed, ports, options, nesting=nesting + 1, deadline=deadline))
    return reports


_CONTAINERS = {"json": "JSON", "jwt": "a JWT", "png": "a baked PNG image", "svg": "a baked SVG image"}


def _parse_explanation(parsed: ParsedInput) -> str:
    kind = "a JWT inside " if parsed.jwt and parsed.container in {"png", "svg"} else ""
    return f"Read a credential from {kind}{_CONTAINERS[parsed.container]}."


def unreadable_report(reason: str, now: datetime, code: str = "PARSING_ERROR") -> VerificationReport:
    """A report whose `parse` check failed: every later check is skipped, `verified` is false."""
    explanation = f"The input could not be read as a credential: {reason.rstrip('.')}."
    checks = [failed("parse", [problem(code, "The input could not be read as a credential", reason)], explanation)]
    checks += [skipped(check_id, "Skipped because the input was not a credential.") for check_id in _LATER_CHECKS]
    return VerificationReport(verified=False, checks=checks, checked_at=now)


_LATER_CHECKS = ("conformance", "proof", "proof_purpose", "validity", "status", "recipient", "endorsements")


async def _proof(parsed: ParsedInput, ports: VerifierPorts) -> ProofOutcome:
    if parsed.jwt is not None:
        return await check_jwt(parsed.jwt, resolver=ports.resolver)
    return await check_data_integrity(
        parsed.document, resolver=ports.resolver, contexts=ports.contexts, suites=ports.suites
    )


async def _purpose(credential: dict[str, Any], outcome: ProofOutcome, ports: VerifierPorts) -> CheckResult:
    if outcome.result.status is not CheckStatus.PASSED:
        return skipped("proof_purpose", "Skipped because the signature was not verified.")
    if not outcome.methods:
        return failed(
            "proof_purpose",
            [problem("INVALID_VERIFICATION_METHOD", "The key is not bound to the issuer", "embedded key")],
            "The token carries its own key; nothing ties that key to the issuer.",
        )
    return await check_proof_purpose(credential, outcome.methods, strict_resolver=ports.strict_resolver)


async def _status(
    credential: dict[str, Any], authentic: bool, ports: VerifierPorts, now: datetime, deadline: Deadline
) -> CheckResult:
    if not authentic:
        return skipped(
            "status",
            "Skipped because the signature was not verified; status lists named by an "
            "unverified credential are not fetched.",
        )

    issuer = issuer_id(credential)

    async def verify_list(list_credential: dict[str, Any]) -> ListVerdict:
        report = await verify_parsed(ParsedInput("json", list_credential), _without_status(ports), deadline=deadline)
        by_id = {c.id: c for c in report.checks}
        relevant = [by_id["proof"], by_id["proof_purpose"]]
        transient = any(c.status is CheckStatus.ERROR for c in relevant)
        problems = tuple(p for c in relevant for p in c.problems)
        verified = all(c.status is CheckStatus.PASSED for c in relevant)
        list_issuer = report.credential.issuer_id
        if verified and list_issuer != issuer:
            # Only the credential's issuer may say it is revoked or not (as @digitalbazaar/vc-status-list checks).
            wrong = problem(
                "STATUS_VERIFICATION_ERROR", "Status list from another issuer", f"{list_issuer} != {issuer}"
            )
            return ListVerdict(verified=False, problems=(wrong,), issuer=list_issuer)
        return ListVerdict(verified=verified, transient=transient, problems=problems, issuer=list_issuer)

    return await check_status(credential, fetcher=ports.status_fetcher, verify_list=verify_list, now=now)


def _without_status(ports: VerifierPorts) -> VerifierPorts:
    """A status list credential is not itself status-checked: that would recurse without end."""
    return replace(ports, status_fetcher=None)


async def _endorsements(
    credential: dict[str, Any], authentic: bool, ports: VerifierPorts, depth: int, deadline: Deadline
) -> CheckResult:
    if not authentic:
        return skipped("endorsements", "Skipped because the signature was not verified.", required=False)

    async def verify(item: dict[str, Any] | str) -> VerificationReport:
        try:
            parsed = (
                ParsedInput("jwt", jwt_credential(item, ports.limits.max_json_depth), jwt=item)
                if isinstance(item, str)
                else ParsedInput("json", item)
            )
        except UnreadableInput as exc:
            return unreadable_report(str(exc), ports.clock())
        return await verify_parsed(parsed, ports, depth=depth + 1, deadline=deadline)

    return await check_endorsements(credential, verify=verify if depth < MAX_ENDORSEMENT_DEPTH else None)
