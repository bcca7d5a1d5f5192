"""Issue 6 QR codes of wallet offers (OpenID4VCI 1.0 §4.1 "the Credential Offer ... as a QR code"; VCALM §3.4
interaction URL QR; the LCW deep link), as inline-able SVG and as PNG, drawn by segno.

Error correction level M (ISO/IEC 18004 §5.1, about 15 % recoverable) is fixed, never boosted: a phone camera reads
a screen, which damages little, and the lower level keeps the symbol small for the 400-character URIs VCALM allows.
The quiet zone (4 modules, §6.3.8) and a white background are drawn, so the code reads on dark pages too.
"""

from __future__ import annotations

import io
import re

import segno

ERROR_CORRECTION = "m"
QUIET_ZONE = 4
SVG_MODULE_PX = 4
PNG_MODULE_PX = 6
LIGHT = "#ffffff"
DARK = "#000000"
# Byte-mode capacity of a version 40 symbol at level M (ISO/IEC 18004 Table 7); more cannot be drawn at all.
MAX_QR_BYTES = 2331

_SVG_START = re.compile(r"^<svg ")


class QrTooLong(ValueError):
    """The text does not fit a QR code at error correction level M."""


def qr_symbol(text: str) -> segno.QRCode:
    """ISO/IEC 18004 QR code (never a Micro QR) of `text`, level M exactly."""
    if len(text.encode("utf-8")) > MAX_QR_BYTES:
        raise QrTooLong(f"a QR code at level M holds at most {MAX_QR_BYTES} bytes")
    try:
        return segno.make_qr(text, error=ERROR_CORRECTION, boost_error=False)
    except segno.DataOverflowError as exc:
        raise QrTooLong(str(exc)) from exc


def qr_svg(text: str, *, title: str, module_px: int = SVG_MODULE_PX) -> str:
    """The QR code as one `<svg>` element: usable inline in HTML and as an .svg file (it carries its namespace).

    `viewBox` in modules with `width`/`height` in pixels, so CSS can scale it without blurring; `role="img"` and the
    `<title>` (SVG 2 §5.9, escaped by segno) name it for screen readers.
    """
    symbol = qr_symbol(text)
    size = symbol.symbol_size(scale=module_px, border=QUIET_ZONE)[0]
    buffer = io.BytesIO()
    symbol.save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        border=QUIET_ZONE,
        dark=DARK,
        light=LIGHT,
        title=title,
        svgclass="qr",
        lineclass=None,
        nl=False,
    )
    svg = buffer.getvalue().decode("utf-8")
    return _SVG_START.sub(f'<svg width="{size}" height="{size}" role="img" ', svg, count=1)


def qr_png(text: str, *, module_px: int = PNG_MODULE_PX) -> bytes:
    """The QR code as PNG bytes (black on white, quiet zone included)."""
    buffer = io.BytesIO()
    qr_symbol(text).save(buffer, kind="png", scale=module_px, border=QUIET_ZONE, dark=DARK, light=LIGHT)
    return buffer.getvalue()
