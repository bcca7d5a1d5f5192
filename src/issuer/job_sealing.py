"""NIST SP 800-38D (GCM) sealing of a pending job item's request, under an RFC 5869 HKDF key of the master key.

A queued item holds the issuance request, and with it the recipient's email address, which the service otherwise
never stores (OB 3.0 §B.2 IdentityHash: only salted hashes leave it). The request is therefore stored sealed with
AES-256-GCM under HKDF-SHA256(master key, info "credstack job items v1"), bound to its job and index as associated
data (a sealed request copied to another row does not open), and erased once the item is processed.
"""

from __future__ import annotations

import functools
import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from issuer.keystore import NONCE_BYTES, MasterKey

JOB_ITEM_KEY_INFO = b"credstack job items v1"


class SealedItemUnreadable(Exception):
    """The sealed request does not open: another master key than at submission, or altered bytes."""


@functools.lru_cache(maxsize=8)
def _cipher(master: MasterKey) -> AESGCM:
    """RFC 5869 §2 HKDF-SHA256(IKM = master key, salt = none, info = JOB_ITEM_KEY_INFO), an AES-256-GCM key."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=JOB_ITEM_KEY_INFO).derive(master.key)
    return AESGCM(key)


def _associated_data(job_id: uuid.UUID, index: int) -> bytes:
    return JOB_ITEM_KEY_INFO + b"\x00" + job_id.bytes + index.to_bytes(8, "big")


def seal_item(master: MasterKey, job_id: uuid.UUID, index: int, plaintext: bytes) -> bytes:
    """SP 800-38D §7.1: a random 96-bit nonce followed by the ciphertext and tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + _cipher(master).encrypt(nonce, plaintext, _associated_data(job_id, index))


def open_item(master: MasterKey, job_id: uuid.UUID, index: int, sealed: bytes) -> bytes:
    """SP 800-38D §7.2; SealedItemUnreadable when the tag does not verify."""
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return _cipher(master).decrypt(nonce, ciphertext, _associated_data(job_id, index))
    except InvalidTag as exc:
        raise SealedItemUnreadable("the job item does not open under the loaded master key") from exc
