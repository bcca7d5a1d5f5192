"""Issue 6 wallet offers (WALLETS.md §2.5, §3.2, §3.3): one credential offered to one wallet, and the URI it scans.

- `oid4vci`: an OpenID4VCI 1.0 §4.1 credential offer with a pre-authorized code (and, on request, a numeric
  tx_code); `offer_uri` is `openid-credential-offer://?credential_offer_uri=...` (by reference, short enough for a
  comfortable QR code), `offer_by_value_uri` carries the same offer inline.
- `lcw`: the DCC Learner Credential Wallet's direct deep link, `https://lcw.app/request.html?...` with a
  single-use challenge and a percent-encoded `vc_request_url` (LCW splits on the first `?`).
- `vcapi`: a VCALM interaction URL (`?iuv=1`) whose protocols are the VC-API exchange and an OpenID4VCI offer made
  with it (its companion).

The offer's handle, pre-authorized code and challenge are derived from the offer's id (issuer.wallets.secrets), so a
by-reference offer can be served and a claim page shown again without keeping them in the clear.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from issuer.errors import Conflict, InvalidInput, NotFound
from issuer.keystore import MasterKey
from issuer.models import Credential, WalletOffer
from issuer.repositories.audit import record_audit
from issuer.wallets.secrets import TX_CODE_LENGTH, derived_handle, digest, random_tx_code

DEFAULT_OFFER_TTL = timedelta(minutes=10)
MAX_OFFER_TTL = timedelta(days=7)
LDP_CONFIGURATION = "OpenBadgeCredential_ldp_vc"
JWT_CONFIGURATION = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATIONS = (LDP_CONFIGURATION, JWT_CONFIGURATION)
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
LCW_REQUEST_URL = "https://lcw.app/request.html"
TX_CODE_DESCRIPTION = "Enter the 6-digit code the institution sent you"


class Protocol(StrEnum):
    OID4VCI = "oid4vci"
    LCW = "lcw"
    VCAPI = "vcapi"


class CredentialNotClaimable(Conflict):
    """The credential is revoked or suspended: it cannot be offered or copied into a wallet (HTTP 409)."""

    code = "CREDENTIAL_NOT_CLAIMABLE"
    title = "The credential cannot be claimed"


class UnknownOffer(NotFound):
    """No offer or exchange has this handle (HTTP 404)."""


@dataclass(frozen=True, slots=True)
class OfferCreated:
    """A new offer and what the wallet is given; `tx_code` only when one was asked for (delivered separately)."""

    offer: WalletOffer
    offer_uri: str
    expires_at: datetime
    tx_code: str | None = None
    offer_by_value_uri: str | None = None


def handle_of(master: MasterKey, offer_id: uuid.UUID) -> str:
    return derived_handle(master, "offer", offer_id)


def pre_authorized_code_of(master: MasterKey, offer_id: uuid.UUID) -> str:
    return derived_handle(master, "pre-authorized-code", offer_id)


def challenge_of(master: MasterKey, offer_id: uuid.UUID) -> str:
    return derived_handle(master, "challenge", offer_id)


def credential_issuer_id(base_url: str, issuer_id: uuid.UUID) -> str:
    """OpenID4VCI §12.2.1 Credential Issuer Identifier: one per issuer, the URL of its OB Profile."""
    return f"{base_url}/issuers/{issuer_id}"


def offer_reference_url(base_url: str, handle: str) -> str:
    return f"{base_url}/oid4vci/offers/{handle}"


def exchange_url(base_url: str, handle: str) -> str:
    return f"{base_url}/exchanges/{handle}"


def direct_exchange_url(base_url: str, handle: str) -> str:
    """The LCW legacy `vc_request_url`: it takes the bare DIDAuth VP."""
    return f"{base_url}/exchanges/{handle}/direct"


def interaction_url(base_url: str, handle: str) -> str:
    """VCALM §3.4 interaction URL; `iuv=1` marks it (kept well under the 400 characters VCALM recommends)."""
    return f"{base_url}/interactions/{handle}?iuv=1"


def credential_offer(issuer_url: str, offer: WalletOffer, *, code: str) -> dict[str, Any]:
    """OpenID4VCI 1.0 §4.1.1 Credential Offer object with the pre-authorized code grant."""
    grant: dict[str, Any] = {"pre-authorized_code": code}
    if offer.tx_code_hash is not None:
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH, "description": TX_CODE_DESCRIPTION}
    return {
        "credential_issuer": issuer_url,
        "credential_configuration_ids": list(offer.configuration_ids or CONFIGURATIONS),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def offer_uri_by_reference(reference_url: str) -> str:
    """OpenID4VCI 1.0 §4.1.3: the offer's URL, percent-encoded as `credential_offer_uri`."""
    return f"{OFFER_SCHEME}?credential_offer_uri={quote(reference_url, safe='')}"


def offer_uri_by_value(offer: dict[str, Any]) -> str:
    """OpenID4VCI 1.0 §4.1.2: the offer object as compact JSON, percent-encoded as `credential_offer`."""
    compact = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    return f"{OFFER_SCHEME}?credential_offer={quote(compact, safe='')}"


def lcw_request_link(*, issuer: str, challenge: str, vc_request_url: str) -> str:
    """WALLETS.md §3.2: the LCW direct deep link; every value percent-encoded, `auth_type` bearer."""
    query = "&".join(
        f"{name}={quote(value, safe='')}"
        for name, value in (
            ("issuer", issuer),
            ("auth_type", "bearer"),
            ("challenge", challenge),
            ("vc_request_url", vc_request_url),
        )
    )
    return f"{LCW_REQUEST_URL}?{query}"


