"""OpenID4VCI 1.0 §7 Nonce Endpoint: c_nonce values that are unpredictable, short-lived and used once.

Only a nonce's SHA-256 is stored (issuer.models.wallets). Making one deletes the expired rows first, so the table
holds at most the nonces of the last five minutes. Using one is a single `DELETE ... WHERE nonce_hash = ? AND
expires_at > now`: exactly one of two concurrent requests with the same nonce deletes the row, the other sees
`rowcount == 0`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from issuer.db import write_session
from issuer.models import WalletNonce
from issuer.wallets.oid4vci.rows import affected_rows
from issuer.wallets.secrets import digest, random_secret

NONCE_TTL: Final = timedelta(minutes=5)
# A c_nonce is at most this long; anything longer was never ours (and is not hashed).
MAX_NONCE_LENGTH: Final = 100


def make_nonce(session: Session, *, now: datetime) -> str:
    """§7.2 Nonce Response value: 128 random bits, stored as its digest for NONCE_TTL; committed."""
    session.execute(delete(WalletNonce).where(WalletNonce.expires_at <= now))
    nonce = random_secret(16)
    session.add(WalletNonce(nonce_hash=digest(nonce), created_at=now, expires_at=now + NONCE_TTL))
    session.commit()
    return nonce


def consume_nonce(session: Session, nonce: str, *, now: datetime) -> bool:
    """§7 single use: delete the live nonce; True when this call used it. Not committed (the caller's transaction)."""
    if not 0 < len(nonce) <= MAX_NONCE_LENGTH:
        return False
    used = session.execute(
        delete(WalletNonce).where(WalletNonce.nonce_hash == digest(nonce), WalletNonce.expires_at > now)
    )
    return affected_rows(used) == 1


def nonce_endpoint(sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> str:
    """§7.2 Nonce Response value, made in a write transaction of its own."""
    with write_session(sessions) as session:
        return make_nonce(session, now=clock())
