"""OpenID4VCI 1.0 §8 Credential Endpoint: check the key proof, then issue the holder-bound copy of the offered award.

In order: the access token (401 invalid_token), the offer not yet redeemed and its award still active
(credential_request_denied), the request's shape and configuration (§8.2), the key proof
(credentials.oid4vci_proof, in the issuer's `wallet_proof_mode`; its nonce consumed only when everything else about
it is valid), then the copy (issuer.wallets.copies.issue_copy) with a fresh notification_id. Each tolerated
deviation from the spec (WALLETS.md §2.10) is logged as one warning line.

One write transaction claims the offer (`UPDATE ... SET state = 'redeemed' WHERE state = 'active'`), consumes the
nonce and stores the copy: of two concurrent requests with one token, the second finds nothing to claim and is
denied; a failure before the commit undoes all three. invalid_proof and invalid_nonce answers carry a fresh c_nonce,
made in a transaction of its own after the failed one rolled back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, cast

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from credentials.oid4vci_proof import ProofMode, verify_proof_jwt
from issuer.db import write_session
from issuer.issuance import IssuancePorts
from issuer.models import Issuer, WalletOffer
from issuer.wallets.copies import issue_copy
from issuer.wallets.offers import (
    JWT_CONFIGURATION,
    CredentialNotClaimable,
    credential_issuer_id,
    offered_credential,
    require_claimable,
)
from issuer.wallets.oid4vci.access import offer_of_token
from issuer.wallets.oid4vci.credential_request import parse_request_body, proof_jwt, requested_configuration
from issuer.wallets.oid4vci.errors import Oid4vciError, credential_error
from issuer.wallets.oid4vci.nonce import consume_nonce, make_nonce
from issuer.wallets.oid4vci.rows import affected_rows
from issuer.wallets.secrets import random_secret

logger = logging.getLogger(__name__)

CopyFormat = Literal["ldp", "jwt"]
NOTIFICATION_ID_BYTES: Final = 16


@dataclass(frozen=True, slots=True)
class CredentialIssued:
    """§8.3 Credential Response parts: the copy's JSON text (a JSON object, or the VC-JWT) and its notification_id."""

    text: str
    format: CopyFormat
    notification_id: str


def _denied(detail: str) -> Oid4vciError:
    return credential_error("credential_request_denied", detail)


def _log_deviations(issuer: Issuer, mode: str, deviations: tuple[str, ...]) -> None:
    for deviation in deviations:
        logger.warning("OpenID4VCI issuer %s (%s mode) tolerated a deviation: %s", issuer.id, mode, deviation)


def _issuer_of(session: Session, offer: WalletOffer) -> Issuer:
    credential = offered_credential(session, offer)
    try:
        require_claimable(credential)
    except CredentialNotClaimable as refusal:
        raise _denied(refusal.detail) from None
    issuer = session.get(Issuer, credential.issuer_id)
    if issuer is None:
        raise ValueError(f"credential {credential.id} names no issuer")
    return issuer


def _holder(session: Session, issuer: Issuer, request: dict[str, object], ports: IssuancePorts, now: datetime) -> str:
    """§8.2.1.1 / Appendix F.4: the holder DID the key proof shows; the nonce is consumed in this transaction."""
    proof = proof_jwt(request)
    mode = cast(ProofMode, issuer.wallet_proof_mode)
    verdict = verify_proof_jwt(
        proof.jwt,
        audience=credential_issuer_id(ports.base_url, issuer.id),
        nonce_is_live=lambda nonce: consume_nonce(session, nonce, now=now),
        mode=mode,
        now=now,
    )
    _log_deviations(issuer, mode, proof.deviations + verdict.deviations)
    if verdict.error is not None or verdict.holder is None:
        raise credential_error(verdict.error or "invalid_proof", verdict.detail)
    return verdict.holder


def _claim(session: Session, offer: WalletOffer, now: datetime) -> None:
    """Single use: the offer goes from active to redeemed in this transaction, or the request is denied."""
    claimed = session.execute(
        update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.state == "active")
        .values(state="redeemed", redeemed_at=now)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(claimed) != 1:
        raise _denied("the credential of this offer was already issued")


def issue_credential(
    session: Session, authorization: str | None, body: bytes, ports: IssuancePorts
) -> CredentialIssued:
    """OpenID4VCI 1.0 §8.2-§8.3 in one write transaction (module docstring); committed on success."""
    now = ports.clock()
    offer = offer_of_token(session, authorization, now=now)
    if offer.state == "redeemed":
        raise _denied("the credential of this offer was already issued")
    issuer = _issuer_of(session, offer)
    request = parse_request_body(body)
    requested = requested_configuration(request, offer)
    _log_deviations(issuer, issuer.wallet_proof_mode, requested.deviations)
    holder = _holder(session, issuer, request, ports, now)
    _claim(session, offer, now)
    copy_format: CopyFormat = "jwt" if requested.configuration_id == JWT_CONFIGURATION else "ldp"
    try:
        copy = issue_copy(
            session,
            offer,
            holder=holder,
            format=copy_format,
            ports=ports,
            notification_id=random_secret(NOTIFICATION_ID_BYTES),
        )
    except CredentialNotClaimable as refusal:
        raise _denied(refusal.detail) from None
    if copy.notification_id is None:
        raise ValueError(f"copy {copy.id} was stored without its notification_id")
    return CredentialIssued(copy.document, copy_format, copy.notification_id)


def credential_endpoint(
    sessions: sessionmaker[Session], authorization: str | None, body: bytes, ports: IssuancePorts
) -> CredentialIssued:
    """§8 Credential Endpoint; raises Oid4vciError, carrying a fresh c_nonce when §8.3.1.2 wants one."""
    with write_session(sessions) as session:
        try:
            return issue_credential(session, authorization, body, ports)
        except Oid4vciError as error:
            session.rollback()
            if error.with_c_nonce:
                error.c_nonce = make_nonce(session, now=ports.clock())
            raise
