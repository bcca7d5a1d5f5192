"""Bitstring Status List v1.0 §2.1 entries for VC-API credentials, reserved a batch at a time per process.

Reserving `batch` entries in one short write transaction and handing them out from memory takes a write
transaction (and, on SQLite, the database write lock) off almost every request. The cost is the same kind of unused
entry that a crash between allocation and storage leaves (issuer.vcapi.issuance): entries a process reserved and
had not handed out when it stopped are never used, stay 0, and are never handed out again. That is at most `batch`
per purpose per process start. Indexes still come from the list's keyed permutation, so they look as random as
ever (§2.1 "Implementations SHOULD assign indexes randomly").
"""

from __future__ import annotations

import collections
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session, sessionmaker

from issuer.db import write_session
from issuer.models import Issuer
from issuer.repositories.status_lists import Allocation, StatusListRepository

DEFAULT_BATCH: Final = 32


class AllocationPool:
    """Per process: (issuer, purpose) -> entries reserved and not yet handed out. Thread-safe."""

    def __init__(self, batch: int = DEFAULT_BATCH) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.batch = batch
        self._lock = threading.Lock()
        self._free: dict[tuple[uuid.UUID, str], collections.deque[Allocation]] = collections.defaultdict(
            collections.deque
        )

    def _pop(self, issuer_id: uuid.UUID, purposes: Sequence[str]) -> dict[str, Allocation]:
        with self._lock:
            return {p: self._free[(issuer_id, p)].popleft() for p in purposes if self._free[(issuer_id, p)]}

    def take(
        self, sessions: sessionmaker[Session], issuer: Issuer, purposes: Sequence[str], *, now: datetime
    ) -> dict[str, Allocation]:
        """One entry per purpose; the purposes the pool has none left of are reserved, committed at once."""
        taken = self._pop(issuer.id, purposes)
        missing = [purpose for purpose in purposes if purpose not in taken]
        if not missing:
            return taken
        with write_session(sessions) as session:
            lists = StatusListRepository(session, issuer.organization_id)
            reserved = {purpose: lists.reserve(issuer.id, purpose, self.batch, now=now) for purpose in missing}
            session.commit()
        with self._lock:
            for purpose, allocations in reserved.items():
                taken[purpose] = allocations[0]
                self._free[(issuer.id, purpose)].extend(allocations[1:])
        return taken
