"""WALLETS.md §3.2-§3.3: the LCW legacy DIDAuth endpoint and VCALM exchanges that hand a wallet its credential.

An exchange is a `WalletOffer` (protocol `lcw` or `vcapi`) named by its handle. The wallet proves control of a DID
by signing a presentation for the offer's challenge (derived from the offer id, issuer.wallets.offers.challenge_of);
the issuer then signs a copy bound to that DID (issuer.wallets.copies). The offer is used once: the first copy marks
it redeemed, and the row lock (PostgreSQL `FOR UPDATE`; SQLite write transactions are serialised by BEGIN
IMMEDIATE) plus the unique `credential_copies.offer_id` make a concurrent second POST a 409, never a second copy.

Domain (VC-DI 1.0 §2.1 `domain`): the VCALM flow asks for our base URL and requires it. The LCW legacy link sends
no domain (LCW signs with the challenge only); a legacy presentation that does carry one must name our base URL
too, so that a presentation made for another service is never accepted here.

Steps are split so that the database work runs in worker threads and the DIDAuth verification (small, capped
input; did:key and did:jwk resolve without I/O) runs on the event loop between them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from credentials.did import DidJwkResolver, DidKeyResolver, DidResolverRegistry
from credentials.didauth import verify_did_authentication
from credentials.jsonld import ContextStore
from issuer.db import write_session
from issuer.errors import Conflict, IssuerError
from issuer.issuance import IssuancePorts
from issuer.keystore import MasterKey
from issuer.models import Credential, WalletOffer
from issuer.wallets.copies import issue_copy
from issuer.wallets.exchange_messages import did_authentication_request, enveloped_jwt
from issuer.wallets.offers import (
    Protocol,
    UnknownOffer,
    challenge_of,
    find_offer,
    offered_credential,
    redeem_offer,
    require_claimable,
)
from issuer.wallets.secrets import same_secret

HOLDER_MAX: Final = 2000  # credential_copies.holder
# VCALM GetExchangeResponse `state` for each offer state.
EXCHANGE_STATES: Final[Mapping[str, str]] = {
    "pending": "pending",
    "active": "active",
    "redeemed": "complete",
    "dead": "invalid",
}


class OfferAlreadyRedeemed(Conflict):
    """The offer's credential was already handed out: offers and challenges are single use (HTTP 409)."""

    code = "OFFER_ALREADY_REDEEMED"
    title = "The offer has already been redeemed"


class PresentationNotExpected(IssuerError):
    """An exchange without holder binding asks for no presentation: POST `{}` receives the credential (400)."""

    code = "PRESENTATION_NOT_EXPECTED"
    status = 400
    title = "This exchange asks for no presentation"


class DidAuthenticationFailed(IssuerError):
    """The DIDAuth presentation did not verify (HTTP 401); `reason` is the verifier's stable verdict code."""

    code = "DID_AUTHENTICATION_FAILED"
    status = 401
    title = "The DID authentication did not verify"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason

    def headers(self) -> dict[str, str]:
        # RFC 9110 §15.5.2: a 401 names how to authenticate; here, by presenting a DIDAuth VP (no registered scheme).
        return {"WWW-Authenticate": 'DIDAuth realm="credstack"'}


@dataclass(frozen=True, slots=True)
class ClaimTarget:
    """What verifying a presentation for an offer needs: the offer's id and its challenge."""

    offer_id: uuid.UUID
    challenge: str
    holder_binding: bool


@dataclass(frozen=True, slots=True)
class ExchangeStart:
    """The answer to VCALM `POST {}`: a DIDAuth request, or (no holder binding) the credential's JSON text."""

    request: dict[str, Any] | None = None
    credential_text: str | None = None


def did_auth_resolver() -> DidResolverRegistry:
    """DID Resolution for DIDAuth holders: did:key and did:jwk only, generative methods that never touch the network."""
    return DidResolverRegistry({"key": DidKeyResolver(), "jwk": DidJwkResolver()}, fragment_keys=False)


def _require_open(offer: WalletOffer) -> None:
    if offer.state == "redeemed":
        raise OfferAlreadyRedeemed("this offer was used already; ask the institution for a new one")


def claim_target(session: Session, handle: str, protocol: Protocol, *, master: MasterKey, now: datetime) -> ClaimTarget:
    """WALLETS.md §3.2/§3.3: the live, unredeemed offer a handle names, for a credential that can still be claimed.

    Raises UnknownOffer (404: unknown, expired), OfferAlreadyRedeemed (409), CredentialNotClaimable (409).
    """
    offer = find_offer(session, handle, protocol, now=now)
    _require_open(offer)
    require_claimable(offered_credential(session, offer))
    challenge = challenge_of(master, offer.id)
    if not same_secret(challenge, offer.challenge_hash):
        raise UnknownOffer("no such offer")  # an offer made without a challenge is not an exchange
    return ClaimTarget(offer.id, challenge, offer.holder_binding)


