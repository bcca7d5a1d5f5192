"""Issue 6 badge images for the claim page: the credential baked into a PNG and an SVG (OB 3.0 §5.3 Baked Badge).

The image baked into is the achievement's own when the credential carries it as a PNG or SVG data URI (we never
fetch an image URL on the server: the service makes no requests on a learner's behalf).
Otherwise, and when the issuer's image cannot carry a credential (an Open Badges 2.0 image, a damaged file), it is
a default badge drawn here from the achievement's name: a disc in a colour picked from the name, with its initials.
An SVG download of a PNG-only achievement wraps the PNG in an SVG `<image>`, so both downloads show the same badge.
The stored credential text (signed JSON or compact JWS) is what is baked, byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import math
import re
import struct
import unicodedata
import zlib
from urllib.parse import unquote_to_bytes
from xml.sax.saxutils import escape, quoteattr

from credentials.baking import BakingError, bake_png, bake_svg, sniff_image

BADGE_PX = 256
MAX_SOURCE_BYTES = 5_000_000
# Dark enough that white initials keep at least 4.5:1 contrast (WCAG 2.2 §1.4.3).
PALETTE = ("#1f4fa8", "#12652b", "#7a1f6e", "#a3221b", "#0b5f69", "#5b3fa8", "#7a3d00", "#2d4a5a")
_STOP_WORDS = frozenset({"a", "an", "and", "de", "for", "in", "of", "on", "the", "to", "with"})
_DATA_URI = re.compile(r"^data:(image/(?:png|svg\+xml))((?:;[A-Za-z0-9=._+-]*)*),(.*)$", re.IGNORECASE | re.DOTALL)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A 5x7 pixel font for the initials of the PNG badge: seven rows of five bits per glyph, as hex.
_FONT_TABLE = (
    "A0E11111F111111 B1E11111E11111E C0E11101010110E D1C12111111121C E1F10101E10101F F1F10101E101010 G0E11101711110F "
    "H1111111F111111 I0E04040404040E J0702020202120C K11121418141211 L1010101010101F M111B1515111111 N11111915131111 "
    "O0E11111111110E P1E11111E101010 Q0E11111115120D R1E11111E141211 S0F10100E01011E T1F040404040404 U1111111111110E "
    "V11111111110A04 W1111111515150A X11110A040A1111 Y11110A04040404 Z1F01020408101F 00E11131519110E 1040C040404040E "
    "20E11010204081F 31F02040201110E 402060A121F0202 51F101E0101110E 60608101E11110E 71F010204080808 80E11110E11110E "
    "90E11110F01020C "
)
_FONT = {entry[0]: entry[1:] for entry in _FONT_TABLE.split()}


def _glyph_rows(letter: str) -> list[int]:
    code = _FONT[letter]
    return [int(code[i : i + 2], 16) for i in range(0, 14, 2)]


def initials(name: str) -> str:
    """Up to three initials, A-Z and 0-9 (accents folded away), skipping short joining words."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = [word for word in re.findall(r"[A-Za-z0-9]+", folded) if word.lower() not in _STOP_WORDS]
    return "".join(word[0].upper() for word in words[:3])


def badge_colour(name: str) -> str:
    """The default badge's colour: picked from PALETTE by the name's SHA-256, so a name always gets the same one."""
    return PALETTE[hashlib.sha256(name.encode("utf-8")).digest()[0] % len(PALETTE)]


def default_badge_svg(name: str) -> bytes:
    """The default badge as SVG: a disc, a white ring and the initials, titled with the achievement's name."""
    letters = initials(name)
    size = {0: 0, 1: 112, 2: 96}.get(len(letters), 72)
    text = (
        f'<text x="128" y="128" dy="0.35em" text-anchor="middle" font-family="system-ui, sans-serif" '
        f'font-size="{size}" font-weight="700" fill="#ffffff">{escape(letters)}</text>'
        if letters
        else ""
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img">'
        f"<title>{escape(_NOT_XML_CHAR.sub('', name))}</title>"
        f'<circle cx="128" cy="128" r="124" fill="{badge_colour(name)}"/>'
        '<circle cx="128" cy="128" r="104" fill="none" stroke="#ffffff" stroke-width="6"/>'
        f"{text}</svg>"
    )
    return svg.encode("utf-8")


def _rgb(colour: str) -> bytes:
    return bytes.fromhex(colour[1:]) + b"\xff"


