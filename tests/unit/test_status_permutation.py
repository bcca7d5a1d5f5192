"""Bitstring Status List v1.0 §2.1 statusListIndex: the keyed permutation that turns counter positions into indices.

Properties first (a bijection, so positions never share an index), then "random-looking", then pinned outputs:
stored lists depend on this exact function, so any change to it must fail here.
"""

from __future__ import annotations

import itertools
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from issuer.status_lists import MAX_PERMUTATION_LENGTH, STATUS_LIST_LENGTH, permute_position

keys = st.binary(min_size=32, max_size=32)
ZERO_KEY = bytes(32)
COUNTING_KEY = bytes(range(32))


def permutation(key: bytes, length: int) -> list[int]:
    return [permute_position(position, key=key, length=length) for position in range(length)]


@settings(max_examples=4, deadline=None)
@given(key=keys)
def test_bijective_over_the_whole_default_list(key: bytes) -> None:
    assert sorted(permutation(key, STATUS_LIST_LENGTH)) == list(range(STATUS_LIST_LENGTH))


@settings(max_examples=200, deadline=None)
@given(key=keys, length=st.integers(min_value=1, max_value=5_000))
def test_bijective_for_any_length(key: bytes, length: int) -> None:
    """Cycle walking restricts the Feistel network to any length, not only powers of four."""
    assert sorted(permutation(key, length)) == list(range(length))


@settings(max_examples=50, deadline=None)
@given(
    key=keys,
    positions=st.lists(
        st.integers(min_value=0, max_value=STATUS_LIST_LENGTH - 1), min_size=2, max_size=50, unique=True
    ),
)
def test_distinct_positions_never_share_an_index(key: bytes, positions: list[int]) -> None:
    indices = [permute_position(p, key=key, length=STATUS_LIST_LENGTH) for p in positions]
    assert len(set(indices)) == len(indices)
    assert all(0 <= index < STATUS_LIST_LENGTH for index in indices)


@pytest.mark.parametrize("key", [ZERO_KEY, COUNTING_KEY], ids=["zero-key", "counting-key"])
def test_indices_do_not_reveal_the_order_of_issuance(key: bytes) -> None:
    """§2.1: no inference about "the recency of the assignment or the size of the group" from the index."""
    first = [permute_position(p, key=key, length=STATUS_LIST_LENGTH) for p in range(4_096)]
    # Rank correlation of a random permutation has standard deviation 1/sqrt(4096) = 0.016; 0.1 is over six.
    ranks = {index: rank for rank, index in enumerate(sorted(first))}
    assert abs(statistics.correlation(range(len(first)), [ranks[index] for index in first])) < 0.1
    # The first credentials of a list do not cluster: every eighth of the list already holds some of them.
    eighths = {index * 8 // STATUS_LIST_LENGTH for index in first[:256]}
    assert eighths == set(range(8))
    # Consecutive positions land far apart, so neighbours in time are not neighbours in the list.
    gaps = [abs(a - b) for a, b in itertools.pairwise(first)]
    assert statistics.median(gaps) > STATUS_LIST_LENGTH // 8


def test_keys_give_different_orders() -> None:
    zero = [permute_position(p, key=ZERO_KEY, length=STATUS_LIST_LENGTH) for p in range(64)]
    counting = [permute_position(p, key=COUNTING_KEY, length=STATUS_LIST_LENGTH) for p in range(64)]
    assert len(set(zero) & set(counting)) < 4


def test_pinned_outputs() -> None:
    """Stored lists were filled with this exact function: changing it would hand out indices already in use."""
    zero = [permute_position(p, key=ZERO_KEY, length=STATUS_LIST_LENGTH) for p in range(8)]
    counting = [permute_position(p, key=COUNTING_KEY, length=STATUS_LIST_LENGTH) for p in range(8)]
    assert zero == [39918, 57971, 127293, 105992, 68735, 75249, 117190, 86671]
    assert counting == [129381, 59079, 95560, 7735, 51953, 62079, 123530, 82626]
    assert permute_position(STATUS_LIST_LENGTH - 1, key=ZERO_KEY, length=STATUS_LIST_LENGTH) == 29832
    assert permutation(COUNTING_KEY, 10) == [6, 5, 8, 3, 1, 4, 0, 2, 9, 7]


@pytest.mark.parametrize(
    ("position", "key", "length"),
    [
        (-1, ZERO_KEY, 10),
        (10, ZERO_KEY, 10),
        (0, bytes(31), 10),
        (0, bytes(33), 10),
        (0, ZERO_KEY, 0),
        (0, ZERO_KEY, MAX_PERMUTATION_LENGTH + 1),
    ],
    ids=["negative", "past-the-end", "short-key", "long-key", "empty-list", "oversized-list"],
)
def test_refuses_caller_bugs(position: int, key: bytes, length: int) -> None:
    with pytest.raises(ValueError):
        permute_position(position, key=key, length=length)
