"""Builders for candidate tests: OB 3.0 credentials as plain dicts, verification reports, and a fake verify port.

The fake port is a real dependency-free port: it reads the credential id from the bytes it is given (JSON text or
the payload of a compact JWS) and answers the report the test assigned to that id, a verified one otherwise.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pathway_world import CATALOG, DC

from issuer.pathways.binding import Learner
from issuer.pathways.candidates import Candidate, Considered, VerifyPort, consider
from issuer.pathways.policy import PathwayPolicy
from issuer.pathways.rules import parse_rule
from schemas.report import CHECK_IDS, CheckResult, CheckStatus, ProblemDetails, VerificationReport

OWN = "did:web:uni.example"
PARTNER = "did:web:partner.example"
STRANGER = "did:web:stranger.example"
EMAIL = "ada@example.com"
LEARNER_DID = "did:key:z6MkLearner"
SALT = "c4f2a1"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RECENT = "2026-01-10T00:00:00Z"
POLICY = PathwayPolicy(own_issuers=frozenset({OWN}), trusted_issuers=frozenset({PARTNER}))
RULE = {"all_of": [{"achievement": DC}]}


def email_hash(email: str, salt: str = SALT, algorithm: str = "sha256") -> str:
    """OB 3.0 §B.2.4 IdentityHash, written out here so the tests do not lean on the code under test."""
    return f"{algorithm}${hashlib.new(algorithm, (email + salt).encode()).hexdigest()}"


def email_identity(email: str = EMAIL, salt: str = SALT) -> dict[str, Any]:
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": email_hash(email, salt),
        "identityType": "emailAddress",
        "salt": salt,
    }


def badge(
    id_: str,
    achievement: str = DC,
    *,
    issuer: str = OWN,
    identifier: list[dict[str, Any]] | None = None,
    subject_id: str | None = None,
    dates: Mapping[str, str] | None = None,
    alignment: list[dict[str, Any]] | None = None,
    credits_available: float | None = None,
    **subject: Any,
) -> dict[str, Any]:
    """An OB 3.0 OpenBadgeCredential for `achievement`, issued to EMAIL unless told otherwise; `subject` adds
    AchievementSubject members (creditsEarned, result)."""
    described: dict[str, Any] = {"id": achievement, "type": ["Achievement"], "name": f"Badge {achievement}"}
    if alignment is not None:
        described["alignment"] = alignment
    if credits_available is not None:
        described["creditsAvailable"] = credits_available
    credential_subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": described, **subject}
    if subject_id is not None:
        credential_subject["id"] = subject_id
    if identifier is not None or subject_id is None:
        credential_subject["identifier"] = identifier if identifier is not None else [email_identity()]
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": id_,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": issuer},
        **(dict(dates) if dates is not None else {"validFrom": RECENT}),
        "credentialSubject": credential_subject,
    }


def unsigned_jwt(credential: Mapping[str, Any]) -> str:
    """A compact JWS shape carrying `credential` (VCDM 2.0 payload); its signature is the fake port's business."""

    def segment(value: Mapping[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{segment({'alg': 'EdDSA', 'typ': 'JWT'})}.{segment(credential)}.c2lnbmF0dXJl"


def check(id_: str, status: CheckStatus, *codes: str, required: bool = True) -> CheckResult:
    problems = [ProblemDetails(type=f"urn:test:{code}", code=code, title=code) for code in codes]
    return CheckResult(id=id_, status=status, required=required, problems=problems)


def report(*changed: CheckResult) -> VerificationReport:
    """A credential report: every check passed (recipient and endorsements skipped) except the `changed` ones."""
    checks = {id_: check(id_, CheckStatus.PASSED) for id_ in CHECK_IDS}
    checks["recipient"] = check("recipient", CheckStatus.SKIPPED, required=False)
    checks["endorsements"] = check("endorsements", CheckStatus.SKIPPED, required=False)
    checks.update({item.id: item for item in changed})
    listed = [checks[id_] for id_ in CHECK_IDS]
    verified = all(
        c.status is CheckStatus.PASSED or (c.status is CheckStatus.SKIPPED and not c.required) for c in listed
    )
    return VerificationReport(verified=verified, checks=listed, checked_at=NOW)


VERIFIED = report()


class FakeVerifier:
    """A verify port answering by credential id; records the ids it saw and the most calls in flight at once."""

    def __init__(self, reports: Mapping[str, VerificationReport] | None = None) -> None:
        self.reports = dict(reports or {})
        self.seen: list[str | None] = []
        self.active = 0
        self.peak = 0

    async def __call__(self, data: bytes) -> VerificationReport:
        self.active += 1
        self.peak = max(self.peak, self.active)
        await asyncio.sleep(0)  # let other verifications start, as real network-bound ones would
        self.active -= 1
        id_ = _credential_id(data.decode())
        self.seen.append(id_)
        return self.reports.get(id_ or "", VERIFIED)


def _credential_id(text: str) -> str | None:
    if text.count(".") == 2 and not text.lstrip().startswith("{"):
        payload = text.split(".")[1]
        document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    else:
        document = json.loads(text)
    value = document.get("id")
    return value if isinstance(value, str) else None


async def run(
    *items: Candidate | Mapping[str, Any] | str,
    verifier: VerifyPort | None = None,
    policy: PathwayPolicy = POLICY,
    rule: Mapping[str, Any] = RULE,
    learner: Learner | None = None,
    concurrency: int = 8,
) -> Considered:
    """`consider` with the test world's defaults; plain dicts and strings are presented candidates."""
    candidates = [item if isinstance(item, Candidate) else Candidate(item) for item in items]
    return await consider(
        candidates,
        verify=verifier or FakeVerifier(),
        policy=policy,
        rule=parse_rule(rule),
        catalog=CATALOG,
        learner=learner or Learner(email=EMAIL),
        now=NOW,
        concurrency=concurrency,
    )
