"""Issue 5 "Evaluate and award": what a pathway reads from a credential (OB 3.0 §B.1 AchievementCredential).

A candidate is read here, without trusting it: the verifier judges the same bytes. JSON text is read as the verifier
reads it (an object, duplicate member names refused, RFC 7493 §2.3); a compact JWS through the VC-JWT claim mapping
(OB 3.0 §8.2, `credentials.proofs.vc_jwt`). A presentation is not a credential: its credentials are sent one by one.

From the subject that names the learner: the achievement (`achievement.id`, its `alignment[]` targetUrl and
targetCode, `creditsAvailable`, `name`), `creditsEarned`, and the results. A result whose `status` is "Failed"
(OB 3.0 ResultStatusType) is dropped: a failed attempt's grade cannot meet a `min_result`. Result description and
level ids written as local references (`#name`) resolve against the achievement id, as this service's own do.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from credentials.proofs import is_date_time_stamp
from credentials.proofs.vc_jwt import MalformedJwt, credential_from_payload, decode_unverified
from issuer.achievements import resolve_reference
from issuer.pathways.binding import as_list
from issuer.pathways.inputs import AchievedResult

FAILED_STATUS: Final = "Failed"
# The dates a credential states about when it was awarded, any of which may bound its age (see `issued_at`).
DATE_MEMBERS: Final = ("awardedDate", "validFrom", "issuanceDate")
# The verifier's JWT shape (verifier.parse): wider than CompactJws, so an unsigned token is read and then refused by
# the proof check, as the verifier reports it, rather than called unreadable here.
_JWT_SHAPE: Final = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


class Unreadable(ValueError):
    """The candidate is not one credential: not JSON, not a JWT carrying one, not an object, a presentation."""


@dataclass(frozen=True, slots=True)
class Alignment:
    """OB 3.0 §B.1 Alignment, as far as matching goes."""

    target_url: str | None
    target_code: str | None


@dataclass(frozen=True, slots=True)
class Award:
    """What one subject of a credential says was achieved."""

    achievement_id: str | None
    achievement_name: str | None
    alignments: tuple[Alignment, ...]
    credits_earned: float | None
    credits_available: float | None
    results: tuple[AchievedResult, ...]


def read_credential(given: Mapping[str, Any] | str) -> dict[str, Any]:
    """The credential in a JSON object, JSON text or a compact JWS, or Unreadable."""
    if not isinstance(given, str):
        return _one_credential(dict(given))
    text = given
    stripped = text.strip()
    if _JWT_SHAPE.match(stripped):
        try:
            _header, payload = decode_unverified(stripped)
        except MalformedJwt as exc:
            raise Unreadable(f"not a readable JWT: {exc}") from exc
        credential, _problems = credential_from_payload(payload)  # the verifier's proof check reports the problems
        if credential is None:
            raise Unreadable("the JWT does not carry a credential")
        return _one_credential(credential)
    try:
        value = json.loads(stripped, object_pairs_hook=_unique_members)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise Unreadable("not a JSON object")
    return _one_credential(value)


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member name appears twice")
    return members


def _one_credential(document: dict[str, Any]) -> dict[str, Any]:
    if "VerifiablePresentation" in as_list(document.get("type")):
        raise Unreadable("a presentation, not a credential: give its credentials one by one")
    return document


def credential_id(credential: Mapping[str, Any]) -> str | None:
    value = credential.get("id")
    return value if isinstance(value, str) and value else None


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """VCDM 2.0 §4.7: the issuer's id, given as a string or as an object's `id`."""
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) and value else None


def issued_at(credential: Mapping[str, Any]) -> datetime | None:
    """The earliest of awardedDate, validFrom and issuanceDate that is a dateTimeStamp.

    The earliest, because a credential re-issued for the same award (a new validFrom, OB 3.0 §B.1 awardedDate kept)
    certifies learning no more recent than the award: re-issuing must not reset a pathway's `max_age_days`.
    """
    moments = [moment for name in DATE_MEMBERS if (moment := _date_time(credential.get(name))) is not None]
    return min(moments, default=None)


def _date_time(value: Any) -> datetime | None:
    if not is_date_time_stamp(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # the pattern admits 24:00:00 and years Python cannot hold
        return None


def award(subject: Mapping[str, Any]) -> Award:
    """OB 3.0 §B.1 AchievementSubject: the achievement, credits and usable results of one subject."""
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    achievement_id = achievement.get("id") if isinstance(achievement.get("id"), str) else None
    name = achievement.get("name")
    return Award(
        achievement_id=achievement_id,
        achievement_name=name if isinstance(name, str) else None,
        alignments=tuple(
            Alignment(_text(item.get("targetUrl")), _text(item.get("targetCode")))
            for item in as_list(achievement.get("alignment"))
            if isinstance(item, Mapping)
        ),
        credits_earned=_number(subject.get("creditsEarned")),
        credits_available=_number(achievement.get("creditsAvailable")),
        results=tuple(
            result
            for item in as_list(subject.get("result"))
            if isinstance(item, Mapping) and (result := _result(item, achievement_id)) is not None
        ),
    )


def _result(item: Mapping[str, Any], achievement_id: str | None) -> AchievedResult | None:
    """OB 3.0 §B.1 Result; None when it names no result description or records a failure."""
    description = _text(item.get("resultDescription"))
    if description is None or item.get("status") == FAILED_STATUS:
        return None
    level = _text(item.get("achievedLevel"))
    if achievement_id is not None:
        description = resolve_reference(description, achievement_id)
        level = resolve_reference(level, achievement_id) if level is not None else None
    return AchievedResult(description, achieved_level=level, value=_text(item.get("value")))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    """OB 3.0 §B.1 creditsEarned / creditsAvailable are floats; anything else (or NaN, infinity) is no amount."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float range
        return None
    return number if math.isfinite(number) else None
