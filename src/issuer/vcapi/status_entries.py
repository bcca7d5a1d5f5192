"""Bitstring Status List v1.0 §2.1 entries for VC-API credentials, and what else the issuer adds before signing.

Pure. Every stored credential holds a revocation entry, and a suspension entry when its issuer enabled suspension
(the `credentials` table requires the first; issuer.issuance allocates the same way). Which of them the credential
itself carries (VC-API.md "bsl"):

- `options.credentialStatus` asked for entries: the purposes asked for (default: every allocated one);
- otherwise a VCDM 2.0 credential without its own `credentialStatus` carries all of them (the bsl suite expects
  every issued credential to have one, and the VC 2.0 context defines BitstringStatusListEntry);
- otherwise none: a credential with its own `credentialStatus` keeps it as sent, and a VCDM 1.1 credential gets no
  context it did not ask for (a requested entry adds the status context after the caller's contexts).

An allocated entry the credential does not carry is never read by a verifier; `/credentials/status` refuses to
change it (StatusEntryNotEmbedded) rather than pretend.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from credentials.proofs import format_date_time_stamp
from issuer.achievements import FieldProblem
from issuer.status_lists import status_list_url
from issuer.vcapi.credential_rules import VC_V1
from issuer.vcapi.errors import InvalidCredential
from issuer.vcapi.request import STATUS_ENTRY_TYPE, IssueInput
from schemas.ob import STATUS_V1_CONTEXT

REVOCATION: Final = "revocation"
SUSPENSION: Final = "suspension"
# Stands in for the real list while the credential is checked before any index is allocated: same shape, same
# JSON-LD, so the check's verdict holds for the real entry.
PROVISIONAL_LIST_ID: Final = uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class StatusPlan:
    """Which purposes get an index (`allocate`) and which of those the credential carries (`embed`)."""

    allocate: tuple[str, ...]
    embed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlacedEntry:
    """An allocated entry: its purpose, its index and the list it is in."""

    purpose: str
    index: int
    list_id: uuid.UUID


def status_plan(issue: IssueInput, *, suspension_enabled: bool) -> StatusPlan:
    """Bitstring Status List v1.0 §2.1 statusPurpose: the entries to allocate and to embed (module docstring)."""
    allocate = (REVOCATION, SUSPENSION) if suspension_enabled else (REVOCATION,)
    if issue.status.requested:
        wanted = issue.status.purposes or allocate
        if SUSPENSION in wanted and not suspension_enabled:
            loc = ("options", "credentialStatus", "statusPurpose")
            message = "the VC-API issuer has no suspension list: enable suspension on the issuer first"
            raise InvalidCredential([FieldProblem(loc, message, "unsupported")])
        return StatusPlan(allocate, tuple(p for p in allocate if p in wanted))
    if "credentialStatus" in issue.credential or issue.version == VC_V1:
        return StatusPlan(allocate, ())
    return StatusPlan(allocate, allocate)


def status_entry(entry: PlacedEntry, base_url: str) -> dict[str, Any]:
    """Bitstring Status List v1.0 §2.1 BitstringStatusListEntry (as issuer.status_lists.entry_for writes it)."""
    url = status_list_url(base_url, entry.list_id)
    return {
        "id": f"{url}#{entry.index}",
        "type": STATUS_ENTRY_TYPE,
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": url,
    }


def provisional_entries(plan: StatusPlan) -> list[PlacedEntry]:
    """Entries of the planned shape in a list that does not exist, for checking before allocating."""
    return [PlacedEntry(purpose, 0, PROVISIONAL_LIST_ID) for purpose in plan.embed]


def unsigned_credential(
    issue: IssueInput, entries: Sequence[PlacedEntry], *, base_url: str, now: datetime
) -> dict[str, Any]:
    """The credential as sent plus what the issuer adds: the embedded status entries (with the status context for
    VCDM 1.1), and for VCDM 1.1 an `issuanceDate` of now when it has none, as @digitalbazaar/vc's issue() does."""
    credential = dict(issue.credential)
    if issue.version == VC_V1 and "issuanceDate" not in credential:
        credential["issuanceDate"] = format_date_time_stamp(now)
    if not entries:
        return credential
    if issue.version == VC_V1:
        credential["@context"] = _with_context(credential["@context"], STATUS_V1_CONTEXT)
    documents = [status_entry(entry, base_url) for entry in entries]
    credential["credentialStatus"] = documents[0] if len(documents) == 1 else documents
    return credential


def _with_context(contexts: Sequence[Any], url: str) -> list[Any]:
    return list(contexts) if url in contexts else [*contexts, url]


def embedded_entry_ids(document: Mapping[str, Any]) -> frozenset[str]:
    """The `id`s of the BitstringStatusListEntry values of a stored credential's credentialStatus."""
    status = document.get("credentialStatus")
    entries = status if isinstance(status, list) else [status]
    return frozenset(
        entry["id"]
        for entry in entries
        if isinstance(entry, dict) and entry.get("type") == STATUS_ENTRY_TYPE and isinstance(entry.get("id"), str)
    )
