"""RFC 9110 content negotiation (§12.5.1 Accept) and conditional GET (§8.8.3 ETag, §13.1.2 If-None-Match).

Pure functions of header values; the public document routes use them to serve cacheable JSON.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

MAX_ACCEPT_RANGES = 64


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One element of an Accept header: `type/subtype` (either may be `*`) and its weight."""

    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """-1 when the range does not match `media_type`, else 0 (`*/*`), 1 (`type/*`) or 2 (exact)."""
        wanted_type, _, wanted_subtype = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != wanted_type:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == wanted_subtype else -1


def _quality(parameters: Sequence[str]) -> float | None:
    """RFC 9110 §12.4.2 weight: `q=` 0 to 1 with up to three decimals; None when malformed."""
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() != "q":
            continue
        value = value.strip()
        try:
            quality = float(value)
        except ValueError:
            return None
        return quality if 0 <= quality <= 1 and len(value) <= 5 else None
    return 1.0


def parse_accept(header: str) -> list[MediaRange]:
    """RFC 9110 §12.5.1 Accept; malformed elements are ignored, and at most MAX_ACCEPT_RANGES are read."""
    ranges: list[MediaRange] = []
    for element in header.split(",")[:MAX_ACCEPT_RANGES]:
        media, *parameters = element.split(";")
        full_type, slash, subtype = media.strip().lower().partition("/")
        quality = _quality(parameters)
        if not slash or not full_type or not subtype or quality is None:
            continue
        ranges.append(MediaRange(full_type, subtype, quality))
    return ranges


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """RFC 9110 §12.5.1: the offered media type the client weights highest, None when it accepts none of them.

    A type's weight comes from the most specific range matching it; ties go to the earlier offered type. No Accept
    header (or an empty or entirely malformed one) means anything is acceptable.
    """
    ranges = parse_accept(accept) if accept else []
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, str] | None = None
    for media_type in offered:
        matches = [(r.specificity(media_type), r.quality) for r in ranges if r.specificity(media_type) >= 0]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, media_type)
    return best[1] if best is not None else None


def entity_tag(body: bytes, media_type: str) -> str:
    """RFC 9110 §8.8.3 strong entity tag of one representation: a digest of its media type and bytes."""
    digest = hashlib.sha256(media_type.encode("ascii") + b"\n" + body).digest()
    return '"' + base64.urlsafe_b64encode(digest[:18]).decode("ascii") + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2 If-None-Match (weak comparison): True when the client already holds `etag`."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))
