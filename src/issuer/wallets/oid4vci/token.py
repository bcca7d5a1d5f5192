"""OpenID4VCI 1.0 §6 Token Endpoint, pre-authorized code grant (§6.1), as WALLETS.md §2.6 specifies it.

The code is used once. Exchanging it moves its offer from `pending` to `active` with one `UPDATE ... WHERE state =
'pending'`, so of two concurrent requests with the same code exactly one gets a token (the other's update matches
no row: `invalid_grant`). A wrong transaction code counts an attempt in the same way (an atomic increment); the
fifth wrong one makes the offer `dead` (the errata's "Transaction Code Guessing": the code is then invalidated, and
even the right transaction code gets `invalid_grant`). Only the access token's SHA-256 is stored, on the offer.

Parameters wallets add (`user_pin`, `resource`, `client_id`, ...) are ignored, as RFC 6749 §3.2 requires;
parameters without a value count as omitted (§3.1), and none may repeat (§3.2).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qs

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from issuer.models import WalletOffer
from issuer.wallets.offers import CONFIGURATIONS, PRE_AUTHORIZED_GRANT, Protocol
from issuer.wallets.oid4vci.errors import token_error
from issuer.wallets.oid4vci.metadata import AUTHORIZATION_DETAILS_TYPE
from issuer.wallets.oid4vci.rows import affected_rows
from issuer.wallets.secrets import digest, random_secret, same_secret

FORM_MEDIA_TYPE: Final = "application/x-www-form-urlencoded"
TOKEN_LIFETIME: Final = timedelta(seconds=600)
MAX_TX_CODE_ATTEMPTS: Final = 5
TOKEN_TYPE: Final = "bearer"  # lowercase: the Digital Bazaar client compares it case-sensitively (§2.6)
_MAX_FIELDS: Final = 32
_MAX_CODE_LENGTH: Final = 200
_MAX_AUTHORIZATION_DETAILS: Final = 8


@dataclass(frozen=True, slots=True)
class PreAuthorizedCodeRequest:
    """§6.1 Token Request of the pre-authorized code grant; `authorization_details` (RFC 9396) as sent, or None."""

    code: str
    tx_code: str | None
    authorization_details: tuple[dict[str, Any], ...] | None


@dataclass(frozen=True, slots=True)
class TokenGranted:
    """§6.2 Successful Token Response."""

    access_token: str
    expires_in: int
    authorization_details: tuple[dict[str, Any], ...] | None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": TOKEN_TYPE,
            "expires_in": self.expires_in,
        }
        if self.authorization_details is not None:
            body["authorization_details"] = list(self.authorization_details)
        return body


def credential_identifier(offer: WalletOffer, configuration_id: str) -> str:
    """§6.2 `credential_identifiers` entry: the configuration and a tag of the offer (not a secret: the token is)."""
    tag = hashlib.sha256(f"{offer.id}:{configuration_id}".encode()).hexdigest()[:8]
    return f"{configuration_id}-{tag}"


def _form_fields(content_type: str | None, body: bytes) -> dict[str, str]:
    """RFC 6749 §3.2 form body: UTF-8 application/x-www-form-urlencoded, no repeated parameter, blanks omitted."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise token_error("invalid_request", f"the token request body must be {FORM_MEDIA_TYPE}")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise token_error("invalid_request", "the body is not UTF-8 application/x-www-form-urlencoded") from None
    repeated = sorted(name for name, values in parsed.items() if len(values) > 1)
    if repeated:
        raise token_error("invalid_request", f"parameters must not be repeated: {', '.join(repeated)}")
    return {name: values[0] for name, values in parsed.items() if values[0] != ""}


def _authorization_details(value: str | None) -> tuple[dict[str, Any], ...] | None:
    """OpenID4VCI 1.0 §5.1.1 / RFC 9396 §2: a JSON array of `openid_credential` objects naming a configuration."""
    if value is None:
        return None
    refused = token_error("invalid_authorization_details", "authorization_details is not a JSON array of objects")
    try:
        details = json.loads(value)
    except (ValueError, RecursionError):
        raise refused from None
    if not isinstance(details, list) or not 0 < len(details) <= _MAX_AUTHORIZATION_DETAILS:
        raise refused
    for detail in details:
        if not isinstance(detail, dict) or detail.get("type") != AUTHORIZATION_DETAILS_TYPE:
            raise token_error("invalid_authorization_details", f"each entry needs type {AUTHORIZATION_DETAILS_TYPE}")
        if detail.get("credential_configuration_id") not in CONFIGURATIONS:
            raise token_error("invalid_authorization_details", "credential_configuration_id names no configuration")
    return tuple(details)


