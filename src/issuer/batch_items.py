"""Issue 3 batch items: each item is validated on its own and issued in its own transaction by issue_credential.

An item's outcome is what `POST /api/v1/credentials` would have answered for it: 201 with the new credential, 200
with the credential an earlier request with the same idempotency key stored, or the problem (422 for an invalid
item, 404, 409, ...). A failing item changes nothing for the others, and leaves nothing behind: issue_credential
rolls its own transaction back. Unexpected errors (bugs, a key that does not open) become a 500 problem for that
item alone in the synchronous batch, with the details only in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from issuer.achievements import FieldError
from issuer.db import write_session
from issuer.errors import IssuerError
from issuer.issuance import BeforeCommit, IssuancePorts, issue_credential
from issuer.models import Credential
from issuer.principal import Principal
from issuer.wallets.claim_links import claim_link_for
from schemas.batch import BatchItem
from schemas.issuance import IssueCredentialRequest
from schemas.problem import Problem, problem_type

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "INTERNAL_ERROR"


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """`status` as the single endpoint would answer; `credential` on success (201/200), `problem` otherwise."""

    status: int
    credential: Credential | None = None
    problem: Problem | None = None
    # Issue 6: the learner's claim link of a credential issued or replayed here.
    claim_url: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.credential is not None


def validation_problem(exc: ValidationError) -> Problem:
    """422 VALIDATION_ERROR as the API's handler writes it: location (under `body`), message and type; no input."""
    errors = [
        {"loc": ["body", *(str(part) for part in error["loc"])], "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]
    return Problem(
        type=problem_type("VALIDATION_ERROR"),
        title="The request is not valid",
        status=422,
        detail="see errors",
        code="VALIDATION_ERROR",
        errors=errors,
    )


def problem_of(exc: IssuerError) -> Problem:
    """RFC 9457 problem of a domain error, as the API's handler renders it (credstack.problems)."""
    errors = exc.errors() if isinstance(exc, FieldError) else None
    return Problem(
        type=problem_type(exc.code), title=exc.title, status=exc.status, detail=exc.detail, code=exc.code, errors=errors
    )


def internal_problem() -> Problem:
    return Problem(
        type=problem_type(INTERNAL_ERROR),
        title="Internal Server Error",
        status=500,
        detail="an internal error occurred; it has been logged",
        code=INTERNAL_ERROR,
    )


def problem_json(problem: Problem) -> str:
    """The problem as stored with a job item and spliced into responses."""
    return problem.model_dump_json(exclude_none=True)


def parse_item(raw: Any) -> BatchItem | Problem:
    """One item validated on its own (any JSON value may arrive: only the envelope was validated)."""
    try:
        return BatchItem.model_validate(raw)
    except ValidationError as exc:
        return validation_problem(exc)


def issue_item(
    sessions: sessionmaker[Session],
    principal: Principal,
    request: IssueCredentialRequest,
    *,
    idempotency_key: str | None,
    ports: IssuancePorts,
    before_commit: BeforeCommit | None = None,
) -> ItemOutcome:
    """OB 3.0 §B.1 issuance of one item in its own write transaction; domain errors become the item's problem.

    201 means a new credential was stored, and `before_commit` ran in its transaction; 200 a replayed key.
    """
    try:
        with write_session(sessions) as session:
            issued = issue_credential(
                session,
                principal,
                request,
                idempotency_key=idempotency_key,
                ports=ports,
                before_commit=before_commit,
            )
            claim = claim_link_for(
                session, issued.credential, master=ports.master, base_url=ports.base_url, now=ports.clock()
            )
    except IssuerError as exc:
        return ItemOutcome(exc.status, problem=problem_of(exc))
    return ItemOutcome(200 if issued.replayed else 201, credential=issued.credential, claim_url=claim.url)


def issue_batch(
    sessions: sessionmaker[Session], principal: Principal, items: Sequence[Any], *, ports: IssuancePorts
) -> list[ItemOutcome]:
    """Issue 3 synchronous batch: every item in order, each on its own (its own validation and transaction)."""
    return [_issue_one(sessions, principal, raw, ports) for raw in items]


def _issue_one(sessions: sessionmaker[Session], principal: Principal, raw: Any, ports: IssuancePorts) -> ItemOutcome:
    item = parse_item(raw)
    if isinstance(item, Problem):
        return ItemOutcome(item.status, problem=item)
    try:
        return issue_item(sessions, principal, item.issue_request(), idempotency_key=item.idempotency_key, ports=ports)
    except Exception:
        # One item's infrastructure failure or bug must not lose the results of the items already issued.
        logger.exception("batch item failed unexpectedly")
        return ItemOutcome(500, problem=internal_problem())
