"""Issuer profiles and keys of one organization; other organizations' rows are invisible (NotFound).

The only unscoped reads are `find_published_issuer`, `find_issuer_by_did` and `issuer_keys`: what the public
Profile and DID document routes (and the service's own DID resolution) show to anyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import Conflict, InvalidInput, NotFound
from issuer.models import DID_METHODS, KEY_STATES, Issuer, IssuerKey


@dataclass(frozen=True, slots=True)
class NewIssuerKey:
    """A key as the keystore wrapped it: the private key only as ciphertext under a master key."""

    key_id: str
    public_key_multibase: str
    encrypted_private_key: bytes
    nonce: bytes
    encryption_algorithm: str
    key_encryption_key_id: str


@dataclass(frozen=True, slots=True)
class IssuerRepository:
    """Every query carries the organization filter; there is no unscoped read."""

    session: Session
    organization_id: uuid.UUID

    def _scoped(self) -> Select[Issuer]:
        return select(Issuer).where(Issuer.organization_id == self.organization_id)

    def add(
        self,
        *,
        did: str,
        did_method: str,
        profile: dict[str, Any],
        now: datetime,
        suspension_enabled: bool = False,
        issuer_id: uuid.UUID | None = None,
    ) -> Issuer:
        """`issuer_id` when the caller needs the id first (a sealed key's associated data names it)."""
        if did_method not in DID_METHODS:
            raise InvalidInput(f"did_method must be one of {', '.join(DID_METHODS)}")
        issuer = Issuer(
            id=issuer_id or uuid.uuid4(),
            organization_id=self.organization_id,
            did=did,
            did_method=did_method,
            profile=profile,
            suspension_enabled=suspension_enabled,
            created_at=now,
        )
        try:
            with self.session.begin_nested():
                self.session.add(issuer)
        except IntegrityError as exc:
            raise Conflict(f"an issuer with the DID {did} already exists") from exc
        return issuer

    def get(self, issuer_id: uuid.UUID, *, for_update: bool = False) -> Issuer:
        """`for_update` locks the row (PostgreSQL) so that edits and key changes of one issuer run one at a time."""
        query = self._scoped().where(Issuer.id == issuer_id)
        issuer = self.session.scalar(query.with_for_update() if for_update else query)
        if issuer is None:
            raise NotFound(f"no issuer {issuer_id}")
        return issuer

    def all(self) -> list[Issuer]:
        return list(self.session.scalars(self._scoped().order_by(Issuer.created_at, Issuer.id)))

    def update_profile(self, issuer_id: uuid.UUID, profile: dict[str, Any]) -> Issuer:
        issuer = self.get(issuer_id)
        issuer.profile = profile
        self.session.flush()
        return issuer

    def set_suspension(self, issuer_id: uuid.UUID, *, enabled: bool) -> Issuer:
        issuer = self.get(issuer_id)
        issuer.suspension_enabled = enabled
        self.session.flush()
        return issuer

    def add_key(self, issuer_id: uuid.UUID, key: NewIssuerKey, *, now: datetime) -> IssuerKey:
        """A new active key; the caller rotates the previous one first (one active key per issuer)."""
        issuer = self.get(issuer_id)
        row = IssuerKey(
            issuer_id=issuer.id,
            key_id=key.key_id,
            public_key_multibase=key.public_key_multibase,
            encrypted_private_key=key.encrypted_private_key,
            nonce=key.nonce,
            encryption_algorithm=key.encryption_algorithm,
            key_encryption_key_id=key.key_encryption_key_id,
            state="active",
            created_at=now,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError as exc:
            raise Conflict("the issuer already has this key id or another active key") from exc
        return row

    def keys(self, issuer_id: uuid.UUID) -> list[IssuerKey]:
        return issuer_keys(self.session, self.get(issuer_id).id)

    def key(self, issuer_id: uuid.UUID, key_id: str) -> IssuerKey:
        issuer = self.get(issuer_id)
        key = self.session.scalar(select(IssuerKey).where(IssuerKey.issuer_id == issuer.id, IssuerKey.key_id == key_id))
        if key is None:
            raise NotFound(f"no key {key_id} for issuer {issuer_id}")
        return key

    def set_key_state(self, issuer_id: uuid.UUID, key_id: str, state: str, *, now: datetime) -> IssuerKey:
        """Rotated keys still verify old credentials; retired ones are withdrawn (`retired_at` set)."""
        if state not in KEY_STATES:
            raise InvalidInput(f"key state must be one of {', '.join(KEY_STATES)}")
        key = self.key(issuer_id, key_id)
        key.state = state
        key.retired_at = now if state == "retired" else None
        self.session.flush()
        return key

    def destroy_private_key(self, issuer_id: uuid.UUID, key_id: str) -> IssuerKey:
        """Overwrite the sealed private key and its nonce with nothing: the key can never sign again."""
        key = self.key(issuer_id, key_id)
        key.encrypted_private_key = b""
        key.nonce = b""
        self.session.flush()
        return key


def find_published_issuer(session: Session, issuer_id: uuid.UUID) -> Issuer | None:
    """Any organization's issuer by id: its Profile and DID document are public."""
    return session.get(Issuer, issuer_id)


def find_issuer_by_did(session: Session, did: str) -> Issuer | None:
    return session.scalar(select(Issuer).where(Issuer.did == did))


def issuer_keys(session: Session, issuer_id: uuid.UUID) -> list[IssuerKey]:
    """The keys of an issuer, oldest first; keys created at the same instant in key id order (`key-2` < `key-10`)."""
    keys = session.scalars(select(IssuerKey).where(IssuerKey.issuer_id == issuer_id))
    return sorted(keys, key=lambda key: (key.created_at, len(key.key_id), key.key_id))
