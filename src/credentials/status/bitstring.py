"""Bitstring Status List v1.0 (W3C REC 2025-05-15) §3.3–§3.4 codec, with StatusList2021 decoding.

The bitstring is GZIP-compressed (RFC 1952) and multibase-encoded as base64url without padding
(prefix ``u``). StatusList2021 (W3C CCG) predates multibase, so its ``encodedList`` is plain
base64url; :func:`decode_encoded_list` accepts that form only when asked to.

Bit order follows §7.1: index 0 is the left-most (most significant) bit of the first byte, and a
multi-bit entry is read most-significant bit first.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from typing import ClassVar, Final

__all__ = [
    "DEFAULT_MAX_DECOMPRESSED_SIZE",
    "DEFAULT_MINIMUM_ENTRIES",
    "MULTIBASE_BASE64URL_PREFIX",
    "MalformedValueError",
    "RangeError",
    "StatusList",
    "StatusListError",
    "StatusListLengthError",
    "decode_encoded_list",
    "encode_bitstring",
    "parse_status_list_index",
]

DEFAULT_MINIMUM_ENTRIES: Final = 131_072
DEFAULT_MAX_DECOMPRESSED_SIZE: Final = 16 * 1024 * 1024
MULTIBASE_BASE64URL_PREFIX: Final = "u"

# An index with this many digits cannot address any list under the decompression cap, and
# refusing it early keeps int() away from arbitrarily long digit strings.
_MAX_INDEX_DIGITS: Final = 64
_DECIMAL: Final = re.compile(r"[0-9]+")
_BASE64URL_UNPADDED: Final = re.compile(r"[A-Za-z0-9_-]*")
_BASE64URL_PADDED: Final = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_GZIP_WBITS: Final = 16 + zlib.MAX_WBITS


class StatusListError(Exception):
    """Base error for Bitstring Status List v1.0 §3.5 processing errors."""

    code: ClassVar[str] = "STATUS_LIST_ERROR"


class StatusListLengthError(StatusListError):
    """The list is shorter than the minimum required for herd privacy (§3.2 step 9)."""

    code: ClassVar[str] = "STATUS_LIST_LENGTH_ERROR"


class RangeError(StatusListError):
    """An index or status value lies outside the list or the entry width (§3.2 step 10)."""

    code: ClassVar[str] = "RANGE_ERROR"


class MalformedValueError(StatusListError):
    """A value does not satisfy the data model's MUST statements (§3 preamble)."""

    code: ClassVar[str] = "MALFORMED_VALUE_ERROR"


def encode_bitstring(bits: bytes | bytearray) -> str:
    """Bitstring Status List v1.0 §3.3 step 3: GZIP the bitstring and multibase base64url-encode it.

    ``mtime=0`` keeps the GZIP header, and so the output, deterministic.
    """
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    encoded = base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")
    return MULTIBASE_BASE64URL_PREFIX + encoded


def decode_encoded_list(
    encoded: str,
    *,
    allow_unprefixed: bool,
    max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
) -> bytes:
    """Bitstring Status List v1.0 §3.4 Bitstring Expansion Algorithm: decode and GUNZIP encodedList.

    ``allow_unprefixed`` admits the StatusList2021 form (base64url without the multibase prefix,
    padding optional). Output beyond ``max_decompressed_size`` bytes is refused so that a small
    GZIP bomb cannot exhaust memory. Any decoding failure raises :class:`MalformedValueError`.
    """
    if not isinstance(encoded, str):
        raise MalformedValueError("encodedList must be a string")
    # base64 and GZIP overheads are both far below 2x, so anything longer cannot fit the cap.
    if len(encoded) > 2 * max_decompressed_size + 1024:
        raise MalformedValueError("encodedList is longer than any list within the size limit")
    if encoded.startswith(MULTIBASE_BASE64URL_PREFIX):
        compressed = _base64url_decode(encoded[1:], allow_padding=False)
    elif allow_unprefixed:
        compressed = _base64url_decode(encoded, allow_padding=True)
    else:
        raise MalformedValueError("encodedList must be multibase base64url (prefix 'u')")
    return _gunzip_bounded(compressed, max_decompressed_size)


def _base64url_decode(text: str, *, allow_padding: bool) -> bytes:
    pattern = _BASE64URL_PADDED if allow_padding else _BASE64URL_UNPADDED
    if pattern.fullmatch(text) is None:
        raise MalformedValueError("encodedList is not base64url")
    body = text.rstrip("=")
    if body != text and len(text) % 4 != 0:
        raise MalformedValueError("encodedList has misplaced base64 padding")
    if len(body) % 4 == 1:
        raise MalformedValueError("encodedList has an impossible base64 length")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedValueError("encodedList is not base64url") from exc


def _gunzip_bounded(data: bytes, limit: int) -> bytes:
    """RFC 1952 decompression of every member in ``data``, refusing output beyond ``limit``."""
    output = bytearray()
    pending = data
    while True:
        member, pending = _inflate_member(pending, limit - len(output))
        output += member
        if not pending:
            return bytes(output)


def _inflate_member(data: bytes, budget: int) -> tuple[bytes, bytes]:
    inflater = zlib.decompressobj(_GZIP_WBITS)
    try:
        # Asking for one byte more than the budget tells "exactly full" apart from "overflowing";
        # a result shorter than requested means zlib ran out of input, so no output is pending.
        chunk = inflater.decompress(data, budget + 1)
    except zlib.error as exc:
        raise MalformedValueError("encodedList is not valid GZIP") from exc
    if len(chunk) > budget:
        raise MalformedValueError("decompressed status list exceeds the size limit")
    if not inflater.eof:
        raise MalformedValueError("encodedList GZIP stream is truncated")
    return chunk, inflater.unused_data


