"""CLR 2.0 ClrCredential (STANDARDS.md §5): render the unsigned learner record bundling stored credentials.

Pure: the issuer profile, the learner, the bundled credentials (each exactly as stored: the parsed JSON of an `ldp`
credential, the compact JWS of a `jwt` one), the composite-to-component associations, the clock reading and a
salt in; the ClrCredential dict out. Same serialization rules as issuer.render: arrays for multi-valued
properties, no nulls, no empty arrays.

`@context` is the VC 2.0 context, the CLR 2.0.1 context and the OB 3.0.3 context, in that order (STANDARDS.md §5):
the CLR context defines ClrCredential, ClrSubject and Association, the OB context the Profile, Achievement and
IdentityObject terms the record uses. No `credentialSchema`: its validator type would need the OB extensions
context, which STANDARDS.md §5 does not list.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credentials.proofs import format_date_time_stamp
from credentials.proofs.vc_jwt import MalformedJwt, credential_from_payload, decode_unverified
from issuer.render import email_identity, issuer_object
from schemas import ob
from schemas.issuance import Recipient

CLR_CONTEXT = (ob.VC_V2_CONTEXT, ob.CLR_CONTEXT, ob.OB_CONTEXT)
CLR_TYPE = ("VerifiableCredential", ob.CLR_CREDENTIAL_TYPE)
IS_PARENT_OF = "isParentOf"


@dataclass(frozen=True, slots=True)
class Association:
    """CLR 2.0 Association: `source` (a composite achievement's id) isParentOf `target` (a component's)."""

    source: str
    target: str


def credential_json(entry: Mapping[str, Any] | str) -> dict[str, Any] | None:
    """The credential of a bundled entry: the JSON itself, or the one a VC-JWT carries (None when unreadable)."""
    if not isinstance(entry, str):
        return dict(entry)
    try:
        _, payload = decode_unverified(entry)
    except MalformedJwt:
        return None
    credential, _ = credential_from_payload(payload)
    return credential


def achievement_of(entry: Mapping[str, Any] | str) -> dict[str, Any] | None:
    """OB 3.0 §B.1 AchievementSubject `achievement` of a credential, when it has one with an id."""
    credential = credential_json(entry)
    subject = credential.get("credentialSubject") if credential is not None else None
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
        return dict(achievement)
    return None


def render_clr(
    *,
    clr_id: str,
    issuer_profile: Mapping[str, Any],
    learner: Recipient,
    credentials: Sequence[Mapping[str, Any] | str],
    associations: Iterable[Association],
    now: datetime,
    salt: str,
    partial: bool = False,
) -> dict[str, Any]:
    """CLR 2.0 ClrCredential (STANDARDS.md §5), unsigned; `credentials` must not be empty (ClrSubject 1..*)."""
    if not credentials:
        raise ValueError("a ClrSubject bundles at least one credential")
    issuer = issuer_object(issuer_profile)
    issuer_name = issuer.get("name")
    name = f"Comprehensive Learner Record from {issuer_name}" if isinstance(issuer_name, str) else None
    record: dict[str, Any] = {
        "@context": list(CLR_CONTEXT),
        "id": clr_id,
        "type": list(CLR_TYPE),
        "name": name or "Comprehensive Learner Record",
        "issuer": issuer,
        "validFrom": format_date_time_stamp(now),
    }
    if partial:
        record["partial"] = True
    record["credentialSubject"] = _subject(learner, credentials, associations, salt)
    return record


def _subject(
    learner: Recipient,
    credentials: Sequence[Mapping[str, Any] | str],
    associations: Iterable[Association],
    salt: str,
) -> dict[str, Any]:
    """CLR 2.0 ClrSubject: the learner (a DID as `id`, or a hashed email identifier, as our OB credentials name
    them), the credentials as stored, their achievements once each, and the associations."""
    subject: dict[str, Any] = {}
    if learner.did is not None:
        subject["id"] = learner.did
    subject["type"] = ["ClrSubject"]
    if learner.email is not None:
        subject["identifier"] = [email_identity(learner.email, salt)]
    subject["verifiableCredential"] = [
        entry if isinstance(entry, str) else copy.deepcopy(dict(entry)) for entry in credentials
    ]
    achievements: dict[str, dict[str, Any]] = {}
    for entry in credentials:
        achievement = achievement_of(entry)
        if achievement is not None:
            achievements.setdefault(achievement["id"], copy.deepcopy(achievement))
    if achievements:
        subject["achievement"] = list(achievements.values())
    links = [_association(link) for link in dict.fromkeys(associations)]
    if links:
        subject["association"] = links
    return subject


def _association(link: Association) -> dict[str, Any]:
    return {"type": "Association", "associationType": IS_PARENT_OF, "sourceId": link.source, "targetId": link.target}
