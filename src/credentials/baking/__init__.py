"""Open Badges 3.0 §5.3 Baked Badge: embed an OpenBadgeCredential in, and extract it from, PNG and SVG.

PNG (§5.3.1): one uncompressed ``iTXt`` chunk with keyword ``openbadgecredential`` whose text is the
compact JWS or the credential JSON; it is written just before ``IEND``.

SVG (§5.3.2): ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on the root and an
``<openbadges:credential>`` element directly after the root start tag, holding a compact JWS in
its ``verify`` attribute or the credential JSON in CDATA.

Policy decisions beyond the letter of the spec:

* Baking splices bytes into the input; the user's image is never re-encoded or re-serialized.
* PNG input is validated strictly (signature, chunk bounds, CRCs, IHDR first, IEND last, no
  trailing bytes). Damage raises :class:`DamagedImage` even when the credential itself is intact.
* More than one credential is refused on extraction (:class:`MultipleCredentials`): the spec
  forbids it, and choosing one would let a displayer and a verifier disagree about the badge.
* A compressed ``openbadgecredential`` iTXt is non-conformant ("Compression MUST NOT be used")
  but is still read, with a size cap, because the credential's own proof protects its content.
* Images carrying an Open Badges 2.0 baked assertion are reported as :class:`OpenBadges2Image`
  when no 3.0 credential is present, and are never baked over.
* SVG is parsed with defusedxml: entity declarations, external references and any DOCTYPE with an
  internal subset are refused (:class:`UnsafeSvg`); a bare DOCTYPE such as the
  ``<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" ...>`` that drawing tools write is accepted, since
  nothing is loaded from it. Only UTF-8 SVG is handled, since bytes are spliced in UTF-8.
"""

from __future__ import annotations

from typing import Final, Literal

from credentials.baking.errors import (
    AlreadyBaked,
    BakingError,
    DamagedImage,
    InvalidPayload,
    MultipleCredentials,
    NoCredentialInImage,
    NotAnImage,
    OpenBadges2Image,
    UnsafeSvg,
    UnsupportedEncoding,
)
from credentials.baking.payload import PayloadKind as PayloadKind
from credentials.baking.png import OB2_PNG_KEYWORD, PNG_KEYWORD, PNG_SIGNATURE, bake_png, extract_png
from credentials.baking.svg import (
    _SVG_ROOT_HINT,
    _UTF8_BOM,
    OB2_NAMESPACE,
    OB3_NAMESPACE,
    SVG_NAMESPACE,
    bake_svg,
    extract_svg,
)

__all__ = [
    "MAX_CREDENTIAL_BYTES",
    "OB2_NAMESPACE",
    "OB2_PNG_KEYWORD",
    "OB3_NAMESPACE",
    "PNG_KEYWORD",
    "PNG_SIGNATURE",
    "SVG_NAMESPACE",
    "AlreadyBaked",
    "BakingError",
    "DamagedImage",
    "InvalidPayload",
    "MultipleCredentials",
    "NoCredentialInImage",
    "NotAnImage",
    "OpenBadges2Image",
    "UnsafeSvg",
    "UnsupportedEncoding",
    "bake",
    "bake_png",
    "bake_svg",
    "extract",
    "extract_png",
    "extract_svg",
    "sniff_image",
]

# Bounds inflation of a (non-conformant) compressed iTXt credential.
MAX_CREDENTIAL_BYTES: Final = 16 * 1024 * 1024


def sniff_image(data: bytes) -> Literal["png", "svg"] | None:
    """Open Badges 3.0 §5.3 Baked Badge: classify ``data`` as PNG or SVG by content, else None."""
    if not isinstance(data, bytes | bytearray):
        return None
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    if head.lstrip(b" \t\r\n").startswith(b"<") and _SVG_ROOT_HINT.search(data) is not None:
        return "svg"
    return None


def bake(image: bytes, payload: str, *, replace: bool = False) -> bytes:
    """Open Badges 3.0 §5.3 Baked Badge: bake ``payload`` into a PNG or SVG chosen by content."""
    kind = sniff_image(image)
    if kind == "png":
        return bake_png(image, payload, replace=replace)
    if kind == "svg":
        return bake_svg(image, payload, replace=replace)
    raise NotAnImage("only PNG and SVG images can be baked")


def extract(image: bytes) -> str:
    """Open Badges 3.0 §5.3 Baked Badge: extract the credential from a PNG or SVG chosen by content."""
    kind = sniff_image(image)
    if kind == "png":
        return extract_png(image)
    if kind == "svg":
        return extract_svg(image)
    raise NotAnImage("only PNG and SVG images carry baked credentials")
