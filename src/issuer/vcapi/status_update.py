"""VC-API §"Update Status" (`POST /credentials/status`): set or clear a VC-API credential's status bit.

Two request dialects are in use, both accepted:

- VCALM 0.9 (and the W3C bsl test suite): `{"credentialId", "credentialStatus": {"type": "BitstringStatusListEntry",
  "statusPurpose": "revocation" | "suspension"}, "status": true | false}`; the bsl suite leaves `status` out and
  means true;
- DCC status services: `{"credentialId", "credentialStatus": [{"type": "BitstringStatusListCredential",
  "status": "revoked" | "suspended" | "unsuspended"}]}` (the type may also be BitstringStatusListEntry).

`credentialId` is the credential's `id`, the `urn:uuid:` id it was stored under when it had none (or was not the
first with its `id`), the API's credential uuid, or the `id` of one of its status entries. Setting a bit that is
already set (or clearing one that is clear) changes nothing and answers 200: the request states the status wanted.
Revocation stays final (409), as in `/api/v1/credentials/{id}/revoke`.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from issuer import credential_records as records
from issuer.achievements import FieldProblem, Loc
from issuer.db import write_session
from issuer.errors import NotFound
from issuer.models import Credential
from issuer.principal import Principal
from issuer.status_list_publishing import list_id_of_url
from issuer.status_lists import StatusAction, StatusChangeRefused, status_list_url
from issuer.vcapi.errors import InvalidStatusRequest, StatusEntryNotEmbedded
from issuer.vcapi.issuance import VcApiPorts
from issuer.vcapi.signing_issuer import vcapi_issuer
from issuer.vcapi.status_entries import REVOCATION, SUSPENSION, embedded_entry_ids

ENTRY_TYPES: Final = frozenset({"BitstringStatusListEntry", "BitstringStatusList", "BitstringStatusListCredential"})
DCC_STATUSES: Final = {
    "revoked": (REVOCATION, True),
    "suspended": (SUSPENSION, True),
    "unsuspended": (SUSPENSION, False),
}
CREDENTIAL_ID_MAX: Final = 2_000


@dataclass(frozen=True, slots=True)
class StatusChange:
    """Which credential, which list (`purpose`), and whether its bit is to be set (`value`) or cleared."""

    credential_id: str
    purpose: str
    value: bool


@dataclass(frozen=True, slots=True)
class StatusUpdated:
    credential: Credential
    changed: bool


def _refuse(loc: Loc, msg: str, type_: str = "value_error") -> InvalidStatusRequest:
    return InvalidStatusRequest([FieldProblem(loc, msg, type_)])


def _entry_of(body: Mapping[str, Any]) -> tuple[dict[str, Any], Loc]:
    status = body.get("credentialStatus")
    loc: Loc = ("credentialStatus",)
    if isinstance(status, list) and len(status) == 1:
        status, loc = status[0], ("credentialStatus", 0)
    if not isinstance(status, dict):
        raise _refuse(loc, "one status entry object: {type, statusPurpose} or [{type, status}]", "missing")
    if status.get("type") not in ENTRY_TYPES:
        raise _refuse((*loc, "type"), "supported: BitstringStatusListEntry", "unsupported")
    return status, loc


def _purpose_and_value(body: Mapping[str, Any], entry: Mapping[str, Any], loc: Loc) -> tuple[str, bool]:
    named = entry.get("status")
    purpose = entry.get("statusPurpose")
    if isinstance(named, str):
        if named not in DCC_STATUSES:
            raise _refuse((*loc, "status"), f"one of {', '.join(DCC_STATUSES)}", "unsupported")
        wanted, value = DCC_STATUSES[named]
        if purpose not in (None, wanted):
            raise _refuse((*loc, "statusPurpose"), f"status {named!r} is a {wanted} status")
        return wanted, value
    if purpose not in (REVOCATION, SUSPENSION):
        raise _refuse((*loc, "statusPurpose"), "revocation or suspension", "unsupported")
    value = body.get("status", named if named is not None else True)
    if not isinstance(value, bool):
        raise _refuse(("status",), "true (set the bit) or false (clear it)")
    return purpose, value


def parse_status_request(body: Mapping[str, Any]) -> StatusChange:
    """VC-API §"Update Status" request, either dialect (module docstring); InvalidStatusRequest (400) otherwise."""
    credential_id = body.get("credentialId")
    if not isinstance(credential_id, str) or not 0 < len(credential_id) <= CREDENTIAL_ID_MAX:
        raise _refuse(("credentialId",), "the credential's id (or the id of its status entry)", "missing")
    entry, loc = _entry_of(body)
    purpose, value = _purpose_and_value(body, entry, loc)
    return StatusChange(credential_id, purpose, value)


def _candidates(issuer_id: uuid.UUID, credential_id: str, base_url: str) -> Select[Credential]:
    """The issuer's credentials `credential_id` can name: own/stored id, API uuid, or a status entry id."""
    names = [Credential.credential_id == credential_id]
    with contextlib.suppress(ValueError):
        names.append(Credential.id == uuid.UUID(credential_id))
    url, _, fragment = credential_id.partition("#")
    list_id = list_id_of_url(url, base_url)
    if list_id is not None and fragment.isdigit() and len(fragment) < 10:
        index = int(fragment)
        names.append(and_(Credential.revocation_list_id == list_id, Credential.revocation_index == index))
        names.append(and_(Credential.suspension_list_id == list_id, Credential.suspension_index == index))
    return select(Credential).where(Credential.issuer_id == issuer_id, or_(*names)).order_by(Credential.issued_at)