def parse_status_list_index(value: object, *, allow_int: bool = False) -> int:
    """Bitstring Status List v1.0 §2.1 statusListIndex: a base-10 string of an integer >= 0.

    ``allow_int`` additionally accepts a JSON integer, as some StatusList2021 issuers emit one.
    """
    if isinstance(value, str):
        if _DECIMAL.fullmatch(value) is None:
            raise MalformedValueError("statusListIndex must be a base-10 string of digits")
        if len(value.lstrip("0")) > _MAX_INDEX_DIGITS:
            raise RangeError("statusListIndex is beyond any supported status list")
        return int(value)
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise MalformedValueError("statusListIndex must not be negative")
        return value
    raise MalformedValueError("statusListIndex must be a string")


def _require_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise MalformedValueError(f"{name} must be an integer greater than zero")
    return value


class StatusList:
    """Bitstring Status List v1.0 §2.2 BitstringStatusList: a mutable list of fixed-width entries.

    The entry count is derived from the bitstring: ``len(bits) * 8 // status_size``. Lists made
    with :meth:`new` are rounded up to whole bytes, so they may hold a few more entries than asked.
    """

    __slots__ = ("_bits", "_length", "_mask", "_status_size")

    def __init__(self, bits: bytes | bytearray, *, status_size: int = 1) -> None:
        """Bitstring Status List v1.0 §2.1 statusSize: wrap a copy of an uncompressed bitstring."""
        self._status_size = _require_positive_int(status_size, "statusSize")
        self._bits = bytearray(bits)
        self._length = len(self._bits) * 8 // self._status_size
        self._mask = (1 << self._status_size) - 1

    @classmethod
    def new(
        cls,
        length: int = DEFAULT_MINIMUM_ENTRIES,
        status_size: int = 1,
        *,
        minimum_entries: int = DEFAULT_MINIMUM_ENTRIES,
    ) -> StatusList:
        """Bitstring Status List v1.0 §3.3 step 1: a zeroed list of ``length`` entries."""
        length = _require_positive_int(length, "length")
        status_size = _require_positive_int(status_size, "statusSize")
        if length < minimum_entries:
            raise StatusListLengthError(f"a status list needs at least {minimum_entries} entries")
        return cls(bytearray(-(-length * status_size // 8)), status_size=status_size)

    @classmethod
    def decode(
        cls,
        encoded: str,
        status_size: int = 1,
        minimum_entries: int = DEFAULT_MINIMUM_ENTRIES,
        allow_unprefixed: bool = False,
        *,
        max_decompressed_size: int = DEFAULT_MAX_DECOMPRESSED_SIZE,
    ) -> StatusList:
        """Bitstring Status List v1.0 §3.2 steps 8–9: expand encodedList and check its length."""
        status_size = _require_positive_int(status_size, "statusSize")
        bits = decode_encoded_list(
            encoded, allow_unprefixed=allow_unprefixed, max_decompressed_size=max_decompressed_size
        )
        # §3.2 step 9 divides the bit length by statusSize; compare multiplied to stay exact.
        if len(bits) * 8 < minimum_entries * status_size:
            raise StatusListLengthError(
                f"status list holds fewer than {minimum_entries} entries of {status_size} bit(s)"
            )
        return cls(bits, status_size=status_size)

    @property
    def status_size(self) -> int:
        """Bitstring Status List v1.0 §2.1 statusSize: the width of one entry in bits."""
        return self._status_size

    @property
    def length(self) -> int:
        """Bitstring Status List v1.0 §3.2 step 9: the number of entries the bitstring holds."""
        return self._length

    def __len__(self) -> int:
        return self._length

    def to_bytes(self) -> bytes:
        """Bitstring Status List v1.0 §3.4: a copy of the uncompressed bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """Bitstring Status List v1.0 §3.3 step 3: the encodedList value for this list."""
        return encode_bitstring(self._bits)

    def get(self, index: int) -> int:
        """Bitstring Status List v1.0 §3.2 step 10: the status at ``index``, read MSB-first."""
        start, end, shift = self._locate(index)
        word = int.from_bytes(self._bits[start:end], "big")
        return (word >> shift) & self._mask

    def set(self, index: int, value: int) -> None:
        """Bitstring Status List v1.0 §3.3 step 2: store ``value`` at ``index``, MSB-first."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedValueError("status value must be an integer")
        if not 0 <= value <= self._mask:
            raise RangeError(f"status value must fit in {self._status_size} bit(s)")
        start, end, shift = self._locate(index)
        word = int.from_bytes(self._bits[start:end], "big")
        word = (word & ~(self._mask << shift)) | (value << shift)
        self._bits[start:end] = word.to_bytes(end - start, "big")

    def _locate(self, index: int) -> tuple[int, int, int]:
        """Byte span holding entry ``index`` and the right shift that aligns the entry to bit 0."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise MalformedValueError("status list index must be an integer")
        if not 0 <= index < self._length:
            raise RangeError(f"index {index} is outside a list of {self._length} entries")
        first_bit = index * self._status_size
        start = first_bit // 8
        end = (first_bit + self._status_size - 1) // 8 + 1
        shift = (end - start) * 8 - first_bit % 8 - self._status_size
        return start, end, shift
