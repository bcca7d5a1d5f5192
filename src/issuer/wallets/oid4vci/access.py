"""RFC 6750 §2.1 bearer access tokens of the credential and notification endpoints (OpenID4VCI 1.0 §8.1, §11.1).

A token is the one the Token Endpoint gave for an offer (its SHA-256 on the offer row); it stays good for the
token's lifetime, also after the copy was issued (the notification comes after). The scheme name is matched
case-insensitively (RFC 9110 §11.1), as WALLETS.md §2.2 asks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.dependencies import bearer_token
from issuer.models import WalletOffer
from issuer.wallets.offers import Protocol
from issuer.wallets.oid4vci.errors import invalid_token
from issuer.wallets.secrets import digest

_MAX_TOKEN_LENGTH = 200


def offer_of_token(session: Session, authorization: str | None, *, now: datetime) -> WalletOffer:
    """The OpenID4VCI offer whose unexpired access token the request carries; RFC 6750 §3.1 invalid_token (401)."""
    token = bearer_token(authorization)
    if token is None:
        raise invalid_token(
            "send the access token from the token endpoint as `Authorization: Bearer`", token_sent=False
        )
    offer = None
    if len(token) <= _MAX_TOKEN_LENGTH:
        offer = session.scalars(select(WalletOffer).where(WalletOffer.access_token_hash == digest(token))).first()
    if offer is None or offer.protocol != Protocol.OID4VCI.value or offer.token_expires_at is None:
        raise invalid_token("the access token is unknown")
    if offer.token_expires_at <= now:
        raise invalid_token("the access token has expired")
    if offer.state not in ("active", "redeemed"):
        raise invalid_token("the access token is no longer valid")
    return offer
