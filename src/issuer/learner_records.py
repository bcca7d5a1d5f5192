"""CLR 2.0 ClrCredential (STANDARDS.md §5) of one learner, signed on request (issue 5 `GET /api/v1/learners/clr`).

The record bundles the organization's stored credentials of the learner (found by the recipient lookup key, as
`GET /api/v1/credentials?recipient=` finds them) that are active: revoked ones are left out, and so are suspended
ones, which would make the record fail verification while they are suspended. At most MAX_BUNDLED (the newest;
`partial` is then true), oldest first. For each composite award among them, the award's evaluation names the
counted components: `isParentOf` associations go from the composite's achievement to each component's (the
bundled credential's own achievement; a component that is not bundled, such as a partner's credential, by the
achievements of ours it counted as).

Signed eddsa-rdfc-2022 by the chosen issuer's active key after a strict JSON-LD gate (every term defined), and
verified again before it is returned (issuer.credential_signing). The record is a view signed on each request: it
is not stored, has no status entry and is not listed in `/api/v1/credentials`.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.proofs import ProofTransformationError, rdf_canonical_form
from issuer.achievements import FieldProblem
from issuer.credential_signing import sign_credential
from issuer.errors import NotFound
from issuer.issuance import SALT_BYTES, IssuancePorts
from issuer.models import Award, Credential, Issuer
from issuer.recipient_lookup import key_of_recipient
from issuer.render import RenderError
from issuer.render_clr import Association, achievement_of, credential_json, render_clr
from issuer.repositories.issuers import IssuerRepository
from issuer.signing_keys import active_signer
from schemas.issuance import Recipient

CRYPTOSUITE: Final = "eddsa-rdfc-2022"
MAX_BUNDLED: Final = 50  # what the verifier accepts in one CLR (README "Verification", limits)


class ClrNotIssuable(RenderError):
    """The record fails strict JSON-LD (a stored credential or profile uses an undefined term): HTTP 422."""

    code = "CLR_NOT_ISSUABLE"
    title = "The learner record would not be a valid CLR"


def chosen_issuer(session: Session, organization_id: uuid.UUID, issuer_id: uuid.UUID | None) -> Issuer:
    """The issuer that signs: `issuer_id` (one of the organization's), else its first issuer; NotFound otherwise."""
    issuers = IssuerRepository(session, organization_id)
    if issuer_id is not None:
        return issuers.get(issuer_id)
    first = next(iter(issuers.all()), None)
    if first is None:
        raise NotFound("the organization has no issuer to sign a learner record")
    return first


def bundled_rows(
    session: Session, organization_id: uuid.UUID, learner: Recipient, ports: IssuancePorts
) -> list[Credential]:
    """The learner's active stored credentials of the organization, the newest MAX_BUNDLED + 1, newest first."""
    key = key_of_recipient(learner, organization_id=organization_id, master=ports.master)
    query = (
        select(Credential)
        .where(
            Credential.organization_id == organization_id,
            Credential.recipient_kind == key.kind,
            Credential.recipient_key == key.key,
            Credential.status == "active",
        )
        .order_by(Credential.issued_at.desc(), Credential.id.desc())
        .limit(MAX_BUNDLED + 1)
    )
    return list(session.scalars(query))


def stored_entry(row: Credential) -> dict[str, Any] | str:
    """The credential exactly as stored: the parsed JSON of an `ldp` credential, the compact JWS of a `jwt` one."""
    if row.format == "jwt":
        return row.document
    parsed: dict[str, Any] = json.loads(row.document)
    return parsed


def award_associations(
    session: Session, organization_id: uuid.UUID, entries: Mapping[uuid.UUID, dict[str, Any] | str]
) -> list[Association]:
    """CLR 2.0 Association `isParentOf` from each bundled composite award to its counted components."""
    awards = session.scalars(
        select(Award)
        .where(Award.organization_id == organization_id, Award.credential_row_id.in_(list(entries)))
        .order_by(Award.created_at, Award.id)
    )
    by_credential_id = {_credential_id(entry): entry for entry in entries.values()}
    links: list[Association] = []
    for award in awards:
        composite = achievement_of(entries[award.credential_row_id])
        if composite is None:
            continue
        for target in _components(award.evaluation, by_credential_id):
            if target != composite["id"]:
                links.append(Association(composite["id"], target))
    return links


def _credential_id(entry: dict[str, Any] | str) -> str | None:
    credential = credential_json(entry)
    value = credential.get("id") if credential is not None else None
    return value if isinstance(value, str) else None


def _components(evaluation: Mapping[str, Any], bundled: Mapping[str | None, dict[str, Any] | str]) -> Iterator[str]:
    """The achievement ids of the credentials counted in an award's evaluation (schemas.pathway_award_api)."""
    for item in evaluation.get("credentials", []):
        if not isinstance(item, Mapping) or not item.get("counted"):
            continue
        entry = bundled.get(item.get("id")) if item.get("id") is not None else None
        own = achievement_of(entry) if entry is not None else None
        if own is not None:
            yield own["id"]
            continue
        for counted_as in item.get("counts_as", []):
            if isinstance(counted_as, Mapping) and isinstance(counted_as.get("achievement"), str):
                yield counted_as["achievement"]


def learner_record(
    session: Session,
    organization_id: uuid.UUID,
    learner: Recipient,
    *,
    issuer_id: uuid.UUID | None,
    ports: IssuancePorts,
) -> str:
    """STANDARDS.md §5: the signed ClrCredential of `learner` as JSON text (module docstring).

    NotFound when the learner has no active credential of the organization, or for an issuer not the organization's;
    NoActiveKey (409) when the issuer has no active key; ClrNotIssuable (422) when the record fails strict JSON-LD.
    """
    rows = bundled_rows(session, organization_id, learner, ports)
    if not rows:
        raise NotFound("the organization has issued no active credential to this learner")
    issuer = chosen_issuer(session, organization_id, issuer_id)
    signer, _ = active_signer(session, issuer, ports.master)
    bundled = list(reversed(rows[:MAX_BUNDLED]))
    entries = {row.id: stored_entry(row) for row in bundled}
    now = ports.clock()
    unsigned = render_clr(
        clr_id=f"urn:uuid:{uuid.uuid4()}",
        issuer_profile=issuer.profile,
        learner=learner,
        credentials=list(entries.values()),
        associations=award_associations(session, organization_id, entries),
        now=now,
        salt=secrets.token_hex(SALT_BYTES),
        partial=len(rows) > MAX_BUNDLED,
    )
    _gate(unsigned, ports)
    signed = sign_credential(
        unsigned, format="ldp", cryptosuite=CRYPTOSUITE, signer=signer, contexts=ports.contexts, now=now
    )
    return signed.text


def _gate(unsigned: Mapping[str, Any], ports: IssuancePorts) -> None:
    """Strict JSON-LD (data loss detection: no undefined term) before signing, as issuance gates a credential."""
    try:
        rdf_canonical_form(unsigned, ports.contexts)
    except ProofTransformationError as exc:
        problem = FieldProblem(("clr",), f"JSON-LD: {exc.problem.detail}", exc.problem.code)
        raise ClrNotIssuable([problem]) from exc
