"""Issue 6 secrets: handles, codes and tokens that wallets and learners hold, derived or random, stored as SHA-256.

Claim tokens and offer handles are HMACs of their row's id under a key derived from the master key (RFC 5869
HKDF-SHA256, info "credstack wallets v1"): the service can show the same link again (an idempotent retry of an
issuance, a credential read by the LMS) without storing it, and a database dump alone does not reveal one. Codes that
are used once (pre-authorized codes, access tokens, challenges, nonces, transaction codes) are random.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from credentials.keys import b64url
from issuer.keystore import MasterKey

WALLETS_KEY_INFO = b"credstack wallets v1"
TX_CODE_LENGTH = 6


@functools.lru_cache(maxsize=8)
def wallets_key(master: MasterKey) -> bytes:
    """RFC 5869 §2 HKDF-SHA256(IKM = master key, salt = none, info = WALLETS_KEY_INFO), 32 bytes."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=WALLETS_KEY_INFO).derive(master.key)


def derived_handle(master: MasterKey, purpose: str, row_id: uuid.UUID) -> str:
    """An unguessable, recomputable name for a row: base64url(HMAC-SHA256(wallets key, purpose || id)), 43 chars."""
    mac = hmac.new(wallets_key(master), purpose.encode() + b"\x00" + row_id.bytes, hashlib.sha256).digest()
    return b64url(mac)


def random_secret(nbytes: int = 32) -> str:
    """A single-use secret with `nbytes` of randomness (at least 128 bits, OpenID4VCI §13.3)."""
    return secrets.token_urlsafe(max(nbytes, 16))


def random_tx_code(length: int = TX_CODE_LENGTH) -> str:
    """OpenID4VCI §4.1.1 tx_code, `input_mode` numeric: `length` random digits."""
    return "".join(secrets.choice("0123456789") for _ in range(length))


def digest(secret: str) -> str:
    """SHA-256 (hex) of a secret's UTF-8 bytes: what the database keeps and looks secrets up by."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(secret: str, stored_digest: str | None) -> bool:
    """Constant-time comparison of a presented secret with a stored digest."""
    return stored_digest is not None and hmac.compare_digest(digest(secret), stored_digest)
