"""Issue 6 claimed copies: the award re-issued to a wallet, bound to the holder's DID (WALLETS.md §2.8 step 5, §3.5).

The copy is the original credential with a new `id`, `credentialSubject.id` set to the holder DID the wallet proved
control of, and a fresh proof by the issuer's active key (eddsa-rdfc-2022, or an OB 3.0 VC-JWT). Everything else,
including `validFrom` (the award date) and the credentialStatus entries, is the original's: revoking or suspending
the award therefore revokes or suspends every copy, with no list of copies to walk. The copy passes the same gate
as any issuance (strict JSON-LD and the 1EdTech schema) and is stored, with its digest, as a recorded claim.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy.orm import Session

from credentials.proofs.vc_jwt import credential_from_payload, decode_unverified
from issuer.credential_signing import sign_credential
from issuer.issuable import validate_issuable
from issuer.issuance import IssuancePorts
from issuer.models import Credential, CredentialCopy, Issuer, WalletOffer
from issuer.signing_keys import active_signer
from issuer.wallets.offers import redeem_offer, require_claimable

CopyFormat = Literal["ldp", "jwt"]
LDP_CRYPTOSUITE = "eddsa-rdfc-2022"


def original_document(credential: Credential) -> dict[str, Any]:
    """The stored credential as a dict without its proof: the JSON text, or the credential a VC-JWT carries."""
    if credential.format == "jwt":
        _, payload = decode_unverified(credential.document)
        carried, _ = credential_from_payload(payload)
        if carried is None:
            raise ValueError(f"stored VC-JWT {credential.id} carries no credential")
        document: dict[str, Any] = carried
    else:
        document = json.loads(credential.document)
    document.pop("proof", None)
    return document


def bound_copy(original: Mapping[str, Any], *, copy_id: str, holder: str) -> dict[str, Any]:
    """The unsigned copy: a new `id`, and `credentialSubject.id` = the holder DID (OB 3.0 §B.1.2 AchievementSubject)."""
    document = copy.deepcopy(dict(original))
    document["id"] = copy_id
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise ValueError("the original credential has no credentialSubject object")
    document["credentialSubject"] = {"id": holder, **{k: v for k, v in subject.items() if k != "id"}}
    return document


def issue_copy(
    session: Session,
    offer: WalletOffer,
    *,
    holder: str,
    format: CopyFormat,
    ports: IssuancePorts,
    notification_id: str | None = None,
) -> CredentialCopy:
    """Sign, store and record the holder-bound copy for `offer`, and mark the offer redeemed; committed.

    Raises CredentialNotClaimable when the award was revoked or suspended since the offer was made.
    """
    credential = session.get(Credential, offer.credential_row_id)
    if credential is None:
        raise ValueError(f"offer {offer.id} names no credential")
    require_claimable(credential)
    issuer = session.get(Issuer, credential.issuer_id)
    if issuer is None:
        raise ValueError(f"credential {credential.id} names no issuer")
    now = ports.clock()
    row_id = uuid.uuid4()
    unsigned = bound_copy(original_document(credential), copy_id=f"urn:uuid:{row_id}", holder=holder)
    validate_issuable(unsigned, ports.contexts, schema=ports.schema)
    signer, _ = active_signer(session, issuer, ports.master)
    cryptosuite = LDP_CRYPTOSUITE if format == "ldp" else None
    signed = sign_credential(
        unsigned, format=format, cryptosuite=cryptosuite, signer=signer, contexts=ports.contexts, now=now
    )
    stored = CredentialCopy(
        id=row_id,
        organization_id=credential.organization_id,
        credential_row_id=credential.id,
        offer_id=offer.id,
        credential_id=unsigned["id"],
        holder=holder,
        protocol=offer.protocol,
        format=signed.format,
        cryptosuite=signed.cryptosuite,
        document=signed.text,
        digest=hashlib.sha256(signed.text.encode("utf-8")).hexdigest(),
        issued_at=now,
        notification_id=notification_id,
    )
    session.add(stored)
    redeem_offer(session, offer, credential, now=now, reason=f"copy {row_id} bound to {holder[:200]}")
    session.commit()
    return stored