def _disc_rows(colour: bytes) -> list[bytearray]:
    """RGBA rows of the disc and ring; outside the disc is transparent."""
    white = b"\xff\xff\xff\xff"
    centre = (BADGE_PX - 1) / 2
    rows = []
    for y in range(BADGE_PX):
        row = bytearray(BADGE_PX * 4)
        for x in range(BADGE_PX):
            distance = math.hypot(x - centre, y - centre)
            if distance <= 124:
                row[x * 4 : x * 4 + 4] = white if 101 <= distance <= 107 else colour
        rows.append(row)
    return rows


def _draw_initials(rows: list[bytearray], letters: str) -> None:
    if not letters:
        return
    scale = {1: 14, 2: 11}.get(len(letters), 8)
    width = (len(letters) * 6 - 1) * scale
    left, top = (BADGE_PX - width) // 2, (BADGE_PX - 7 * scale) // 2
    for index, letter in enumerate(letters):
        for row_index, bits in enumerate(_glyph_rows(letter)):
            for column in range(5):
                if bits & (0x10 >> column):
                    x0 = left + (index * 6 + column) * scale
                    for y in range(top + row_index * scale, top + (row_index + 1) * scale):
                        rows[y][x0 * 4 : (x0 + scale) * 4] = b"\xff" * (4 * scale)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(rows: list[bytearray]) -> bytes:
    """PNG (RFC 2083): 8-bit RGBA, filter type 0 on every row, one IDAT."""
    header = struct.pack(">IIBBBBB", len(rows[0]) // 4, len(rows), 8, 6, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return (
        _PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


@functools.lru_cache(maxsize=64)
def default_badge_png(name: str) -> bytes:
    """The default badge as PNG, 256 x 256: the same disc, ring and initials as the SVG (cached: pure)."""
    rows = _disc_rows(_rgb(badge_colour(name)))
    _draw_initials(rows, initials(name))
    return encode_png(rows)


def data_uri_image(uri: str | None) -> bytes | None:
    """RFC 2397 data URI of a PNG or SVG image, decoded; None for anything else (URLs are never fetched)."""
    if not uri or len(uri) > MAX_SOURCE_BYTES * 2:
        return None
    match = _DATA_URI.match(uri.strip())
    if match is None:
        return None
    parameters, body = match.group(2).lower().split(";"), match.group(3)
    try:
        data = base64.b64decode(body, validate=False) if "base64" in parameters else unquote_to_bytes(body)
    except (binascii.Error, ValueError):
        return None
    return data if 0 < len(data) <= MAX_SOURCE_BYTES and sniff_image(data) is not None else None


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def svg_around_png(png: bytes) -> bytes:
    """An SVG showing `png` (embedded as a data URI), at the PNG's own size."""
    width, height = _png_size(png)
    href = quoteattr("data:image/png;base64," + base64.b64encode(png).decode("ascii"))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" href={href}/></svg>'
    ).encode()


def baked_png(payload: str, *, image_uri: str | None, name: str) -> bytes:
    """OB 3.0 §5.3.1 the credential in a PNG: the achievement's PNG if we have it, else the default badge."""
    source = data_uri_image(image_uri)
    if source is not None and sniff_image(source) == "png":
        try:
            return bake_png(source, payload, replace=True)
        except BakingError:
            pass  # an OB 2.0 or damaged image: the default badge still carries the credential
    return bake_png(default_badge_png(name), payload)


def _svg_source(source: bytes | None, payload: str) -> bytes | None:
    """The achievement's SVG, or its PNG wrapped in one if that PNG could be baked (not damaged, not OB 2.0)."""
    kind = sniff_image(source) if source is not None else None
    if source is None or kind is None:
        return None
    if kind == "svg":
        return source
    try:
        bake_png(source, payload, replace=True)
    except BakingError:
        return None
    return svg_around_png(source)


def baked_svg(payload: str, *, image_uri: str | None, name: str) -> bytes:
    """OB 3.0 §5.3.2 the credential in an SVG: the achievement's SVG (or its PNG, wrapped), else the default."""
    candidate = _svg_source(data_uri_image(image_uri), payload)
    if candidate is not None:
        try:
            return bake_svg(candidate, payload, replace=True)
        except BakingError:
            pass  # an OB 2.0, unsafe or non-UTF-8 SVG: the default badge still carries the credential
    return bake_svg(default_badge_svg(name), payload)


def display_image_uri(image_uri: str | None, name: str) -> str:
    """What the page shows: the credential's own image URI when it has one, else the default badge as data URI."""
    if image_uri:
        return image_uri
    return "data:image/svg+xml;base64," + base64.b64encode(default_badge_svg(name)).decode("ascii")