def _action(current: str, change: StatusChange) -> StatusAction | None:
    """The status action that makes the bit what is asked for, or None when it already is; clearing a revocation
    bit is StatusChangeRefused (409)."""
    if change.purpose == REVOCATION:
        if change.value:
            return None if current == "revoked" else StatusAction.REVOKE
        if current == "revoked":
            raise StatusChangeRefused("the credential is revoked, and revocation is final")
        return None
    if change.value:
        return None if current == "suspended" else StatusAction.SUSPEND
    return None if current == "active" else StatusAction.REINSTATE


def _check_embedded(credential: Credential, purpose: str, base_url: str) -> None:
    """The credential itself must carry the entry whose bit would change (issuer.vcapi.status_entries)."""
    list_id: uuid.UUID | None = credential.revocation_list_id
    index: int | None = credential.revocation_index
    if purpose == SUSPENSION:
        list_id, index = credential.suspension_list_id, credential.suspension_index
    entry_id = f"{status_list_url(base_url, list_id)}#{index}" if list_id is not None else None
    document = json.loads(credential.document) if credential.format == "ldp" else {}
    if entry_id is None or entry_id not in embedded_entry_ids(document):
        raise StatusEntryNotEmbedded(f"the credential carries no {purpose} status entry of this service")


def update_vcapi_status(
    issuer_id: uuid.UUID, caller: Principal | None, change: StatusChange, ports: VcApiPorts
) -> StatusUpdated:
    """VC-API §"Update Status": committed on return. NotFound (404) for no such credential of the VC-API issuer,
    StatusEntryNotEmbedded or StatusChangeRefused (409)."""
    with write_session(ports.sessions) as session:
        principal, credential = _find(session, issuer_id, caller, change.credential_id, ports.base_url)
        _check_embedded(credential, change.purpose, ports.base_url)
        action = _action(credential.status, change)
        if action is None:
            return StatusUpdated(credential, changed=False)
        record = records.change_status(session, principal, credential.id, action, reason=None, now=ports.clock())
        return StatusUpdated(record.row, changed=True)


def _find(
    session: Session, issuer_id: uuid.UUID, caller: Principal | None, credential_id: str, base_url: str
) -> tuple[Principal, Credential]:
    issuer, principal = vcapi_issuer(session, issuer_id, caller)
    credential = session.scalars(_candidates(issuer.id, credential_id, base_url)).first()
    if credential is None:
        raise NotFound("no credential of the VC-API issuer has this id")
    return principal, credential
