"""Issue 3 "Keys": an issuer's Ed25519 signing keys (CID 1.0 §2.2.2 Multikey), sealed at rest under the master key.

Key ids are `key-1`, `key-2`, ... per issuer, chosen before the key is generated because the sealed key's
associated data names the issuer and the key id (issuer.keystore.issuer_key_associated_data): a sealed key copied
to another row does not open. `active_signer` is what issuance signs with.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.keys import Ed25519KeyPair, Ed25519Signer
from issuer.did_documents import verification_method_id
from issuer.errors import Conflict
from issuer.keystore import MasterKey, SealedKey, generate_issuer_key, issuer_key_associated_data, open_issuer_key
from issuer.models import Issuer, IssuerKey
from issuer.repositories.issuers import NewIssuerKey

KEY_ID_PREFIX = "key-"
FIRST_KEY_ID = f"{KEY_ID_PREFIX}1"
_KEY_NUMBER = re.compile(rf"{KEY_ID_PREFIX}([1-9][0-9]*)")


class NoActiveKey(Conflict):
    """The issuer has no key to sign with: its last one was retired and no rotation has made a new one."""

    code = "NO_ACTIVE_KEY"
    title = "The issuer has no active signing key"


def associated_data(issuer_id: uuid.UUID, key_id: str) -> bytes:
    return issuer_key_associated_data(issuer_id=str(issuer_id), key_id=key_id)


def generate_key(issuer_id: uuid.UUID, key_id: str, *, master: MasterKey) -> NewIssuerKey:
    """A new Ed25519 key of issuer `issuer_id` (whose row may not exist yet), sealed under `master`."""
    pair, sealed = generate_issuer_key(master=master, associated_data=associated_data(issuer_id, key_id))
    return NewIssuerKey(
        key_id=key_id,
        public_key_multibase=pair.public_key_multibase,
        encrypted_private_key=sealed.ciphertext,
        nonce=sealed.nonce,
        encryption_algorithm=sealed.algorithm,
        key_encryption_key_id=sealed.master_key_id,
    )


def is_key_id(value: str) -> bool:
    """Whether `value` has the form of the key ids the service gives (`key-<n>`); nothing else names a key."""
    return _KEY_NUMBER.fullmatch(value) is not None


def next_key_id(keys: Sequence[IssuerKey]) -> str:
    """One more than the highest `key-<n>` so far: retired numbers are never reused (their VM URLs stay dead)."""
    numbers = [int(match.group(1)) for key in keys if (match := _KEY_NUMBER.fullmatch(key.key_id))]
    return f"{KEY_ID_PREFIX}{max(numbers, default=0) + 1}"


def open_key(issuer: Issuer, key: IssuerKey, *, master: MasterKey) -> Ed25519KeyPair:
    """The signing key pair of a stored key (KeyDecryptionError when the row or the master key is wrong)."""
    sealed = SealedKey(
        ciphertext=bytes(key.encrypted_private_key),
        nonce=bytes(key.nonce),
        master_key_id=key.key_encryption_key_id,
        algorithm=key.encryption_algorithm,
    )
    return open_issuer_key(sealed, master=master, associated_data=associated_data(issuer.id, key.key_id))


def active_key(session: Session, issuer: Issuer) -> IssuerKey:
    key = session.scalar(select(IssuerKey).where(IssuerKey.issuer_id == issuer.id, IssuerKey.state == "active"))
    if key is None:
        raise NoActiveKey(f"issuer {issuer.id} has no active key; rotate its keys to create one")
    return key


def active_signer(session: Session, issuer: Issuer, master: MasterKey) -> tuple[Ed25519Signer, str]:
    """VC-DI 1.0 §4.2 Add Proof input: a Signer over the issuer's active key and its verification method URL.

    `issuer` must already be the caller's own (loaded through IssuerRepository). The URL is the key's DID URL, whose
    controller is the issuer DID, which is the credential's `issuer.id` (STANDARDS.md §2.5). NoActiveKey (409) when
    the issuer has none.
    """
    key = active_key(session, issuer)
    method = verification_method_id(issuer, key)
    return open_key(issuer, key, master=master).signer(method), method
