"""The verification pipeline (ARCHITECTURE.md "Verify"): parse -> conformance -> proof -> proof purpose ->
validity -> status -> recipient -> endorsements -> report. Shared by the CLI and, later, the HTTP service.

Checks run in that order and every id always appears. A check that needs an authentic credential (proof
purpose, status, endorsements) is SKIPPED with the reason when the proof did not pass, so a forged credential
never makes the server fetch the URLs it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from credentials.did.resolver import DidResolverRegistry
from credentials.jsonld import ContextStore
from credentials.status.fetch import StatusListFetcher
from schemas.report import CheckResult, CheckStatus, VerificationReport
from verifier.checks.conformance import check_conformance
from verifier.checks.endorsements import check_endorsements
from verifier.checks.proof import DEFAULT_SUITES, ProofOutcome, check_data_integrity, check_jwt
from verifier.checks.proof_purpose import check_proof_purpose, issuer_id
from verifier.checks.recipient import check_recipient
from verifier.checks.status import ListVerdict, check_status
from verifier.checks.validity import check_validity
from verifier.parse import Limits, ParsedInput, UnreadableInput, jwt_credential, parse_input
from verifier.problems import failed, passed, problem, skipped
from verifier.summary import summarize

MAX_ENDORSEMENT_DEPTH = 1


@dataclass(frozen=True, slots=True)
class VerifierPorts:
    """Every effect the pipeline uses, injected. `strict_resolver`/`status_fetcher` are None when offline."""

    contexts: ContextStore
    resolver: DidResolverRegistry
    strict_resolver: DidResolverRegistry | None
    status_fetcher: StatusListFetcher | None
    clock: Callable[[], datetime]
    skew: timedelta = timedelta(minutes=5)
    suites: frozenset[str] = DEFAULT_SUITES
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    recipient_email: str | None = None
    recipient_did: str | None = None


def is_verified(checks: list[CheckResult]) -> bool:
    """True only when every required check passed or was skipped by policy (ARCHITECTURE.md)."""
    return all(c.status is CheckStatus.PASSED or (c.status is CheckStatus.SKIPPED and not c.required) for c in checks)


async def verify_input(
    data: bytes, ports: VerifierPorts, options: VerifyOptions = VerifyOptions()
) -> VerificationReport:
    """Parse bytes (UnreadableInput propagates: there is nothing to report on) and verify what was found."""
    return await verify_parsed(parse_input(data, ports.limits), ports, options)


async def verify_parsed(
    parsed: ParsedInput, ports: VerifierPorts, options: VerifyOptions = VerifyOptions(), *, depth: int = 0
) -> VerificationReport:
    now = ports.clock()
    credential = parsed.document
    if parsed.is_presentation:
        return _unsupported_presentation(parsed, now)
    checks = [passed("parse", _parse_explanation(parsed)), check_conformance(credential, ports.contexts)]
    outcome = await _proof(parsed, ports)
    checks.append(outcome.result)
    authentic = outcome.result.status is CheckStatus.PASSED
    checks.append(await _purpose(credential, outcome, ports))
    checks.append(check_validity(credential, now=now, skew=ports.skew))
    checks.append(await _status(credential, authentic, ports, now))
    checks.append(check_recipient(credential, email=options.recipient_email, did=options.recipient_did))
    checks.append(await _endorsements(credential, authentic, ports, depth))
    return VerificationReport(
        verified=is_verified(checks), checks=checks, credential=summarize(credential, parsed.container), checked_at=now
    )


def _parse_explanation(parsed: ParsedInput) -> str:
    where = {"json": "JSON", "jwt": "a JWT", "png": "a baked PNG image", "svg": "a baked SVG image"}[parsed.container]
    kind = "a JWT inside " if parsed.jwt and parsed.container in {"png", "svg"} else ""
    return f"Read a credential from {kind}{where}."


def unreadable_report(reason: str, now: datetime, code: str = "PARSING_ERROR") -> VerificationReport:
    """A report whose `parse` check failed: every later check is skipped, `verified` is false."""
    checks = [failed("parse", [problem(code, "The input could not be read as a credential", reason)], reason)]
    checks += [skipped(check_id, "Skipped because the input was not a credential.") for check_id in _LATER_CHECKS]
    return VerificationReport(verified=False, checks=checks, checked_at=now)


def _unsupported_presentation(parsed: ParsedInput, now: datetime) -> VerificationReport:
    reason = "This is a verifiable presentation; this pipeline verifies credentials."
    return unreadable_report(reason, now, code="UNSUPPORTED_INPUT")


_LATER_CHECKS = ("conformance", "proof", "proof_purpose", "validity", "status", "recipient", "endorsements")


async def _proof(parsed: ParsedInput, ports: VerifierPorts) -> ProofOutcome:
    if parsed.jwt is not None:
        return await check_jwt(parsed.jwt, resolver=ports.resolver)
    return await check_data_integrity(
        parsed.document, resolver=ports.resolver, contexts=ports.contexts, suites=ports.suites
    )


async def _purpose(credential: dict[str, Any], outcome: ProofOutcome, ports: VerifierPorts) -> CheckResult:
    if outcome.result.status is not CheckStatus.PASSED:
        return skipped("proof_purpose", "Skipped because the signature did not verify.")
    if not outcome.methods:
        return failed(
            "proof_purpose",
            [problem("INVALID_VERIFICATION_METHOD", "The key is not bound to the issuer", "embedded key")],
            "The token carries its own key; nothing ties that key to the issuer.",
        )
    return await check_proof_purpose(credential, outcome.methods, strict_resolver=ports.strict_resolver)


async def _status(credential: dict[str, Any], authentic: bool, ports: VerifierPorts, now: datetime) -> CheckResult:
    if not authentic:
        return skipped(
            "status",
            "Skipped because the signature did not verify; status lists named by an "
            "unverified credential are not fetched.",
        )

    issuer = issuer_id(credential)

    async def verify_list(list_credential: dict[str, Any]) -> ListVerdict:
        report = await verify_parsed(ParsedInput("json", list_credential), _without_status(ports))
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
    return VerifierPorts(
        contexts=ports.contexts,
        resolver=ports.resolver,
        strict_resolver=ports.strict_resolver,
        status_fetcher=None,
        clock=ports.clock,
        skew=ports.skew,
        suites=ports.suites,
        limits=ports.limits,
    )


async def _endorsements(credential: dict[str, Any], authentic: bool, ports: VerifierPorts, depth: int) -> CheckResult:
    if not authentic:
        return skipped("endorsements", "Skipped because the signature did not verify.", required=False)

    async def verify(item: dict[str, Any] | str) -> VerificationReport:
        try:
            parsed = (
                ParsedInput("jwt", jwt_credential(item), jwt=item)
                if isinstance(item, str)
                else ParsedInput("json", item)
            )
        except UnreadableInput as exc:
            return unreadable_report(str(exc), ports.clock())
        return await verify_parsed(parsed, ports, depth=depth + 1)

    return await check_endorsements(credential, verify=verify if depth < MAX_ENDORSEMENT_DEPTH else None)
