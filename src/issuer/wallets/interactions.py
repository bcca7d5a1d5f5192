"""VCALM interaction URLs (WALLETS.md §3.3 step 1): `GET /interactions/{handle}?iuv=1` of a `vcapi` offer.

A wallet that asks for JSON gets the protocols it may continue with: the VC-API exchange and, while it is still
usable, the OpenID4VCI offer made with it (its companion; the key "OID4VCI" is the VC Playground convention LCW's
types quote). A browser (a phone camera opening the QR code's URL) gets a short page that says how to open the
link in a wallet instead.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from issuer.keystore import MasterKey
from issuer.models import WalletOffer
from issuer.wallets.offers import (
    Protocol,
    exchange_url,
    find_offer,
    handle_of,
    interaction_url,
    offer_reference_url,
    offer_uri_by_reference,
)

JSON_MEDIA_TYPE: Final = "application/json"


def wants_json(accept: str | None) -> bool:
    """RFC 9110 §12.5.1: JSON when the client accepts application/json at least as much as text/html."""
    weights: dict[str, float] = {}
    for entry in (accept or "").split(","):
        media, *parameters = (part.strip() for part in entry.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[media.lower()] = max(weights.get(media.lower(), 0.0), quality)
    json_weight = weights.get(JSON_MEDIA_TYPE, 0.0)
    return json_weight > 0 and json_weight >= weights.get("text/html", 0.0)


def _companion_uri(
    session: Session, offer: WalletOffer, *, master: MasterKey, base_url: str, now: datetime
) -> str | None:
    """The companion OpenID4VCI offer's `openid-credential-offer://` URI (by reference), while it can be used."""
    if offer.companion_offer_id is None:
        return None
    companion = session.get(WalletOffer, offer.companion_offer_id)
    if companion is None or companion.state in ("redeemed", "dead") or companion.expires_at <= now:
        return None
    return offer_uri_by_reference(offer_reference_url(base_url, handle_of(master, companion.id)))


def interaction_protocols(
    session: Session, handle: str, *, master: MasterKey, base_url: str, now: datetime
) -> dict[str, dict[str, str]]:
    """VCALM "GetExchangeProtocolsResponse": `{"protocols": {"vcapi": ..., "OID4VCI": ...}}`; UnknownOffer (404)."""
    offer = find_offer(session, handle, Protocol.VCAPI, now=now)
    protocols = {"vcapi": exchange_url(base_url, handle)}
    oid4vci = _companion_uri(session, offer, master=master, base_url=base_url, now=now)
    if oid4vci is not None:
        protocols["OID4VCI"] = oid4vci
    return {"protocols": protocols}


def interaction_page(protocols: dict[str, str], *, base_url: str, handle: str) -> str:
    """The interaction URL opened in a browser: how to hand it to a wallet (HTML, every value escaped)."""
    link = html.escape(interaction_url(base_url, handle))
    same_device = ""
    if "OID4VCI" in protocols:
        offer = html.escape(protocols["OID4VCI"])
        same_device = (
            f'<p>With an OpenID4VCI wallet on this device, <a href="{offer}">open the credential offer</a>.</p>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Add your credential to a wallet</title></head><body>"
        "<h1>Add your credential to a wallet</h1>"
        "<p>This link gives a credential to a digital wallet app, not to a web browser.</p>"
        "<p>In the Learner Credential Wallet, choose <em>Add credential</em>, then scan the QR code this link came "
        "from, or paste this link:</p>"
        f"<p><code>{link}</code></p>"
        f"{same_device}"
        "<p>The link works once and expires soon; ask the institution for a new one if it no longer works.</p>"
        "</body></html>"
    )
