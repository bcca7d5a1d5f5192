"""OpenID4VCI 1.0 §11 Notification Endpoint: the wallet says what became of the copy it received.

The event (`credential_accepted`, `credential_failure`, `credential_deleted`) and its time are recorded on the copy
(issuer.models.CredentialCopy), which is what counts a claim as completed. Idempotent: sending the same notification
again answers 204 again; a later event replaces an earlier one. The notification_id must be one this access token's
offer was given (invalid_notification_id otherwise).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.models import CredentialCopy
from issuer.wallets.oid4vci.access import offer_of_token
from issuer.wallets.oid4vci.errors import Oid4vciError

EVENTS: Final = ("credential_accepted", "credential_failure", "credential_deleted")
_MAX_ID_LENGTH: Final = 64
_MAX_EVENT_DESCRIPTION: Final = 1000


@dataclass(frozen=True, slots=True)
class Notification:
    """§11.1 Notification Request."""

    notification_id: str
    event: str


def _invalid(description: str) -> Oid4vciError:
    return Oid4vciError("invalid_notification_request", description)


def _printable_ascii(text: str) -> bool:
    # §11.1: event_description characters are %x20-21 / %x23-5B / %x5D-7E.
    return all(" " <= c <= "~" and c not in '"\\' for c in text)


def read_notification(body: bytes) -> Notification:
    """§11.1 request: a JSON object with notification_id, a known event and an optional ASCII event_description."""
    try:
        parsed: Any = json.loads(body)
    except (ValueError, RecursionError):
        raise _invalid("the body is not JSON") from None
    if not isinstance(parsed, dict):
        raise _invalid("the body is not a JSON object")
    notification_id, event = parsed.get("notification_id"), parsed.get("event")
    if not isinstance(notification_id, str) or not notification_id:
        raise _invalid("notification_id is required")
    if event not in EVENTS:
        raise _invalid(f"event must be one of {', '.join(EVENTS)}")
    description = parsed.get("event_description")
    if description is not None and (
        not isinstance(description, str)
        or len(description) > _MAX_EVENT_DESCRIPTION
        or not _printable_ascii(description)
    ):
        raise _invalid("event_description must be printable ASCII without quotes or backslashes")
    return Notification(notification_id, str(event))


def record_notification(session: Session, authorization: str | None, body: bytes, *, now: datetime) -> None:
    """§11.1-§11.3: record the event on the copy of the token's offer; committed. Raises Oid4vciError."""
    offer = offer_of_token(session, authorization, now=now)
    notification = read_notification(body)
    copy = None
    if len(notification.notification_id) <= _MAX_ID_LENGTH:
        copy = session.scalars(
            select(CredentialCopy).where(CredentialCopy.notification_id == notification.notification_id)
        ).first()
    if copy is None or copy.offer_id != offer.id:
        raise Oid4vciError("invalid_notification_id", "no credential of this access token has that notification_id")
    if copy.notification_event != notification.event:  # a repeat changes nothing, not even the time
        copy.notification_event = notification.event
        copy.notified_at = now
        session.commit()
