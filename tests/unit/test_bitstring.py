"""Tests for Bitstring Status List v1.0 encoding/decoding (credentials.status.bitstring)."""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.status.bitstring import (
    DEFAULT_MINIMUM_ENTRIES,
    MalformedValueError,
    RangeError,
    StatusList,
    StatusListError,
    StatusListLengthError,
    decode_encoded_list,
    encode_bitstring,
    parse_status_list_index,
)

# Bitstring Status List v1.0, Example 3 (encodedList of an all-zero 16 KiB bitstring).
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
STATUS_LIST_2021_EXAMPLE = SPEC_EXAMPLE[1:]
# 131,072 one-bit entries with only index 94567 set; gzip level 9, mtime 0 (CPython zlib).
PINNED_94567 = "uH4sIAAAAAAACA-3QAQ0AAAwCIO1f2hz_IAIJAAAAAAAAAAAAAADfVAEAAADAOQNQdb5gAEAAAA"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def test_error_codes_are_stable() -> None:
    assert StatusListError.code == "STATUS_LIST_ERROR"
    assert StatusListLengthError.code == "STATUS_LIST_LENGTH_ERROR"
    assert RangeError.code == "RANGE_ERROR"
    assert MalformedValueError.code == "MALFORMED_VALUE_ERROR"
    for cls in (StatusListLengthError, RangeError, MalformedValueError):
        assert issubclass(cls, StatusListError)


def test_spec_example_decodes_to_16kib_of_zeros() -> None:
    assert decode_encoded_list(SPEC_EXAMPLE, allow_unprefixed=False) == bytes(16_384)
    status_list = StatusList.decode(SPEC_EXAMPLE)
    assert status_list.length == DEFAULT_MINIMUM_ENTRIES
    assert status_list.get(0) == 0
    assert status_list.get(DEFAULT_MINIMUM_ENTRIES - 1) == 0


def test_status_list_2021_form_needs_opt_in() -> None:
    assert decode_encoded_list(STATUS_LIST_2021_EXAMPLE, allow_unprefixed=True) == bytes(16_384)
    with pytest.raises(MalformedValueError):
        decode_encoded_list(STATUS_LIST_2021_EXAMPLE, allow_unprefixed=False)
    with pytest.raises(MalformedValueError):
        StatusList.decode(STATUS_LIST_2021_EXAMPLE)
    assert StatusList.decode(STATUS_LIST_2021_EXAMPLE, allow_unprefixed=True).length == 131_072


def _padded_example() -> tuple[str, bytes]:
    """A base64url encodedList whose length needs '=' padding, with its bitstring."""
    for distinct in range(1, 64):
        bits = bytes(range(distinct)) + bytes(16_384 - distinct)
        padded = base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).decode("ascii")
        if padded.endswith("="):
            return padded, bits
    raise AssertionError("no padded example found")


def test_status_list_2021_accepts_padding() -> None:
    padded, bits = _padded_example()
    assert decode_encoded_list(padded, allow_unprefixed=True) == bits
    assert decode_encoded_list(padded.rstrip("="), allow_unprefixed=True) == bits


def test_multibase_form_refuses_padding() -> None:
    padded, bits = _padded_example()
    with pytest.raises(MalformedValueError):
        decode_encoded_list("u" + padded, allow_unprefixed=True)
    assert decode_encoded_list("u" + padded.rstrip("="), allow_unprefixed=False) == bits


def test_index_94567_lands_in_byte_11820() -> None:
    status_list = StatusList.new()
    status_list.set(94567, 1)
    bits = status_list.to_bytes()
    assert bits[11820] == 0x01
    assert sum(bits) == 1
    assert status_list.get(94566) == 0
    assert status_list.get(94567) == 1
    assert status_list.get(94568) == 0


def test_encoding_is_deterministic_and_pinned() -> None:
    status_list = StatusList.new(131_072)
    status_list.set(94567, 1)
    assert status_list.encode() == PINNED_94567
    decoded = StatusList.decode(PINNED_94567)
    assert decoded.get(94567) == 1
    assert decoded.to_bytes() == status_list.to_bytes()