def legacy_domain(presentation: Mapping[str, Any], base_url: str) -> str | None:
    """WALLETS.md §3.2: LCW signs no domain; a legacy presentation whose proof carries one must name `base_url`."""
    proofs = presentation.get("proof")
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and "domain" in proof:
            return base_url
    return None


async def authenticate_holder(
    presentation: Any,
    *,
    challenge: str,
    domain: str | None,
    contexts: ContextStore,
    resolver: DidResolverRegistry,
    now: datetime,
) -> str:
    """VC-DI 1.0 §4.5 (proofPurpose authentication): the DID that signed `presentation`.

    Raises DidAuthenticationFailed (401) with the verifier's verdict code.
    """
    verdict = await verify_did_authentication(
        presentation, challenge=challenge, domain=domain, contexts=contexts, resolver=resolver, now=now
    )
    if not verdict.verified or verdict.holder is None:
        raise DidAuthenticationFailed(verdict.error or "invalid_signature", verdict.detail)
    if len(verdict.holder) > HOLDER_MAX:
        raise DidAuthenticationFailed("malformed", f"the holder DID is longer than {HOLDER_MAX} characters")
    return verdict.holder


def _locked_offer(session: Session, offer_id: uuid.UUID, now: datetime) -> WalletOffer:
    """The offer again, row-locked and re-read in this write transaction, still live and unredeemed."""
    statement = (
        select(WalletOffer)
        .where(WalletOffer.id == offer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    offer = session.scalars(statement).first()
    if offer is None or offer.expires_at <= now or offer.state == "dead":
        raise UnknownOffer("no such offer, or it has expired")
    _require_open(offer)
    return offer


def redeem_with_holder(
    sessions: sessionmaker[Session], offer_id: uuid.UUID, *, holder: str, ports: IssuancePorts
) -> str:
    """WALLETS.md §3.2/§3.3 step 3: sign and store the copy bound to `holder`; its stored JSON text. Committed.

    Raises OfferAlreadyRedeemed when another request redeemed the offer first, CredentialNotClaimable (409)
    when the award was revoked or suspended meanwhile.
    """
    with write_session(sessions) as session:
        offer = _locked_offer(session, offer_id, ports.clock())
        try:
            stored = issue_copy(session, offer, holder=holder, format="ldp", ports=ports)
        except IntegrityError:
            # The unique offer_id of credential_copies: a concurrent request stored its copy first.
            raise OfferAlreadyRedeemed("this offer was used already; ask the institution for a new one") from None
        return stored.document


def as_issued(credential: Credential) -> str:
    """The stored credential as a JSON value for a presentation: its JSON text, or a VC-JWT enveloped."""
    return enveloped_jwt(credential.document) if credential.format == "jwt" else credential.document


def start_exchange(
    sessions: sessionmaker[Session], handle: str, *, master: MasterKey, base_url: str, now: datetime
) -> ExchangeStart:
    """VCALM exchange `POST {}` (WALLETS.md §3.3 step 2): the DIDAuth request, or the credential as issued.

    With holder binding the offer becomes `active` and the answer is the same request each time (the challenge is
    derived from the offer). Without, the credential itself is the answer and the offer is redeemed: audit entry
    `credential.claim`, no copy row (nothing new was signed).
    """
    with write_session(sessions) as session:
        offer = _locked_offer(session, find_offer(session, handle, Protocol.VCAPI, now=now).id, now)
        credential = offered_credential(session, offer)
        require_claimable(credential)
        if offer.holder_binding:
            if offer.state == "pending":
                offer.state = "active"
                session.commit()
            challenge = challenge_of(master, offer.id)
            return ExchangeStart(request=did_authentication_request(challenge=challenge, domain=base_url))
        text = as_issued(credential)
        reason = f"offer {offer.id}: the credential as issued, without holder binding"
        redeem_offer(session, offer, credential, now=now, reason=reason)
        session.commit()
        return ExchangeStart(credential_text=text)


def exchange_state(session: Session, handle: str, *, now: datetime) -> dict[str, Any]:
    """VCALM GetExchangeResponse: `id`, `state` (pending | active | complete | invalid) and `expires`.

    An exchange whose award was revoked or suspended before it completed is `invalid`: it can no longer complete.
    """
    offer = find_offer(session, handle, Protocol.VCAPI, now=now)
    state = EXCHANGE_STATES[offer.state]
    if state in ("pending", "active") and offered_credential(session, offer).status != "active":
        state = "invalid"
    expires = offer.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": handle, "state": state, "expires": expires}
