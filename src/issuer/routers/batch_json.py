"""Issue 3 batch and job results as JSON text, with each credential spliced in exactly as stored.

As for `POST /api/v1/credentials` (issuer.routers.stored_json), a credential is never parsed and re-serialised on its
way out; neither is a stored problem.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from issuer.batch_items import ItemOutcome, problem_json
from issuer.repositories.jobs import ItemRow, ResultsPage
from issuer.routers.stored_json import stored_value


def raw_object(members: Mapping[str, Any], raw: Mapping[str, str | None]) -> str:
    """`members` as a JSON object, followed by the members of `raw` whose JSON text is given (None: left out)."""
    head = json.dumps(dict(members), ensure_ascii=False, separators=(",", ":"))
    tail = ",".join(f"{json.dumps(name)}:{text}" for name, text in raw.items() if text is not None)
    if not tail:
        return head
    return f"{head[:-1]}{',' if members else ''}{tail}}}"


def _outcome(index: int, outcome: ItemOutcome) -> str:
    credential = outcome.credential
    members: dict[str, Any] = {"index": index, "status": outcome.status}
    if credential is not None:
        members["id"] = str(credential.id)
    if outcome.claim_url is not None:
        members["claim_url"] = outcome.claim_url
    return raw_object(
        members,
        {
            "credential": stored_value(credential) if credential is not None else None,
            "error": problem_json(outcome.problem) if outcome.problem is not None else None,
        },
    )


def batch_body(outcomes: Sequence[ItemOutcome]) -> bytes:
    """BatchResponse: counts, then one result per item in order."""
    succeeded = sum(1 for outcome in outcomes if outcome.succeeded)
    results = ",".join(_outcome(index, outcome) for index, outcome in enumerate(outcomes))
    counts = {"succeeded": succeeded, "failed": len(outcomes) - succeeded}
    return raw_object(counts, {"results": f"[{results}]"}).encode()


def _item(row: ItemRow, claim_urls: Mapping[uuid.UUID, str]) -> str:
    item, credential = row.item, row.credential
    members: dict[str, Any] = {"index": item.item_index, "state": item.status}
    if item.http_status is not None:
        members["status"] = item.http_status
    if item.credential_id is not None:
        members["id"] = str(item.credential_id)
        if item.credential_id in claim_urls:
            members["claim_url"] = claim_urls[item.credential_id]
    stored = stored_value(credential) if credential is not None else None
    return raw_object(members, {"credential": stored, "error": item.error})


def results_body(
    job_id: uuid.UUID, page: ResultsPage, *, offset: int, limit: int, claim_urls: Mapping[uuid.UUID, str]
) -> bytes:
    """JobResultsPage; `claim_urls` holds the live claim link (issue 6) of each credential that has one."""
    members = {"job_id": str(job_id), "total": page.total, "offset": offset, "limit": limit}
    results = ",".join(_item(row, claim_urls) for row in page.rows)
    return raw_object(members, {"results": f"[{results}]"}).encode()
