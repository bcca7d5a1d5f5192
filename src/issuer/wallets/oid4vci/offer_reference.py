"""OpenID4VCI 1.0 §4.1.3 `credential_offer_uri`: the Credential Offer object a wallet fetches by reference.

The handle in the URL names the offer (issuer.wallets.offers.find_offer: unknown, expired or dead is 404); the
pre-authorized code in it is derived again from the offer's id, not stored. Only a pending offer is served: once
its code was exchanged, the object would only lead a wallet to `invalid_grant`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from issuer.keystore import MasterKey
from issuer.wallets.offers import (
    Protocol,
    UnknownOffer,
    credential_issuer_id,
    credential_offer,
    find_offer,
    offered_credential,
    pre_authorized_code_of,
)


def offer_by_reference(
    session: Session, handle: str, *, master: MasterKey, base_url: str, now: datetime
) -> dict[str, Any]:
    """§4.1.1 Credential Offer object of the pending OpenID4VCI offer `handle` names; UnknownOffer (404) otherwise."""
    offer = find_offer(session, handle, Protocol.OID4VCI, now=now)
    if offer.state != "pending":
        raise UnknownOffer("this offer was already used")
    credential = offered_credential(session, offer)
    issuer_url = credential_issuer_id(base_url, credential.issuer_id)
    return credential_offer(issuer_url, offer, code=pre_authorized_code_of(master, offer.id))
