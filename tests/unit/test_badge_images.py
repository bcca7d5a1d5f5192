"""Issue 6 badge images: the default badge (SVG and PNG from the achievement's name), data URIs, and baking the
credential into the achievement's own image or the default (OB 3.0 §5.3)."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.baking import extract, sniff_image
from credstack.web.badge_images import (
    BADGE_PX,
    PALETTE,
    badge_colour,
    baked_png,
    baked_svg,
    data_uri_image,
    default_badge_png,
    default_badge_svg,
    display_image_uri,
    initials,
    svg_around_png,
)

IMAGES = Path(__file__).parents[1] / "fixtures" / "images"
PLAIN_PNG = (IMAGES / "plain-1x1.png").read_bytes()
PLAIN_SVG = (IMAGES / "plain.svg").read_bytes()
OB2_PNG = (IMAGES / "ob2-baked.png").read_bytes()
PAYLOAD = json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Café ]]> & <b>"})
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2lnbmF0dXJl"


def png_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Data Analysis with Python", "DAP"),
        ("Éco-conception & Numérique", "ECN"),
        ("The Art of Testing", "AT"),
        ("x", "X"),
        ("数据", ""),
        ("Python 3 Fundamentals 101", "P3F"),
    ],
)
def test_initials(name: str, letters: str) -> None:
    assert initials(name) == letters


def test_default_svg_names_the_achievement() -> None:
    svg = default_badge_svg("Café & <Data>")
    root = ElementTree.fromstring(svg)
    assert root.get("width") == root.get("height") == str(BADGE_PX)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == "Café & <Data>"
    assert badge_colour("Café & <Data>").encode() in svg


def _pixels(png: bytes) -> tuple[int, int, bytes]:
    width, height = struct.unpack(">II", png[16:24])
    assert png[24:26] == b"\x08\x06"  # 8-bit RGBA
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    return width, height, zlib.decompress(png[start : start + length])


def test_default_png_is_a_disc_with_white_initials() -> None:
    png = default_badge_png("Data Analysis with Python")
    assert sniff_image(png) == "png"
    width, height, raw = _pixels(png)
    assert (width, height) == (BADGE_PX, BADGE_PX)
    stride = 1 + 4 * width

    def pixel(x: int, y: int) -> bytes:
        return raw[y * stride + 1 + 4 * x : y * stride + 5 + 4 * x]

    assert pixel(0, 0)[3] == 0  # outside the disc: transparent
    colour = bytes.fromhex(badge_colour("Data Analysis with Python")[1:]) + b"\xff"
    assert pixel(128, 20) == colour
    assert pixel(128, 128 - 104) == b"\xff\xff\xff\xff"  # the ring
    row = raw[128 * stride + 1 : 129 * stride]
    assert b"\xff\xff\xff\xff" * 8 in row  # a stroke of the initials across the middle


def test_palette_keeps_white_text_readable() -> None:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, colour


@pytest.mark.parametrize(
    "uri",
    [
        png_uri(PLAIN_PNG),
        "data:image/svg+xml;base64," + base64.b64encode(PLAIN_SVG).decode(),
        "data:image/svg+xml;charset=utf-8," + quote(PLAIN_SVG.decode()),
        "DATA:IMAGE/PNG;BASE64," + base64.b64encode(PLAIN_PNG).decode(),
    ],
)
def test_data_uris_of_png_and_svg(uri: str) -> None:
    assert data_uri_image(uri) in (PLAIN_PNG, PLAIN_SVG)


@pytest.mark.parametrize(
    "uri",
    [
        None,
        "",
        "https://issuer.example/badge.png",
        "data:image/gif;base64,R0lGODlh",
        "data:image/png;base64,not base64!",
        "data:image/png;base64," + base64.b64encode(b"not a png").decode(),
        "data:text/html,<script>",
    ],
)
def test_other_uris_are_not_images_we_have(uri: str | None) -> None:
    assert data_uri_image(uri) is None


@pytest.mark.parametrize("payload", [PAYLOAD, JWS])
def test_baked_into_the_achievement_png_and_svg(payload: str) -> None:
    png = baked_png(payload, image_uri=png_uri(PLAIN_PNG), name="x")
    assert png[16:24] == PLAIN_PNG[16:24]  # the achievement's own 1x1 image
    assert extract(png) == payload
    svg_uri = "data:image/svg+xml;base64," + base64.b64encode(PLAIN_SVG).decode()
    svg = baked_svg(payload, image_uri=svg_uri, name="x")
    assert b'fill="#2a6"' in svg and extract(svg) == payload
    wrapped = baked_svg(payload, image_uri=png_uri(PLAIN_PNG), name="x")
    assert b"<image " in wrapped and extract(wrapped) == payload


@pytest.mark.parametrize("image_uri", [None, "https://issuer.example/b.png", png_uri(OB2_PNG)])
def test_default_badge_when_the_image_is_not_ours_to_bake(image_uri: str | None) -> None:
    png = baked_png(PAYLOAD, image_uri=image_uri, name="Data Analysis")
    assert struct.unpack(">II", png[16:24]) == (BADGE_PX, BADGE_PX)
    assert extract(png) == PAYLOAD
    svg = baked_svg(PAYLOAD, image_uri=image_uri, name="Data Analysis")
    assert b'r="124"' in svg and extract(svg) == PAYLOAD


def test_an_already_baked_achievement_image_is_replaced_not_doubled() -> None:
    once = baked_png(PAYLOAD, image_uri=png_uri(PLAIN_PNG), name="x")
    twice = baked_png(JWS, image_uri=png_uri(once), name="x")
    assert extract(twice) == JWS


def test_svg_around_png_has_the_png_size() -> None:
    root = ElementTree.fromstring(svg_around_png(PLAIN_PNG))
    assert (root.get("width"), root.get("height")) == ("1", "1")


def test_display_image() -> None:
    assert display_image_uri("https://issuer.example/b.png", "x") == "https://issuer.example/b.png"
    shown = display_image_uri(None, "Data")
    assert shown.startswith("data:image/svg+xml;base64,")
    assert data_uri_image(shown) == default_badge_svg("Data")


@given(name=st.text(max_size=80))
def test_any_name_makes_valid_images(name: str) -> None:
    ElementTree.fromstring(default_badge_svg(name))
    assert sniff_image(default_badge_png(name)) == "png"
    assert extract(baked_svg(PAYLOAD, image_uri=None, name=name)) == PAYLOAD
