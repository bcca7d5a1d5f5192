"""RFC 5869 HKDF-SHA256: the recipient lookup pepper, derived from the master key; and the lookup key of a query.

`credentials.recipient_key` is an HMAC under a server-side pepper (issuer.repositories.credentials explains why).
The pepper is not another secret to generate, store and back up: it is HKDF-SHA256 of the master key (no salt,
info "credstack recipient lookup v1"), so it exists wherever the master key does and never reaches the database.

Consequence: the column is bound to the master key. Rotating the master key (a new CREDSTACK_MASTER_KEY) changes
the pepper, and every stored `recipient_key` must then be recomputed, which needs the recipient identifiers the
database does not keep in the clear. That re-key is not built: until it is, a master key rotation loses listing by
recipient for credentials issued before it (they stay valid and listable by every other filter).
"""

from __future__ import annotations

import functools
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from issuer.keystore import MasterKey
from issuer.repositories.credentials import MIN_PEPPER_BYTES, RecipientKey, recipient_key, recipient_kind_of
from schemas.issuance import Recipient

RECIPIENT_PEPPER_INFO = b"credstack recipient lookup v1"


@functools.lru_cache(maxsize=8)
def recipient_pepper(master: MasterKey) -> bytes:
    """RFC 5869 §2 HKDF-SHA256(IKM = master key, salt = none, info = RECIPIENT_PEPPER_INFO), 32 bytes."""
    return HKDF(algorithm=hashes.SHA256(), length=MIN_PEPPER_BYTES, salt=None, info=RECIPIENT_PEPPER_INFO).derive(
        master.key
    )


def key_of_recipient(recipient: Recipient, *, organization_id: uuid.UUID, master: MasterKey) -> RecipientKey:
    """The lookup key stored with a credential issued to `recipient` (an email address or a DID)."""
    kind, identifier = ("email", recipient.email) if recipient.email is not None else ("did", recipient.did)
    if identifier is None:
        raise ValueError("a recipient has an email address or a DID")
    return recipient_key(kind, identifier, organization_id=organization_id, pepper=recipient_pepper(master))


def key_of_query(identifier: str, *, organization_id: uuid.UUID, master: MasterKey) -> RecipientKey:
    """The lookup key of a `recipient=` filter value: a DID when it starts with `did:`, else an email address."""
    kind = recipient_kind_of(identifier)
    return recipient_key(kind, identifier, organization_id=organization_id, pepper=recipient_pepper(master))