def _new_offer(
    credential: Credential, protocol: Protocol, *, now: datetime, ttl: timedelta, master: MasterKey
) -> WalletOffer:
    offer_id = uuid.uuid4()
    return WalletOffer(
        id=offer_id,
        organization_id=credential.organization_id,
        credential_row_id=credential.id,
        protocol=protocol.value,
        state="pending",
        handle_hash=digest(handle_of(master, offer_id)),
        tx_code_attempts=0,
        holder_binding=True,
        created_at=now,
        expires_at=now + ttl,
    )


def require_claimable(credential: Credential) -> None:
    if credential.status != "active":
        raise CredentialNotClaimable(f"the credential is {credential.status}; a wallet cannot be given a copy")


def create_offer(
    session: Session,
    credential: Credential,
    protocol: Protocol,
    *,
    master: MasterKey,
    base_url: str,
    now: datetime,
    tx_code: bool = False,
    holder_binding: bool = True,
    configuration_ids: tuple[str, ...] = CONFIGURATIONS,
    ttl: timedelta = DEFAULT_OFFER_TTL,
) -> OfferCreated:
    """A new offer of `credential` over `protocol`; flushed, not committed. Raises CredentialNotClaimable."""
    require_claimable(credential)
    if not timedelta(0) < ttl <= MAX_OFFER_TTL:
        raise InvalidInput(f"an offer lives between 1 second and {MAX_OFFER_TTL.days} days")
    if tx_code and protocol is not Protocol.OID4VCI:
        raise InvalidInput("a transaction code (tx_code) is part of OpenID4VCI offers only")
    if protocol is Protocol.OID4VCI:
        return _oid4vci_offer(session, credential, master, base_url, now, ttl, tx_code, configuration_ids)
    offer = _new_offer(credential, protocol, now=now, ttl=ttl, master=master)
    offer.challenge_hash = digest(challenge_of(master, offer.id))
    handle = handle_of(master, offer.id)
    if protocol is Protocol.LCW:
        session.add(offer)
        session.flush()
        link = lcw_request_link(
            issuer=urlsplit(base_url).netloc,
            challenge=challenge_of(master, offer.id),
            vc_request_url=direct_exchange_url(base_url, handle),
        )
        return OfferCreated(offer, link, offer.expires_at)
    companion = _oid4vci_offer(session, credential, master, base_url, now, ttl, False, configuration_ids)
    offer.holder_binding = holder_binding
    offer.companion_offer_id = companion.offer.id
    session.add(offer)
    session.flush()
    return OfferCreated(offer, interaction_url(base_url, handle), offer.expires_at)


def _oid4vci_offer(
    session: Session,
    credential: Credential,
    master: MasterKey,
    base_url: str,
    now: datetime,
    ttl: timedelta,
    tx_code: bool,
    configuration_ids: tuple[str, ...],
) -> OfferCreated:
    unknown = [c for c in configuration_ids if c not in CONFIGURATIONS]
    if unknown or not configuration_ids:
        raise InvalidInput(f"credential configurations are {', '.join(CONFIGURATIONS)}")
    offer = _new_offer(credential, Protocol.OID4VCI, now=now, ttl=ttl, master=master)
    offer.configuration_ids = list(dict.fromkeys(configuration_ids))
    code = pre_authorized_code_of(master, offer.id)
    offer.code_hash = digest(code)
    secret = random_tx_code() if tx_code else None
    offer.tx_code_hash = digest(secret) if secret is not None else None
    session.add(offer)
    session.flush()
    issuer_url = credential_issuer_id(base_url, credential.issuer_id)
    by_value = offer_uri_by_value(credential_offer(issuer_url, offer, code=code))
    reference = offer_uri_by_reference(offer_reference_url(base_url, handle_of(master, offer.id)))
    return OfferCreated(offer, reference, offer.expires_at, tx_code=secret, offer_by_value_uri=by_value)


def find_offer(session: Session, handle: str, protocol: Protocol, *, now: datetime) -> WalletOffer:
    """The live offer a handle names (UnknownOffer for none, another protocol's, an expired or dead one)."""
    if not 16 <= len(handle) <= 100:
        raise UnknownOffer("no such offer")
    offer = session.scalars(select(WalletOffer).where(WalletOffer.handle_hash == digest(handle))).first()
    if offer is None or offer.protocol != protocol.value or offer.expires_at <= now or offer.state == "dead":
        raise UnknownOffer("no such offer, or it has expired")
    return offer


def offered_credential(session: Session, offer: WalletOffer) -> Credential:
    credential = session.get(Credential, offer.credential_row_id)
    if credential is None:
        raise UnknownOffer("no such offer")
    return credential


def close_companions(session: Session, offer: WalletOffer) -> None:
    """One interaction URL, one claim: redeeming a VC-API exchange or its companion OpenID4VCI offer ends the other.

    Flushed with the caller's transaction. The other offer becomes `dead` unless it is already redeemed.
    """
    linked = [WalletOffer.companion_offer_id == offer.id]
    if offer.companion_offer_id is not None:
        linked.append(WalletOffer.id == offer.companion_offer_id)
    session.execute(
        update(WalletOffer)
        .where(or_(*linked), WalletOffer.state.in_(("pending", "active")))
        .values(state="dead")
        .execution_options(synchronize_session=False)
    )


def redeem_offer(session: Session, offer: WalletOffer, credential: Credential, *, now: datetime, reason: str) -> None:
    """Record a claim (issue 6): the offer redeemed, its interaction companion ended, an audit entry; not committed."""
    offer.state = "redeemed"
    offer.redeemed_at = now
    close_companions(session, offer)
    record_audit(
        session,
        organization_id=credential.organization_id,
        actor=f"wallet:{offer.protocol}",
        action="credential.claim",
        subject=f"credential:{credential.id}",
        at=now,
        reason=reason,
    )
