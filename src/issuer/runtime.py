"""What the issuer's routes need at run time, built once by the app's lifespan and passed in explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from credentials.jsonld import ContextStore
from issuer.keystore import MasterKey

if TYPE_CHECKING:
    from issuer.pathways.candidates import VerifyPort

Clock = Callable[[], datetime]
"""Returns tz-aware UTC now; tests pass a controllable clock."""

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class IssuerContext:
    sessions: sessionmaker[Session]
    clock: Clock = utc_now
    access_token_lifetime: timedelta = ACCESS_TOKEN_LIFETIME
    # Seals and opens issuer private keys (issuer.keystore); loaded once by the app's lifespan, None until then.
    master_key: MasterKey | None = None
    # The pinned JSON-LD contexts that signing and the issuance gate canonicalize with; loaded by the lifespan.
    contexts: ContextStore | None = None
    # The full verifier over one credential (issue 5 "Evaluate and award"): `credstack` builds it from its
    # verification runner, since the issuer package does not import the verifier. None until the lifespan sets it.
    verify: VerifyPort | None = None

    def require_master_key(self) -> MasterKey:
        if self.master_key is None:
            raise RuntimeError("IssuerContext.master_key is not set: the app's lifespan loads it")
        return self.master_key

    def require_contexts(self) -> ContextStore:
        if self.contexts is None:
            raise RuntimeError("IssuerContext.contexts is not set: the app's lifespan loads them")
        return self.contexts

    def require_verify(self) -> VerifyPort:
        if self.verify is None:
            raise RuntimeError("IssuerContext.verify is not set: the app's lifespan builds it from the verifier")
        return self.verify
