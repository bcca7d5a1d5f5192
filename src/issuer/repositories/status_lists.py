"""Bitstring Status List v1.0 §2.1 and §3.3 in the database: index allocation, bit changes, the signed list cache.

Everything runs in the caller's transaction, so an index is consumed exactly when the credential that holds it is
committed: a rollback returns the counter with it, and no index is ever lost or handed out twice.

Locking. Allocation and bit changes begin with an UPDATE of the list row. On PostgreSQL that row lock makes the
next allocator wait, and under READ COMMITTED its UPDATE re-reads the committed counter before incrementing it
(the WHERE clause is re-checked on the new row version). On SQLite the UPDATE takes the database write lock, which
the busy timeout waits for. Either way the lock is held until the caller commits, so issuance from one list is
serialised for the length of the transaction: keep it short (sign, store, commit).

SQLite caveat: a transaction that has already read (started with a plain BEGIN) cannot take the write lock after
another connection committed; SQLite then fails at once ("database is locked") instead of waiting. Concurrent
issuers on SQLite must therefore make their first statement a write or begin with BEGIN IMMEDIATE.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credentials.status.bitstring import StatusList as Bitstring
from issuer.errors import Conflict, NotFound
from issuer.models import STATUS_PURPOSES, Credential, StatusList
from issuer.repositories.issuers import IssuerRepository
from issuer.status_lists import PERMUTATION_KEY_BYTES, STATUS_LIST_LENGTH, permute_position

# Each failed attempt means another transaction filled the list or created the next one meanwhile; needing more
# than a few in a row means something else is wrong.
_MAX_ALLOCATION_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Allocation:
    """One entry of a status list: `position` is the counter value (1-based), `index` the published index."""

    list_id: uuid.UUID
    purpose: str
    position: int
    index: int


def find_status_list(session: Session, list_id: uuid.UUID) -> StatusList | None:
    """Any organization's list: status list credentials are public documents, served without authentication."""
    return session.get(StatusList, list_id)


def set_status(session: Session, credential: Credential, purpose: str, value: int, *, now: datetime) -> StatusList:
    """Bitstring Status List v1.0 §3.3 step 2: set `credential`'s bit in its list of `purpose` to `value`.

    The list's version grows by one and its cached signed credential is dropped, to be signed again on demand.
    """
    if purpose == "revocation":
        return _write_bit(session, credential.revocation_list_id, credential.revocation_index, value, now=now)
    list_id, index = credential.suspension_list_id, credential.suspension_index
    if purpose == "suspension" and list_id is not None and index is not None:
        return _write_bit(session, list_id, index, value, now=now)
    _check_purpose(purpose)
    raise Conflict(f"the credential was issued without a {purpose} status entry")


