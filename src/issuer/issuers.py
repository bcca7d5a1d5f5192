"""Issue 3 "Issuer service": issuer profiles (OB 3.0 §B.1 Profile), their DIDs and their keys.

Each change is committed together with its audit entry. Identifiers (did:web §3.1 / did:key §3.1): a did:web issuer's
DID derives from the service's base URL and the issuer's id, so its keys can rotate behind it; a did:key issuer's DID
is its first key, so it can never rotate (KeyRotationNotSupported). Only the caller's own organization's issuers
are reachable (NotFound otherwise). `suspension_enabled` (Bitstring Status List v1.0 §2.1 statusPurpose
"suspension") decides whether credentials issued from then on get a suspension entry besides the revocation one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from credentials.keys import Ed25519KeyPair
from issuer.achievements import FieldError
from issuer.did_web import PublicBase
from issuer.errors import Conflict, NotFound
from issuer.keystore import MasterKey
from issuer.models import Issuer, IssuerKey
from issuer.principal import Principal
from issuer.profiles import editable_fields, merge_patch, profile_document
from issuer.repositories.audit import record_audit
from issuer.repositories.issuers import IssuerRepository
from issuer.repositories.status_lists import drop_signed_copies
from issuer.signing_keys import FIRST_KEY_ID, generate_key, is_key_id, next_key_id
from schemas.profile import IssuerCreate, IssuerReplace, IssuerSettingsPatch, ProfileFields

SUSPENSION_ENABLED = "suspension_enabled"
# Issuer settings that are not OB Profile members; in a merge patch, null leaves a setting unchanged except the
# LinkedIn organization id, which null removes.
SETTINGS = (SUSPENSION_ENABLED, "linkedin_organization_id", "wallet_proof_mode")
CLEARABLE_SETTINGS = frozenset({"linkedin_organization_id"})


class KeyRotationNotSupported(Conflict):
    """A did:key issuer's DID is its public key: another key would be another DID (did:key §3.1)."""

    code = "KEY_ROTATION_NOT_SUPPORTED"
    title = "A did:key issuer cannot rotate its key"


def _audit(
    session: Session, principal: Principal, action: str, subject: str, now: datetime, reason: str | None = None
) -> None:
    record_audit(
        session,
        organization_id=principal.organization_id,
        actor=principal.actor,
        action=action,
        subject=subject,
        at=now,
        reason=reason,
    )


def _key_subject(issuer: Issuer, key: IssuerKey) -> str:
    return f"issuer_key:{issuer.id}/{key.key_id}"


def create_issuer(
    session: Session, principal: Principal, request: IssuerCreate, *, master: MasterKey, base: PublicBase, now: datetime
) -> Issuer:
    """A new issuer with its Profile, its DID and its first key (`key-1`), sealed under `master`."""
    issuer_id = uuid.uuid4()
    key = generate_key(issuer_id, FIRST_KEY_ID, master=master)
    if request.did_method == "web":
        did = base.issuer_did(issuer_id)
    else:
        did = Ed25519KeyPair.from_public_key_multibase(key.public_key_multibase).did_key
    repository = IssuerRepository(session, principal.organization_id)
    issuer = repository.add(
        issuer_id=issuer_id,
        did=did,
        did_method=request.did_method,
        profile=profile_document(did, request),
        now=now,
        suspension_enabled=request.suspension_enabled,
    )
    issuer.linkedin_organization_id = request.linkedin_organization_id
    issuer.wallet_proof_mode = request.wallet_proof_mode
    repository.add_key(issuer.id, key, now=now)
    _audit(session, principal, "issuer.create", f"issuer:{issuer.id}", now)
    session.commit()
    return issuer


def replace_profile(
    session: Session,
    principal: Principal,
    issuer_id: uuid.UUID,
    fields: ProfileFields,
    *,
    now: datetime,
    settings: Mapping[str, Any] | None = None,
) -> Issuer:
    """PUT semantics: the Profile becomes exactly `fields` (members left out are removed); the DID stays.

    `settings` holds only the settings to change: one left out stays as it is, so a client that only knows the
    profile cannot turn suspension off (or forget the LinkedIn id) by accident.
    """
    repository = IssuerRepository(session, principal.organization_id)
    issuer = repository.get(issuer_id, for_update=True)
    return _save_profile(session, principal, repository, issuer, fields, now, settings or {})


def patched_fields(issuer: Issuer, patch: Mapping[str, Any]) -> ProfileFields:
    """RFC 7396 JSON Merge Patch of the issuer's current fields; pydantic.ValidationError when the result is invalid."""
    return ProfileFields.model_validate(merge_patch(editable_fields(issuer.profile), patch))


