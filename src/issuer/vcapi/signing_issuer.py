"""VC-API §"Issue Credential" step 1 (issuer.vcapi.issuance): the configured issuer, who acts for it, and its signer.

The issuer row and its active key come in one query. The opened key (decrypted under the master key) is kept per
process by the key row's id: a key's sealed material never changes while it is active, and the query still runs
for every request, so a retired or rotated key stops being used at once.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Final

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from credentials.keys import Ed25519Signer
from issuer.did_documents import verification_method_id
from issuer.keystore import MasterKey
from issuer.models import Issuer, IssuerKey
from issuer.principal import Principal
from issuer.signing_keys import NoActiveKey, open_key
from issuer.vcapi.errors import VcApiForbidden, VcApiNotConfigured

OPEN_MODE_CLIENT: Final = "vcapi-open"
"""The client the audit log names (`client:vcapi-open`) for calls made without a token (CREDSTACK_VCAPI_OPEN)."""


@dataclass(frozen=True, slots=True)
class SigningIssuer:
    """The VC-API issuer as read in step 1 (a detached row), who acts for it, and its signer."""

    issuer: Issuer
    principal: Principal
    signer: Ed25519Signer


class SignerCache:
    """Per process: issuer key row id -> its opened signer. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signers: dict[uuid.UUID, Ed25519Signer] = {}

    def signer(self, issuer: Issuer, key: IssuerKey, master: MasterKey) -> Ed25519Signer:
        with self._lock:
            known = self._signers.get(key.id)
        if known is None:
            known = open_key(issuer, key, master=master).signer(verification_method_id(issuer, key))
            with self._lock:
                self._signers[key.id] = known
        return known


def acting_principal(issuer: Issuer, caller: Principal | None) -> Principal:
    """The token's client, or in open mode (`caller` None) OPEN_MODE_CLIENT of the issuer's organization;
    VcApiForbidden for a token of another organization."""
    if caller is not None and caller.organization_id != issuer.organization_id:
        raise VcApiForbidden("the VC-API issuer belongs to another organization than this access token")
    return caller or Principal(issuer.organization_id, OPEN_MODE_CLIENT, frozenset())


def vcapi_issuer(session: Session, issuer_id: uuid.UUID, caller: Principal | None) -> tuple[Issuer, Principal]:
    """The configured issuer (VcApiNotConfigured when it does not exist) and who acts for it."""
    issuer = session.get(Issuer, issuer_id)
    if issuer is None:
        raise VcApiNotConfigured(f"CREDSTACK_VCAPI_ISSUER names no issuer ({issuer_id})")
    return issuer, acting_principal(issuer, caller)


def signing_issuer(
    session: Session, issuer_id: uuid.UUID, caller: Principal | None, master: MasterKey, signers: SignerCache
) -> SigningIssuer:
    """Step 1: the configured issuer, who acts for it, and its active key (NoActiveKey when it has none)."""
    active = and_(IssuerKey.issuer_id == Issuer.id, IssuerKey.state == "active")
    found = session.execute(
        select(Issuer, IssuerKey).outerjoin(IssuerKey, active).where(Issuer.id == issuer_id)
    ).first()
    if found is None:
        raise VcApiNotConfigured(f"CREDSTACK_VCAPI_ISSUER names no issuer ({issuer_id})")
    issuer, key = found
    principal = acting_principal(issuer, caller)
    if key is None:
        raise NoActiveKey(f"issuer {issuer.id} has no active key; rotate its keys to create one")
    return SigningIssuer(issuer, principal, signers.signer(issuer, key, master))