def read_token_request(content_type: str | None, body: bytes) -> PreAuthorizedCodeRequest:
    """§6.1 Token Request, checked in order: form, grant type, pre-authorized code, authorization details."""
    fields = _form_fields(content_type, body)
    grant_type = fields.get("grant_type")
    if grant_type is None:
        raise token_error("invalid_request", "grant_type is required")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise token_error("unsupported_grant_type", f"only {PRE_AUTHORIZED_GRANT} is supported")
    code = fields.get("pre-authorized_code")
    if code is None:
        raise token_error("invalid_request", "pre-authorized_code is required")
    details = _authorization_details(fields.get("authorization_details"))
    return PreAuthorizedCodeRequest(code, fields.get("tx_code"), details)


def _offer_of_code(session: Session, code: str, now: datetime) -> WalletOffer:
    """The pending, unexpired OpenID4VCI offer of `code`; §6.3 `invalid_grant` for any other."""
    offer = None
    if len(code) <= _MAX_CODE_LENGTH:
        offer = session.scalars(select(WalletOffer).where(WalletOffer.code_hash == digest(code))).first()
    if offer is None or offer.protocol != Protocol.OID4VCI.value:
        raise token_error("invalid_grant", "the pre-authorized code is unknown")
    if offer.state != "pending" or offer.expires_at <= now:
        raise token_error("invalid_grant", "the pre-authorized code was used, invalidated or has expired")
    return offer


def _count_wrong_tx_code(session: Session, offer: WalletOffer) -> None:
    """The errata's Transaction Code Guessing: count the attempt; the MAX_TX_CODE_ATTEMPTS-th kills the code."""
    dead = WalletOffer.tx_code_attempts + 1 >= MAX_TX_CODE_ATTEMPTS
    session.execute(
        update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.state == "pending")
        .values(
            tx_code_attempts=WalletOffer.tx_code_attempts + 1,
            state=case((dead, "dead"), else_=WalletOffer.state),
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _check_tx_code(session: Session, offer: WalletOffer, tx_code: str | None) -> None:
    """§6.1 `tx_code`: present exactly when the offer asked for one (else invalid_request), and right."""
    if offer.tx_code_hash is None:
        if tx_code is not None:
            raise token_error("invalid_request", "this offer has no transaction code; do not send tx_code")
        return
    if tx_code is None:
        raise token_error("invalid_request", "tx_code is required: the offer asked for a transaction code")
    if not same_secret(tx_code, offer.tx_code_hash):
        _count_wrong_tx_code(session, offer)
        raise token_error("invalid_grant", "the transaction code is wrong")


def _granted_details(
    offer: WalletOffer, details: tuple[dict[str, Any], ...] | None
) -> tuple[dict[str, Any], ...] | None:
    """§6.2: each requested `openid_credential` detail with its `credential_identifiers`; only offered ones."""
    if details is None:
        return None
    offered = offer.configuration_ids or list(CONFIGURATIONS)
    granted = []
    for detail in details:
        configuration = detail["credential_configuration_id"]
        if configuration not in offered:
            raise token_error("invalid_authorization_details", f"{configuration} was not offered")
        granted.append({**detail, "credential_identifiers": [credential_identifier(offer, configuration)]})
    return tuple(granted)


def exchange_pre_authorized_code(session: Session, request: PreAuthorizedCodeRequest, *, now: datetime) -> TokenGranted:
    """§6 pre-authorized code -> access token, once; `session` is a write session. Committed.

    Raises Oid4vciError (§6.3) for an unknown, used, expired or dead code, a missing, unexpected or wrong tx_code,
    or authorization details naming a configuration the offer did not offer.
    """
    offer = _offer_of_code(session, request.code, now)
    _check_tx_code(session, offer, request.tx_code)
    details = _granted_details(offer, request.authorization_details)
    access_token = random_secret(32)
    claimed = session.execute(
        update(WalletOffer)
        .where(WalletOffer.id == offer.id, WalletOffer.state == "pending", WalletOffer.expires_at > now)
        .values(state="active", access_token_hash=digest(access_token), token_expires_at=now + TOKEN_LIFETIME)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(claimed) != 1:
        session.rollback()
        raise token_error("invalid_grant", "the pre-authorized code was used, invalidated or has expired")
    session.commit()
    return TokenGranted(access_token, int(TOKEN_LIFETIME.total_seconds()), details)
