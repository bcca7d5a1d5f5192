"""RFC 9110 Accept negotiation (§12.5.1), entity tags (§8.8.3) and If-None-Match (§13.1.2), as pure functions."""

from __future__ import annotations

import pytest

from issuer.routers.representation import MAX_ACCEPT_RANGES, entity_tag, negotiate, none_match, parse_accept

OFFERED = ("application/json", "application/ld+json")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        (",,;", "application/json"),
        ("*/*", "application/json"),
        ("application/ld+json", "application/ld+json"),
        ("APPLICATION/LD+JSON", "application/ld+json"),
        ("application/ld+json, application/json", "application/json"),
        ("application/json;q=0.9, application/ld+json", "application/ld+json"),
        ("*/*;q=0.1, application/ld+json;q=0.5", "application/ld+json"),
        ("application/*, application/json;q=0", "application/ld+json"),
        ("application/json;q=0, */*", "application/ld+json"),
        ("application/json;q=0", None),
        ("text/html", None),
        ("*/*;q=0", None),
        # Malformed elements are ignored; a header with nothing else left counts as absent.
        ("application/json;q=2", "application/json"),
        ("application/json;q=0.12345", "application/json"),
        ("application/json;q=nan", "application/json"),
        ("application/ld+json;q=abc, text/html", None),
        ("application/ld+json;q=abc, application/*;q=0.5", "application/json"),
    ],
)
def test_negotiate(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept, OFFERED) == chosen


def test_accept_is_read_up_to_a_bound() -> None:
    header = ", ".join(["text/plain"] * MAX_ACCEPT_RANGES + ["application/json"])
    assert len(parse_accept(header)) == MAX_ACCEPT_RANGES
    assert negotiate(header, OFFERED) is None


def test_entity_tag_depends_on_bytes_and_media_type() -> None:
    tag = entity_tag(b"{}", "application/json")
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 26
    assert tag == entity_tag(b"{}", "application/json")
    assert tag != entity_tag(b"{ }", "application/json")
    assert tag != entity_tag(b"{}", "application/ld+json")


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x","abc"', True),
        ("*", True),
        (" * ", True),
        ('"abcd"', False),
        ("abc", False),
        ("", False),
    ],
)
def test_none_match_uses_weak_comparison(header: str | None, matches: bool) -> None:
    assert none_match(header, '"abc"') is matches
