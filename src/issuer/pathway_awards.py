"""Issue 5 "Evaluate and award": the composite credential, issued once per learner and pathway version.

The award is an ordinary issuance (issuer.issuance, one transaction) of the pathway's composite achievement to the
learner, made by the pathway's issuer. Its `evidence` (OB 3.0 §B.1 Evidence) lists each counted credential:

- `name`: the component's achievement name; `description`: "<achievement>, issued by <issuer name> (<issuer id>)";
- `genre`: "Verifiable Credential";
- `narrative`: three lines, `credential: <its id>`, `issuer: <its issuer id>`, `digest: sha256:<hex>`, the
  SHA-256 of the exact bytes verified (for a stored credential, its stored text: the `digest` that
  `GET /api/v1/credentials/{id}` shows);
- `id`: the component's id only when it is an http(s) URL, since OB 3.0 Evidence `id` is the URL of evidence (or
  a data URI) and the API accepts nothing else there (`urn:uuid:` ids are in `narrative`).

`creditsEarned` is the total of the counted credentials' credits (creditsEarned, else the achievement's
creditsAvailable), each credential once. The award row (table `awards`) is written inside the issuing transaction
(`before_commit`): its unique (pathway_version_id, recipient_key) lets exactly one of two concurrent requests
commit; the other rolls back (no credential, no status index used) and answers with the winner's award.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import Conflict
from issuer.issuance import IssuancePorts, issue_credential
from issuer.models import Award, Credential
from issuer.pathway_evaluation import Evaluated, Judging
from issuer.pathways.candidates import Candidate, Consideration
from issuer.pathways.claims import Unreadable, read_credential
from issuer.pathways.explain import CREDIT_DIGITS
from issuer.principal import Principal
from issuer.repositories.audit import record_audit
from issuer.repositories.credentials import RecipientKey
from schemas.achievement import LIST_MAX, SHORT_TEXT_MAX
from schemas.issuance import EvidenceInput, IssueCredentialRequest, Recipient
from schemas.pathway_award_api import PathwayEvaluation

GENRE: Final = "Verifiable Credential"


class PathwayNotSatisfied(Conflict):
    """The learner's credentials do not satisfy the pathway: nothing is awarded (HTTP 409 with the evaluation)."""

    code = "PATHWAY_NOT_SATISFIED"
    title = "The pathway is not satisfied"

    def __init__(self, evaluation: PathwayEvaluation) -> None:
        super().__init__(f"Not awarded; the learner still needs: {evaluation.missing_text}")
        self.evaluation = evaluation


@dataclass(frozen=True, slots=True)
class Awarded:
    """The composite credential, the evaluation it was awarded on (wire JSON), and whether it was made now."""

    credential: Credential
    evaluation: dict[str, Any]
    created: bool


def existing_award(
    session: Session, organization_id: uuid.UUID, version_id: uuid.UUID, key: RecipientKey
) -> Awarded | None:
    """The award already made to this learner for this pathway version, if any."""
    row = session.scalar(
        select(Award).where(
            Award.organization_id == organization_id,
            Award.pathway_version_id == version_id,
            Award.recipient_key == key.key,
        )
    )
    if row is None:
        return None
    credential = session.get_one(Credential, row.credential_row_id)
    # Through the model again: PostgreSQL's JSONB keeps no member order, the answer should.
    evaluation = PathwayEvaluation.model_validate(row.evaluation).model_dump(mode="json")
    return Awarded(credential, evaluation, created=False)


def award_composite(
    session: Session,
    principal: Principal,
    judging: Judging,
    evaluated: Evaluated,
    candidates: Sequence[Candidate],
    *,
    recipient: Recipient,
    key: RecipientKey,
    ports: IssuancePorts,
) -> Awarded:
    """Issue the composite credential for a satisfied evaluation (PathwayNotSatisfied otherwise); committed.

    `session` is a write session; an award already made (now, or by a concurrent request) is returned instead.
    """
    evaluation = evaluated.evaluation
    if not evaluation.satisfied:
        raise PathwayNotSatisfied(evaluation)
    organization_id = principal.organization_id
    earlier = existing_award(session, organization_id, judging.version_id, key)
    if earlier is not None:
        return earlier
    document = evaluation.model_dump(mode="json")
    request = composite_request(judging, evaluated, candidates, recipient)

    def record(session: Session, credential: Credential) -> None:
        award = Award(
            organization_id=organization_id,
            pathway_id=judging.pathway_id,
            pathway_version_id=judging.version_id,
            recipient_key=key.key,
            credential_row_id=credential.id,
            evaluation=document,
            created_at=credential.issued_at,
        )
        session.add(award)
        session.flush()
        record_audit(
            session,
            organization_id=organization_id,
            actor=principal.actor,
            action="pathway.award",
            subject=f"pathway:{judging.pathway_id}/versions/{judging.version}/awards/{award.id}",
            at=credential.issued_at,
        )

    try:
        issued = issue_credential(session, principal, request, idempotency_key=None, ports=ports, before_commit=record)
    except IntegrityError:
        # A concurrent request awarded first (the unique pathway version and learner): answer with its award.
        session.rollback()
        earlier = existing_award(session, organization_id, judging.version_id, key)
        if earlier is None:
            raise Conflict("a concurrent request kept the award from being stored; send it again") from None
        return earlier
    return Awarded(issued.credential, document, created=True)


def composite_request(
    judging: Judging, evaluated: Evaluated, candidates: Sequence[Candidate], recipient: Recipient
) -> IssueCredentialRequest:
    """The issuance request of the composite achievement: the learner, the evidence, the total credits."""
    counted = [entry for entry in evaluated.considered.entries if entry.counted]
    used = set(evaluated.evaluation.rule.credentials)
    # At most LIST_MAX evidence items: the credentials that met the rule first, then the other counted ones.
    cited = sorted(counted, key=lambda entry: entry.id not in used)[:LIST_MAX]
    credits = sum(
        (c.credits_earned if c.credits_earned is not None else c.credits_available or 0.0)
        for c in evaluated.considered.counted
    )
    return IssueCredentialRequest(
        achievement_id=judging.composite_id,
        recipient=recipient,
        evidence=[_evidence(entry, candidates[entry.index]) for entry in cited] or None,
        creditsEarned=round(credits, CREDIT_DIGITS) if credits > 0 else None,
    )


def _evidence(entry: Consideration, candidate: Candidate) -> EvidenceInput:
    """OB 3.0 §B.1 Evidence citing one counted credential (module docstring); the digest is always there."""
    digest = f"digest: sha256:{entry.digest}"
    name = (entry.achievement_name or "Credential")[:SHORT_TEXT_MAX]
    issuer = _issuer_name(candidate)
    by = f"{issuer} ({entry.issuer})" if issuer else str(entry.issuer)
    link = entry.id if entry.id is not None and entry.id.startswith(("https://", "http://")) else None
    try:
        return EvidenceInput(
            id=link,
            name=name,
            description=f"{name}, issued by {by}",
            genre=GENRE,
            narrative=f"credential: {entry.id}\nissuer: {entry.issuer}\n{digest}",
        )
    except ValidationError:
        # A partner's id or names that the API would refuse (too long, unstorable characters): the digest still is.
        return EvidenceInput(name=GENRE, genre=GENRE, narrative=digest)


def _issuer_name(candidate: Candidate) -> str | None:
    try:
        issuer = read_credential(candidate.credential).get("issuer")
    except Unreadable:
        return None
    name = issuer.get("name") if isinstance(issuer, dict) else None
    return name if isinstance(name, str) and name.strip() else None
