"""Open Badges 3.0 §5.1: what may be baked, a compact JWS or the JSON of one credential."""

from __future__ import annotations

import json
import re
from typing import Final, Literal

from credentials.baking.errors import InvalidPayload

_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")

PayloadKind = Literal["jws", "json"]


def _payload_kind(payload: object) -> PayloadKind:
    """Open Badges 3.0 §5.1: a payload is a compact JWS or the JSON of one credential."""
    if not isinstance(payload, str) or not payload:
        raise InvalidPayload("payload must be a non-empty string")
    try:
        payload.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidPayload("payload is not encodable as UTF-8") from exc
    if _JWS.fullmatch(payload) is not None:
        return "jws"
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidPayload("payload is neither a compact JWS nor JSON") from exc
    if not isinstance(document, dict):
        raise InvalidPayload("a JSON payload must be a single credential object")
    return "json"