def test_encode_bitstring_uses_multibase_gzip() -> None:
    encoded = encode_bitstring(bytearray(16_384))
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded
    assert gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "==")) == bytes(16_384)


def test_short_list_is_a_length_error() -> None:
    short = encode_bitstring(bytes(16_383))
    with pytest.raises(StatusListLengthError) as info:
        StatusList.decode(short)
    assert info.value.code == "STATUS_LIST_LENGTH_ERROR"
    assert StatusList.decode(short, minimum_entries=100).length == 16_383 * 8


def test_length_check_divides_by_status_size() -> None:
    encoded = encode_bitstring(bytes(16_384))
    with pytest.raises(StatusListLengthError):
        StatusList.decode(encoded, status_size=2)
    assert StatusList.decode(encode_bitstring(bytes(32_768)), status_size=2).length == 131_072


def test_new_refuses_lists_below_the_minimum() -> None:
    with pytest.raises(StatusListLengthError):
        StatusList.new(1000)
    assert StatusList.new(1000, minimum_entries=0).length == 1000


@pytest.mark.parametrize("index", [-1, 131_072, 10**30])
def test_index_out_of_range(index: int) -> None:
    status_list = StatusList.decode(SPEC_EXAMPLE)
    with pytest.raises(RangeError) as info:
        status_list.get(index)
    assert info.value.code == "RANGE_ERROR"
    with pytest.raises(RangeError):
        status_list.set(index, 1)


def test_value_must_fit_status_size() -> None:
    status_list = StatusList.new(16, 2, minimum_entries=0)
    with pytest.raises(RangeError):
        status_list.set(0, 4)
    with pytest.raises(RangeError):
        status_list.set(0, -1)
    with pytest.raises(MalformedValueError):
        status_list.set(0, True)


def test_two_bit_entries_are_msb_first() -> None:
    status_list = StatusList.new(8, 2, minimum_entries=0)
    for index, value in enumerate([1, 2, 3, 0, 3, 0, 0, 1]):
        status_list.set(index, value)
    # 01 10 11 00 | 11 00 00 01
    assert status_list.to_bytes() == bytes([0b01101100, 0b11000001])
    decoded = StatusList.decode(status_list.encode(), status_size=2, minimum_entries=0)
    assert [decoded.get(i) for i in range(8)] == [1, 2, 3, 0, 3, 0, 0, 1]


def test_three_bit_entries_straddle_bytes() -> None:
    status_list = StatusList.new(8, 3, minimum_entries=0)
    status_list.set(2, 0b101)  # bits 6..8 cross the first byte boundary
    assert status_list.to_bytes() == bytes([0b00000010, 0b10000000, 0])
    assert status_list.get(2) == 0b101
    assert [status_list.get(i) for i in (0, 1, 3)] == [0, 0, 0]


def test_gzip_bomb_is_refused() -> None:
    bomb = encode_bitstring(bytes(17 * 1024 * 1024))
    assert len(bomb) < 40_000
    with pytest.raises(MalformedValueError):
        decode_encoded_list(bomb, allow_unprefixed=False)
    with pytest.raises(MalformedValueError):
        decode_encoded_list(SPEC_EXAMPLE, allow_unprefixed=False, max_decompressed_size=16_383)
    exact = decode_encoded_list(SPEC_EXAMPLE, allow_unprefixed=False, max_decompressed_size=16_384)
    assert len(exact) == 16_384


