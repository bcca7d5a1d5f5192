"""Bitstring Status List v1.0 for the issuer: index assignment, status entries, list credentials, status rules.

Pure. Indices: a list's entries are handed out in counter order (`status_lists.allocated`, see
`issuer.repositories.status_lists`), and counter position p gets the index `permute_position(p)`: a keyed
bijection on [0, length), so the published index looks random (§2.1: "Implementations SHOULD assign indexes
randomly, such that inferences — such as the recency of the assignment or the size of the group — cannot be
easily drawn from that position") while uniqueness follows from the counter, with no retry loop and no set of
used indices to consult.

The permutation is a balanced Feistel network over the smallest even number of bits covering `length`, with cycle
walking back into [0, length). Its round function is keyed BLAKE2b under the list's own random 32-byte key.
A list's indices depend on this exact algorithm: changing it would hand out indices already in use, so any change
needs a new list scheme, never an edit here (tests/unit/test_status_permutation.py pins known outputs).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from credentials.proofs import format_date_time_stamp
from credentials.status.bitstring import DEFAULT_MINIMUM_ENTRIES, StatusList
from issuer.errors import Conflict
from issuer.models import StatusList as StatusListRow
from schemas.ob import VC_V2_CONTEXT

# §6.1 Revocation Bitstring Length: 131,072 entries (16 KiB) is the minimum a verifier accepts; herd privacy grows
# with the list, but so does every verifier's download, so lists use exactly the minimum.
STATUS_LIST_LENGTH: Final = DEFAULT_MINIMUM_ENTRIES
PERMUTATION_KEY_BYTES: Final = 32
# Luby–Rackoff's four rounds are a sound bound only far below 2**(half-width) queries; halves here are 9 bits,
# and rounds are table lookups, so eight cost nothing measurable and mix better.
FEISTEL_ROUNDS: Final = 8
# Round tables hold 2**half entries each; this cap (2**26 entries, an 8 MiB bitstring) keeps them small.
MAX_PERMUTATION_LENGTH: Final = 1 << 26
STATUS_LIST_PATH: Final = "status-lists"
_PERSONALIZATION: Final = b"credstack-status"


def permute_position(position: int, *, key: bytes, length: int) -> int:
    """Bitstring Status List v1.0 §2.1 statusListIndex: the random-looking index of counter position `position`.

    A bijection on [0, length) for each key: distinct positions always give distinct indices.
    """
    if len(key) != PERMUTATION_KEY_BYTES:
        raise ValueError(f"a permutation key has {PERMUTATION_KEY_BYTES} bytes")
    if not 0 < length <= MAX_PERMUTATION_LENGTH:
        raise ValueError(f"length must be in 1..{MAX_PERMUTATION_LENGTH}")
    if not 0 <= position < length:
        raise ValueError(f"position {position} is outside [0, {length})")
    half = _half_bits(length)
    tables = _round_tables(key, half)
    value = position
    # Cycle walking: the Feistel network permutes [0, 2**(2*half)); re-applying it until the value falls back
    # into [0, length) restricts it to a permutation of that range (the walk ends at the latest on the cycle's
    # return to `position`), and since 2**(2*half) < 4 * length it takes under four steps on average.
    while True:
        value = _feistel(value, tables, half)
        if value < length:
            return value


def _half_bits(length: int) -> int:
    bits = max(2, (length - 1).bit_length())
    return (bits + 1) // 2


def _feistel(value: int, tables: tuple[tuple[int, ...], ...], half: int) -> int:
    mask = (1 << half) - 1
    left, right = value >> half, value & mask
    for table in tables:
        left, right = right, left ^ table[right]
    return (left << half) | right


@functools.lru_cache(maxsize=256)
def _round_tables(key: bytes, half: int) -> tuple[tuple[int, ...], ...]:
    """The round function F_r(x) = BLAKE2b_key(r || x) mod 2**half, tabulated: a half holds at most 13 bits."""
    mask = (1 << half) - 1
    return tuple(
        tuple(
            int.from_bytes(
                hashlib.blake2b(
                    bytes([round_number]) + value.to_bytes(4, "big"),
                    key=key,
                    digest_size=8,
                    person=_PERSONALIZATION,
                ).digest(),
                "big",
            )
            & mask
            for value in range(1 << half)
        )
        for round_number in range(FEISTEL_ROUNDS)
    )


def status_list_url(base_url: str, list_id: uuid.UUID) -> str:
    """Bitstring Status List v1.0 §2.1 statusListCredential: where the list credential is served."""
    return f"{base_url.rstrip('/')}/{STATUS_LIST_PATH}/{list_id}"


def entry_for(list_row: StatusListRow, index: int, url: str) -> dict[str, Any]:
    """Bitstring Status List v1.0 §2.1 BitstringStatusListEntry for `index` of the list served at `url`."""
    if not 0 <= index < list_row.length:
        raise ValueError(f"index {index} is outside the list")
    return {
        # §2.1 id: "MUST NOT be the URL for the status list"; the fragment makes it unique per entry.
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": list_row.purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def status_list_credential(list_row: StatusListRow, *, issuer_did: str, url: str, now: datetime) -> dict[str, Any]:
    """Bitstring Status List v1.0 §3.1 Generate Algorithm steps 2–4: the unsigned BitstringStatusListCredential.

    §2.2: `id` equals the entries' statusListCredential; `encodedList` is the GZIP + multibase form of the stored
    bitstring (§3.3). The caller signs it (step 5) with the same mechanism as the credentials it covers.
    """
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": format_date_time_stamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": list_row.purpose,
            "encodedList": StatusList(list_row.bits).encode(),
        },
    }


class StatusAction(StrEnum):
    """What an API client may do to an issued credential's status."""

    REVOKE = "revoke"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"


class StatusChangeRefused(Conflict):
    """The credential's current status does not allow the action (HTTP 409)."""


@dataclass(frozen=True, slots=True)
class StatusTransition:
    """Which list (`purpose`) gets which bit `value`, and the credential's status afterwards."""

    action: StatusAction
    from_status: str
    to_status: str
    purpose: str
    value: int


# (action, current status) -> (new status, list purpose, bit value). §2.1 statusPurpose: revocation "is not
# reversible", suspension "is reversible". A suspended credential may still be revoked; its suspension bit stays
# set, which no verifier can misread: revoked wins.
_TRANSITIONS: Final[Mapping[tuple[StatusAction, str], tuple[str, str, int]]] = {
    (StatusAction.REVOKE, "active"): ("revoked", "revocation", 1),
    (StatusAction.REVOKE, "suspended"): ("revoked", "revocation", 1),
    (StatusAction.SUSPEND, "active"): ("suspended", "suspension", 1),
    (StatusAction.REINSTATE, "suspended"): ("active", "suspension", 0),
}

_REFUSALS: Final[Mapping[str, str]] = {
    "revoked": "the credential is revoked, and revocation is final",
    "suspended": "the credential is already suspended",
    "active": "the credential is not suspended",
}


def status_transition(current: str, action: StatusAction) -> StatusTransition:
    """Bitstring Status List v1.0 §2.1 statusPurpose: the bit change `action` makes, or StatusChangeRefused."""
    found = _TRANSITIONS.get((action, current))
    if found is None:
        raise StatusChangeRefused(_REFUSALS.get(current, f"unknown credential status {current!r}"))
    to_status, purpose, value = found
    return StatusTransition(action, current, to_status, purpose, value)