def split_settings(patch: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """RFC 7396 merge patch split: the Profile members, and the settings to change (absent or null: unchanged,
    except a clearable setting, which null removes). pydantic.ValidationError for an invalid setting."""
    profile_patch = {key: value for key, value in patch.items() if key not in SETTINGS}
    setting = patch.get(SUSPENSION_ENABLED)
    if setting is not None and not isinstance(setting, bool):
        raise FieldError.at(("body", SUSPENSION_ENABLED), "must be true or false", "bool_type")
    given = {k: v for k, v in patch.items() if k in SETTINGS and (v is not None or k in CLEARABLE_SETTINGS)}
    validated = IssuerSettingsPatch.model_validate(given)
    return profile_patch, {key: getattr(validated, key) for key in given}


def settings_of_replace(request: IssuerReplace) -> dict[str, Any]:
    """The settings a PUT changes: those given (not null)."""
    return {key: getattr(request, key) for key in SETTINGS if getattr(request, key) is not None}


def patch_profile(
    session: Session, principal: Principal, issuer_id: uuid.UUID, patch: Mapping[str, Any], *, now: datetime
) -> Issuer:
    """PATCH semantics (RFC 7396): members in `patch` replace, null removes, the rest stays; validated as a whole.

    `suspension_enabled` is a setting, not a Profile member: true or false changes it, null or absent leaves it.
    """
    profile_patch, settings = split_settings(patch)
    repository = IssuerRepository(session, principal.organization_id)
    issuer = repository.get(issuer_id, for_update=True)
    return _save_profile(session, principal, repository, issuer, patched_fields(issuer, profile_patch), now, settings)


def _save_profile(
    session: Session,
    principal: Principal,
    repository: IssuerRepository,
    issuer: Issuer,
    fields: ProfileFields,
    now: datetime,
    settings: Mapping[str, Any],
) -> Issuer:
    repository.update_profile(issuer.id, profile_document(issuer.did, fields))
    if SUSPENSION_ENABLED in settings:
        repository.set_suspension(issuer.id, enabled=settings[SUSPENSION_ENABLED])
    if "linkedin_organization_id" in settings:
        issuer.linkedin_organization_id = settings["linkedin_organization_id"]
    if "wallet_proof_mode" in settings:
        issuer.wallet_proof_mode = settings["wallet_proof_mode"]
    _audit(session, principal, "issuer.update", f"issuer:{issuer.id}", now)
    session.commit()
    return issuer


def rotate_key(
    session: Session, principal: Principal, issuer_id: uuid.UUID, *, master: MasterKey, now: datetime
) -> tuple[Issuer, IssuerKey]:
    """A new active key signs from now on; the previous one becomes `rotated` and stays in the DID document."""
    repository = IssuerRepository(session, principal.organization_id)
    issuer = repository.get(issuer_id, for_update=True)
    if issuer.did_method == "key":
        raise KeyRotationNotSupported(
            f"issuer {issuer.id} is identified by {issuer.did}, whose DID is its public key: a new key would be a "
            "new DID, and credentials naming this one would no longer match it. Create a did:web issuer, whose "
            "keys can rotate, to issue with a new key."
        )
    keys = repository.keys(issuer.id)
    for key in keys:
        if key.state == "active":
            repository.set_key_state(issuer.id, key.key_id, "rotated", now=now)
    new_key = repository.add_key(issuer.id, generate_key(issuer.id, next_key_id(keys), master=master), now=now)
    _audit(session, principal, "issuer_key.rotate", _key_subject(issuer, new_key), now)
    session.commit()
    return issuer, new_key


def retire_key(
    session: Session, principal: Principal, issuer_id: uuid.UUID, key_id: str, *, now: datetime, reason: str | None
) -> tuple[Issuer, IssuerKey]:
    """Withdraw a (compromised) key: out of the DID document and its sealed private key destroyed. Idempotent.

    Retiring the active key leaves the issuer without one until the next rotation (issuance answers NoActiveKey).
    The issuer's status lists are signed again on their next request (they may have been signed with this key).
    For a did:key issuer the key stops signing here, but its DID document is generated from the DID by anyone who
    resolves it and cannot be withdrawn: revoke its credentials.
    """
    repository = IssuerRepository(session, principal.organization_id)
    issuer = repository.get(issuer_id, for_update=True)
    if not is_key_id(key_id):
        raise NotFound(f"issuer {issuer.id} has no such key")
    key = repository.key(issuer.id, key_id)
    if key.state == "retired":
        return issuer, key
    repository.set_key_state(issuer.id, key.key_id, "retired", now=now)
    repository.destroy_private_key(issuer.id, key.key_id)
    drop_signed_copies(session, issuer.id, now=now)
    _audit(session, principal, "issuer_key.retire", _key_subject(issuer, key), now, reason)
    session.commit()
    return issuer, key