def test_oversized_encoding_is_refused_before_decoding() -> None:
    with pytest.raises(MalformedValueError):
        decode_encoded_list("u" + "A" * 5000, allow_unprefixed=False, max_decompressed_size=1000)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "u",
        "uH4sI!AAA",
        "uH4sI+AAA",
        "u" + _b64url(b"not gzip at all"),
        "u" + _b64url(gzip.compress(bytes(64), mtime=0)[:-4]),
        "u" + _b64url(gzip.compress(bytes(64), mtime=0)[:-8] + b"\0\0\0\0\0\0\0\0"),
        "u" + _b64url(gzip.compress(bytes(64), mtime=0) + b"junk"),
        "uAAAAA",
        "m" + STATUS_LIST_2021_EXAMPLE,
    ],
)
def test_malformed_encodings(encoded: str) -> None:
    with pytest.raises(MalformedValueError) as info:
        decode_encoded_list(encoded, allow_unprefixed=False)
    assert info.value.code == "MALFORMED_VALUE_ERROR"


def test_non_string_encoded_list_is_malformed() -> None:
    with pytest.raises(MalformedValueError):
        decode_encoded_list(b"uH4sI", allow_unprefixed=True)  # type: ignore[arg-type]


def test_multi_member_gzip_is_concatenated() -> None:
    data = gzip.compress(b"\x01" * 10, mtime=0) + gzip.compress(b"\x02" * 10, mtime=0)
    assert decode_encoded_list("u" + _b64url(data), allow_unprefixed=False) == b"\x01" * 10 + b"\x02" * 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("94567", 94567),
        ("007", 7),
        ("1" * 64, int("1" * 64)),
    ],
)
def test_parse_status_list_index(value: str, expected: int) -> None:
    assert parse_status_list_index(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "-1", "+1", " 1", "1 ", "1\n", "0x10", "1e3", "١٢", 94567, 1.0, None, True],
)
def test_parse_status_list_index_rejects(value: object) -> None:
    with pytest.raises(MalformedValueError):
        parse_status_list_index(value)


def test_parse_status_list_index_int_only_when_allowed() -> None:
    assert parse_status_list_index(94567, allow_int=True) == 94567
    with pytest.raises(MalformedValueError):
        parse_status_list_index(-1, allow_int=True)
    with pytest.raises(MalformedValueError):
        parse_status_list_index(True, allow_int=True)


def test_huge_index_string_is_out_of_range() -> None:
    with pytest.raises(RangeError):
        parse_status_list_index("9" * 65)
    assert parse_status_list_index("0" * 100 + "5") == 5


def test_invalid_status_size() -> None:
    with pytest.raises(MalformedValueError):
        StatusList.new(8, 0, minimum_entries=0)
    with pytest.raises(MalformedValueError):
        StatusList.decode(SPEC_EXAMPLE, status_size=0)


@settings(max_examples=60, deadline=None)
@given(
    status_size=st.integers(min_value=1, max_value=8),
    data=st.data(),
)
def test_set_get_round_trip_through_encoding(status_size: int, data: st.DataObject) -> None:
    length = data.draw(st.integers(min_value=1, max_value=4096), label="length")
    status_list = StatusList.new(length, status_size, minimum_entries=0)
    writes = data.draw(
        st.dictionaries(
            st.integers(min_value=0, max_value=length - 1),
            st.integers(min_value=0, max_value=(1 << status_size) - 1),
            max_size=32,
        ),
        label="writes",
    )
    for index, value in writes.items():
        status_list.set(index, value)
    decoded = StatusList.decode(status_list.encode(), status_size, minimum_entries=length)
    assert decoded.to_bytes() == status_list.to_bytes()
    for index in range(length):
        assert decoded.get(index) == writes.get(index, 0)


@settings(max_examples=40, deadline=None)
@given(
    status_size=st.integers(min_value=1, max_value=8),
    index=st.integers(min_value=0, max_value=1023),
    value=st.integers(min_value=1, max_value=255),
)
def test_single_write_touches_only_its_bits(status_size: int, index: int, value: int) -> None:
    value &= (1 << status_size) - 1
    status_list = StatusList.new(1024, status_size, minimum_entries=0)
    status_list.set(index, value)
    bits = int.from_bytes(status_list.to_bytes(), "big")
    total_bits = len(status_list.to_bytes()) * 8
    expected = value << (total_bits - (index + 1) * status_size)
    assert bits == expected
