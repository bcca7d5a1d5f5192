"""Issue 6 QR codes of wallet offers: valid SVG (titled, sized) and PNG, level M, long URIs."""

from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree

import pytest

from issuer.wallets.qr import MAX_QR_BYTES, QUIET_ZONE, QrTooLong, qr_png, qr_svg, qr_symbol

SVG = "{http://www.w3.org/2000/svg}"
OFFER = (
    "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fcredstack.example%2Foid4vci%2Foffers%2F" + "A" * 43
)
LONG = "https://credstack.example.edu/interactions/" + "x" * 340 + "?iuv=1"


def modules(text: str) -> int:
    """Width of the symbol in modules, quiet zone included (ISO/IEC 18004: 4 x version + 17)."""
    return 4 * int(qr_symbol(text).version) + 17 + 2 * QUIET_ZONE


def test_level_m_exactly_and_never_micro() -> None:
    for text in ("x", OFFER, LONG):
        symbol = qr_symbol(text)
        assert symbol.error == "M"
        assert not symbol.is_micro


@pytest.mark.parametrize("text", [OFFER, LONG])
def test_svg_is_one_titled_sized_svg_element(text: str) -> None:
    svg = qr_svg(text, title="Scan with <your> wallet & go")
    root = ElementTree.fromstring(svg)  # well-formed XML, with its namespace: usable as a file too
    assert root.tag == f"{SVG}svg"
    size = modules(text)
    assert root.get("viewBox") == f"0 0 {size} {size}"
    assert (root.get("width"), root.get("height")) == (str(size * 4), str(size * 4))
    assert root.get("role") == "img"
    children = list(root)
    assert children[0].tag == f"{SVG}title" and children[0].text == "Scan with <your> wallet & go"
    assert [child.tag for child in children[1:]] == [f"{SVG}path", f"{SVG}path"]  # background, then modules
    assert not svg.startswith("<?xml")


def test_a_400_character_uri_fits_a_scannable_symbol() -> None:
    uri = LONG.ljust(400, "y")
    assert len(uri) == 400
    version = int(qr_symbol(uri).version)
    assert 10 <= version <= 16  # about 80 modules: readable from a laptop screen
    ElementTree.fromstring(qr_svg(uri, title="t"))
    assert qr_png(uri).startswith(b"\x89PNG\r\n\x1a\n")


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + data) == crc
        chunks.append((kind, data))
        offset += 12 + length
    return chunks


def test_png_is_a_valid_png_of_the_expected_size() -> None:
    png = qr_png(OFFER)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    chunks = _png_chunks(png)
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert width == height == modules(OFFER) * 6
    assert 200 < len(png) < 20_000


def test_too_long_is_refused_before_drawing() -> None:
    with pytest.raises(QrTooLong):
        qr_svg("x" * (MAX_QR_BYTES + 1), title="t")
    with pytest.raises(QrTooLong):
        qr_png("é" * (MAX_QR_BYTES // 2 + 1))
