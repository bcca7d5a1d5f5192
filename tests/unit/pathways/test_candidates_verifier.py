"""Issue 5 "Evaluate and award": candidates judged with the real verification pipeline as the verify port, and the
learner binding held to the verifier's recipient check (the issuer package restates that rule, it cannot import it).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from candidate_world import email_hash
from pathway_world import CATALOG, DC

from credentials.did import default_registry
from issuer.pathways.binding import Learner, names_learner, subjects
from issuer.pathways.candidates import Candidate, Considered, VerifyPort, consider
from issuer.pathways.inputs import CountsAs
from issuer.pathways.policy import Equivalence, PathwayPolicy
from issuer.pathways.report import judge
from issuer.pathways.rules import parse_rule
from schemas.report import CheckStatus, VerificationReport
from support.signed_badges import CANDIDATE_EMAIL, contexts, issuer_did, signed_badge, tampered
from verifier.checks.recipient import check_recipient
from verifier.parse import UnreadableInput
from verifier.service import VerifierPorts, unreadable_report, verify_input

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DL4 = "https://frameworks.example.org/data-literacy/DL-4"
RULE = {"all_of": [{"achievement": DC}]}


@asynccontextmanager
async def offline_verifier() -> AsyncIterator[VerifyPort]:
    """verifier.service.verify_input over did:key without any network, adapted to the port as the service would:
    unreadable bytes get the verifier's own unreadable report instead of an exception."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"offline: {request.url}", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        ports = VerifierPorts(
            contexts=contexts(),
            resolver=default_registry(client),
            strict_resolver=None,
            status_fetcher=None,
            clock=lambda: NOW,
        )

        async def verify(data: bytes) -> VerificationReport:
            try:
                return await verify_input(data, ports)
            except UnreadableInput as exc:
                return unreadable_report(str(exc), NOW)

        yield verify


async def judged(*items: Candidate, policy: PathwayPolicy, learner: Learner) -> Considered:
    async with offline_verifier() as verify:
        return await consider(
            items, verify=verify, policy=policy, rule=parse_rule(RULE), catalog=CATALOG, learner=learner, now=NOW
        )


def partner_policy(*equivalences: Equivalence) -> PathwayPolicy:
    return PathwayPolicy(
        own_issuers=frozenset({"did:web:uni.example"}),
        trusted_issuers=frozenset({issuer_did()}),
        equivalences=equivalences,
    )


async def test_a_signed_partner_badge_counts_through_an_alignment_equivalence_and_a_tampered_copy_does_not() -> None:
    signed = signed_badge()
    policy = partner_policy(Equivalence(issuer_did(), DC, alignment_url=DL4))
    stored = Candidate(json.dumps(signed, indent=1), stored=True)

    considered = await judged(
        Candidate(tampered(signed)), Candidate(signed), stored, policy=policy, learner=Learner(email=CANDIDATE_EMAIL)
    )

    assert [(e.reason, e.failure) for e in considered.entries] == [
        ("not_verified", "tampered"),
        ("counted", None),
        ("duplicate", None),
    ]
    assert considered.entries[1].counts_as == (CountsAs(DC, f"equivalence: {issuer_did()} alignment {DL4}"),)
    assert considered.entries[1].report is not None and considered.entries[1].report.verified
    assert judge(parse_rule(RULE), considered.counted, CATALOG).satisfied


async def test_the_real_pipeline_with_another_learner_an_untrusted_issuer_and_inputs_it_refuses() -> None:
    signed = signed_badge()
    untrusting = PathwayPolicy(own_issuers=frozenset({"did:web:uni.example"}))
    learner = Learner(email=CANDIDATE_EMAIL)
    empty_jwt = Candidate("eyJhbGciOiJub25lIn0.e30.")  # an unsigned token carrying {}
    too_deep = Candidate({**signed, "deep": json.loads("[" * 70 + "]" * 70)})  # beyond the verifier's JSON depth

    other = await judged(Candidate(signed), policy=partner_policy(), learner=Learner(email="bob@example.com"))
    untrusted = await judged(Candidate(signed), policy=untrusting, learner=learner)
    refused = await judged(empty_jwt, too_deep, policy=untrusting, learner=learner)

    assert other.entries[0].reason == "another_learner"
    assert untrusted.entries[0].reason == "untrusted_issuer" and untrusted.entries[0].verified
    assert [(e.reason, e.failure) for e in refused.entries] == [
        ("not_verified", "malformed"),
        ("not_verified", "unreadable"),
    ]
    assert refused.entries[1].report is not None and refused.entries[1].report.checks[0].id == "parse"


def _identity(**members: Any) -> dict[str, Any]:
    return {
        "credentialSubject": {"type": ["AchievementSubject"], "identifier": [{"type": "IdentityObject", **members}]}
    }


EMAIL_CASES = [
    _identity(identityType="emailAddress", hashed=True, identityHash=email_hash("ada@example.com"), salt="c4f2a1"),
    _identity(identityType="emailAddress", hashed=True, identityHash=email_hash("Ada@Example.com"), salt="c4f2a1"),
    _identity(
        identityType="emailAddress", hashed=True, identityHash=email_hash("ada@example.com", "x", "md5"), salt="x"
    ),
    _identity(identityType="emailAddress", hashed=True, identityHash=email_hash("ada@example.com", "")),
    _identity(identityType="emailAddress", hashed=True, identityHash="sha512$00", salt="c4f2a1"),
    _identity(identityType="emailAddress", hashed=False, identityHash=" ADA@example.com "),
    _identity(identityType="emailAddress", hashed="yes", identityHash="ada@example.com"),
    _identity(identityType="emailAddress", identityHash=42),
    _identity(identityType="identifier", hashed=False, identityHash="ada@example.com"),
]
DID_CASES = [
    _identity(identityType="identifier", hashed=False, identityHash="did:key:z6MkA"),
    _identity(identityType="systemId", hashed=True, identityHash=email_hash("did:key:z6MkA", "s"), salt="s"),
    _identity(identityType="emailAddress", hashed=False, identityHash="did:key:z6MkA"),
    {"credentialSubject": {"id": "did:key:z6MkA"}},
    {"credentialSubject": [{"id": "did:key:z6MkB"}, {"id": "did:key:z6MkA"}]},
    {"credentialSubject": {"id": "did:key:z6MkB"}},
    {"credentialSubject": "did:key:z6MkA"},
]
PARITY = [
    *((case, Learner(email=typed)) for case in EMAIL_CASES for typed in ("ada@example.com", "  ADA@example.com")),
    *((case, Learner(did="did:key:z6MkA")) for case in DID_CASES),
]


@pytest.mark.parametrize(("credential", "learner"), PARITY)
def test_binding_agrees_with_the_verifiers_recipient_check(credential: dict[str, Any], learner: Learner) -> None:
    verdict = check_recipient(credential, email=learner.email, did=learner.did)

    ours = any(names_learner(subject, learner) for subject in subjects(credential))

    assert ours == (verdict.status is CheckStatus.PASSED)


def test_the_parity_cases_include_matches_and_mismatches() -> None:
    answers = {check_recipient(c, email=who.email, did=who.did).status for c, who in PARITY}
    assert answers == {CheckStatus.PASSED, CheckStatus.FAILED}