def drop_signed_copies(session: Session, issuer_id: uuid.UUID, *, now: datetime) -> None:
    """Bitstring Status List v1.0 §3.1 step 5: sign the issuer's lists again, because the key that signed them left.

    Called when a key is retired: a cached list signed with it would no longer verify, and nothing else would make
    it be signed again until a bit changes. The version grows as for a bit change, so a copy signed concurrently
    from the old state is not cached either.
    """
    session.execute(
        update(StatusList)
        .where(StatusList.issuer_id == issuer_id)
        .values(version=StatusList.version + 1, signed_credential=None, signed_etag=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def _write_bit(session: Session, list_id: uuid.UUID, index: int, value: int, *, now: datetime) -> StatusList:
    # Write first, read second: the UPDATE takes the lock (row lock / SQLite write lock) before the bits are read,
    # so two concurrent changes to one list cannot both start from the same bitstring and lose one bit.
    session.execute(
        update(StatusList)
        .where(StatusList.id == list_id)
        .values(version=StatusList.version + 1, signed_credential=None, signed_etag=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    row = session.scalars(
        select(StatusList).where(StatusList.id == list_id).execution_options(populate_existing=True)
    ).one()
    bitstring = Bitstring(row.bits)
    bitstring.set(index, value)
    row.bits = bitstring.to_bytes()
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class StatusListRepository:
    """An organization's lists; another organization's issuer or list is NotFound."""

    session: Session
    organization_id: uuid.UUID

    def get(self, list_id: uuid.UUID) -> StatusList:
        row = self.session.scalar(
            select(StatusList).where(StatusList.organization_id == self.organization_id, StatusList.id == list_id)
        )
        if row is None:
            raise NotFound(f"no status list {list_id}")
        return row

    def current(self, issuer_id: uuid.UUID, purpose: str) -> StatusList | None:
        """The issuer's newest list of `purpose` (the only one that can still have free entries), if any."""
        _check_purpose(purpose)
        query = (
            select(StatusList)
            .where(
                StatusList.organization_id == self.organization_id,
                StatusList.issuer_id == issuer_id,
                StatusList.purpose == purpose,
            )
            .order_by(StatusList.sequence.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return self.session.scalar(query)

    def ensure_current(self, issuer_id: uuid.UUID, purpose: str, *, now: datetime) -> StatusList:
        """The list the next allocation will draw from: created when the issuer has none, or its newest is full."""
        _check_purpose(purpose)
        self._open_next_list(issuer_id, purpose, now=now)
        row = self.current(issuer_id, purpose)
        if row is None:
            raise RuntimeError(f"the issuer's {purpose} list was created but cannot be read back")
        return row

    def allocate(self, issuer_id: uuid.UUID, purpose: str, *, now: datetime) -> Allocation:
        """Bitstring Status List v1.0 §2.1 statusListIndex: the next entry of the issuer's current list.

        Creates the issuer's first list, or the next one when the current list is full.
        """
        _check_purpose(purpose)
        for _ in range(_MAX_ALLOCATION_ATTEMPTS):
            taken = self._take_next_position(issuer_id, purpose, now=now)
            if taken is not None:
                list_id, position, length, key = taken
                index = permute_position(position - 1, key=key, length=length)
                return Allocation(list_id=list_id, purpose=purpose, position=position, index=index)
            self._open_next_list(issuer_id, purpose, now=now)
        raise RuntimeError(f"no {purpose} status list entry after {_MAX_ALLOCATION_ATTEMPTS} attempts")

    def reserve(self, issuer_id: uuid.UUID, purpose: str, count: int, *, now: datetime) -> list[Allocation]:
        """Bitstring Status List v1.0 §2.1 statusListIndex: `count` entries of the issuer's current list at once, for a
        caller that hands them out itself (issuer.vcapi.allocation_pool). A single entry when the list has fewer than
        `count` left (or none: then the next list is opened), so that the lists still fill up to the last entry.
        """
        _check_purpose(purpose)
        if count < 1:
            raise ValueError("count must be at least 1")
        taken = self._take_next_position(issuer_id, purpose, now=now, count=count) if count > 1 else None
        if taken is None and count > 1:
            # No list yet, or a full one: open the next and try again. A list with fewer than `count` entries left
            # stays the current one, and its entries go one by one below.
            self._open_next_list(issuer_id, purpose, now=now)
            taken = self._take_next_position(issuer_id, purpose, now=now, count=count)
        if taken is None:
            return [self.allocate(issuer_id, purpose, now=now)]
        list_id, last, length, key = taken
        return [
            Allocation(list_id, purpose, position, permute_position(position - 1, key=key, length=length))
            for position in range(last - count + 1, last + 1)
        ]

    def _take_next_position(
        self, issuer_id: uuid.UUID, purpose: str, *, now: datetime, count: int = 1
    ) -> Row[uuid.UUID, int, int, bytes] | None:
        """One statement, so that it is the lock: advance the newest list's counter by `count` unless that would
        pass its end; the returned counter is the last position taken."""
        newest = (
            select(StatusList.id)
            .where(
                StatusList.organization_id == self.organization_id,
                StatusList.issuer_id == issuer_id,
                StatusList.purpose == purpose,
            )
            .order_by(StatusList.sequence.desc())
            .limit(1)
            .scalar_subquery()
        )
        statement = (
            update(StatusList)
            # `allocated + count <= length` is re-checked by PostgreSQL after a concurrent allocator's commit.
            .where(StatusList.id == newest, StatusList.allocated + count <= StatusList.length)
            .values(allocated=StatusList.allocated + count, updated_at=now)
            .returning(StatusList.id, StatusList.allocated, StatusList.length, StatusList.permutation_key)
            .execution_options(synchronize_session=False)
        )
        return self.session.execute(statement).one_or_none()

    def _open_next_list(self, issuer_id: uuid.UUID, purpose: str, *, now: datetime) -> None:
        """Create the list after the newest one if that one is full; a concurrent creator may win, theirs is used."""
        newest = self.session.execute(
            select(StatusList.sequence, StatusList.allocated, StatusList.length)
            .where(
                StatusList.organization_id == self.organization_id,
                StatusList.issuer_id == issuer_id,
                StatusList.purpose == purpose,
            )
            .order_by(StatusList.sequence.desc())
            .limit(1)
        ).first()
        # Read again, not taken from the failed UPDATE: under READ COMMITTED a list another transaction created
        # since then is visible now, and creating one more after it would skip its free entries.
        if newest is not None and newest.allocated < newest.length:
            return
        row = StatusList(
            organization_id=self.organization_id,
            issuer_id=issuer_id,
            purpose=purpose,
            sequence=(newest.sequence if newest is not None else 0) + 1,
            length=STATUS_LIST_LENGTH,
            allocated=0,
            permutation_key=secrets.token_bytes(PERMUTATION_KEY_BYTES),
            bits=Bitstring.new(STATUS_LIST_LENGTH).to_bytes(),
            version=0,
            created_at=now,
            updated_at=now,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            # Either the (issuer, purpose, sequence) key was taken by a concurrent creator, or the issuer is not
            # this organization's (composite foreign key): the latter is NotFound.
            IssuerRepository(self.session, self.organization_id).get(issuer_id)

    def cache_signed(self, list_id: uuid.UUID, *, version: int, signed_credential: str, now: datetime) -> bool:
        """Bitstring Status List v1.0 §3.1 step 5: keep the list credential signed at `version` for publishing.

        False (nothing stored) when a bit changed since that version was read (the copy is already stale), or when
        another request cached its copy of this version first (that one stays, so a version has one text and ETag).
        """
        etag = hashlib.sha256(signed_credential.encode("utf-8")).hexdigest()
        stored = self.session.execute(
            update(StatusList)
            .where(
                StatusList.organization_id == self.organization_id,
                StatusList.id == list_id,
                StatusList.version == version,
                StatusList.signed_credential.is_(None),
            )
            .values(signed_credential=signed_credential, signed_etag=etag, updated_at=now)
            .returning(StatusList.id)
            .execution_options(synchronize_session="fetch")
        ).first()
        return stored is not None


def _check_purpose(purpose: str) -> None:
    if purpose not in STATUS_PURPOSES:
        raise ValueError(f"status purpose must be one of {', '.join(STATUS_PURPOSES)}")
