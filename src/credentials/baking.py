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

import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Final, Literal
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

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

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD: Final = b"openbadgecredential"
OB2_PNG_KEYWORD: Final = b"openbadges"
OB3_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
OB2_NAMESPACE: Final = "http://openbadges.org"
SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
# Bounds inflation of a (non-conformant) compressed iTXt credential.
MAX_CREDENTIAL_BYTES: Final = 16 * 1024 * 1024

_PNG_MAX_CHUNK_LENGTH: Final = 2**31 - 1
_PNG_TEXT_CHUNKS: Final = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_XML_SPACE: Final = " \t\n\r"
_SVG_ROOT_TAGS: Final = frozenset({f"{{{SVG_NAMESPACE}}}svg", "svg"})
_OB3_CREDENTIAL_TAG: Final = f"{{{OB3_NAMESPACE}}}credential"
_OB3_CREDENTIAL_EXPAT: Final = f"{OB3_NAMESPACE} credential"
_PREFIX: Final = "openbadges"
_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
_NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_DECL_ENCODING: Final = re.compile(rb"<\?xml[^>]*?\sencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']")
# Quoted attribute values may contain '>', so a tag ends at the first '>' outside quotes.
_TAG: Final = re.compile(rb"<[^\"'>]*(?:(?:\"[^\"]*\"|'[^']*')[^\"'>]*)*>")
_TAG_NAME: Final = re.compile(rb"<([^\s/>]+)")
_SVG_ROOT_HINT: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]")

PayloadKind = Literal["jws", "json"]


class BakingError(Exception):
    """Base error for Open Badges 3.0 §5.3 baking and extraction."""

    code: ClassVar[str] = "BAKING_ERROR"


class NotAnImage(BakingError):
    """The bytes are neither a PNG nor an SVG image (§5.3 allows only those two formats)."""

    code: ClassVar[str] = "NOT_AN_IMAGE"


class DamagedImage(BakingError):
    """The image is structurally broken: bad PNG chunks or CRCs, or malformed XML."""

    code: ClassVar[str] = "DAMAGED_IMAGE"


class UnsafeSvg(BakingError):
    """The SVG uses a DTD, entity or external reference, which is refused outright."""

    code: ClassVar[str] = "UNSAFE_SVG"


class UnsupportedEncoding(BakingError):
    """The SVG is not UTF-8, so bytes cannot be spliced into it safely."""

    code: ClassVar[str] = "UNSUPPORTED_ENCODING"


class NoCredentialInImage(BakingError):
    """The image holds no (non-empty) Open Badges 3.0 credential."""

    code: ClassVar[str] = "NO_CREDENTIAL_IN_IMAGE"


class MultipleCredentials(BakingError):
    """The image holds more than one credential, which §5.3.1 and §5.3.2 forbid."""

    code: ClassVar[str] = "MULTIPLE_CREDENTIALS"


class OpenBadges2Image(BakingError):
    """The image is an Open Badges 2.0 baked badge (``openbadges`` keyword or namespace)."""

    code: ClassVar[str] = "OPEN_BADGES_2_IMAGE"


class AlreadyBaked(BakingError):
    """The image already holds a credential and ``replace`` was not requested."""

    code: ClassVar[str] = "ALREADY_BAKED"


class InvalidPayload(BakingError):
    """The payload is neither a compact JWS nor a JSON object, or cannot be stored losslessly."""

    code: ClassVar[str] = "INVALID_PAYLOAD"


@dataclass(frozen=True, slots=True)
class _Chunk:
    """PNG §5.3 chunk layout: ``start`` is the offset of the length field."""

    type: bytes
    start: int
    data_start: int
    data_end: int

    @property
    def end(self) -> int:
        return self.data_end + 4


@dataclass(frozen=True, slots=True)
class _PngScan:
    chunks: tuple[_Chunk, ...]
    credentials: tuple[_Chunk, ...]
    has_ob2: bool


@dataclass(frozen=True, slots=True)
class _RootTag:
    """Byte span of the SVG root start tag and its qualified name as written."""

    name: bytes
    start: int
    end: int
    self_closing: bool


@dataclass(frozen=True, slots=True)
class _SvgLayout:
    root: _RootTag
    root_namespaces: Mapping[str, str]
    credential_spans: tuple[tuple[int, int], ...]
    has_ob2: bool


# --------------------------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------------------------


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


def _payload_kind(payload: object) -> PayloadKind:
    """Open Badges 3.0 §5.1: a payload is a compact JWS or the JSON of one credential."""
    if not isinstance(payload, str) or not payload:
        raise InvalidPayload("payload must be a non-empty string")
    try:
        payload.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidPayload("payload is not encodable as UTF-8") from exc
    if _JWS.fullmatch(payload) is not None:
        return "jws"
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidPayload("payload is neither a compact JWS nor JSON") from exc
    if not isinstance(document, dict):
        raise InvalidPayload("a JSON payload must be a single credential object")
    return "json"


# --------------------------------------------------------------------------------------------
# PNG
# --------------------------------------------------------------------------------------------


def bake_png(image: bytes, payload: str, *, replace: bool = False) -> bytes:
    """Open Badges 3.0 §5.3.1.1 PNG Baking: insert an uncompressed ``openbadgecredential`` iTXt.

    The chunk goes right before IEND. An existing credential raises :class:`AlreadyBaked` unless
    ``replace`` is true, in which case every existing credential chunk is dropped.
    """
    _payload_kind(payload)
    scan = _scan_png(image)
    if scan.has_ob2:
        raise OpenBadges2Image("image already carries an Open Badges 2.0 assertion")
    if scan.credentials and not replace:
        raise AlreadyBaked("image already carries an Open Badges credential")
    new_chunk = _make_chunk(b"iTXt", _itxt_data(payload))
    dropped = {chunk.start for chunk in scan.credentials}
    parts = [PNG_SIGNATURE]
    for chunk in scan.chunks:
        if chunk.start in dropped:
            continue
        if chunk.type == b"IEND":
            parts.append(new_chunk)
        parts.append(image[chunk.start : chunk.end])
    return b"".join(parts)


def extract_png(image: bytes) -> str:
    """Open Badges 3.0 §5.3.1.2 PNG Extracting: the text of the ``openbadgecredential`` iTXt chunk."""
    scan = _scan_png(image)
    if len(scan.credentials) > 1:
        raise MultipleCredentials("image carries more than one openbadgecredential chunk")
    if not scan.credentials:
        if scan.has_ob2:
            raise OpenBadges2Image("image is an Open Badges 2.0 baked badge")
        raise NoCredentialInImage("image has no openbadgecredential iTXt chunk")
    text = _itxt_text(image, scan.credentials[0])
    if not text:
        raise NoCredentialInImage("the openbadgecredential chunk is empty")
    return text


def _itxt_data(payload: str) -> bytes:
    """PNG §11.3.4.5 iTXt: keyword, NUL, compression flag 0, method 0, empty language, empty
    translated keyword (each NUL-terminated), then the UTF-8 text."""
    return PNG_KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + payload.encode("utf-8")


def _make_chunk(chunk_type: bytes, data: bytes) -> bytes:
    if len(data) > _PNG_MAX_CHUNK_LENGTH:
        raise InvalidPayload("payload is too large for a PNG chunk")
    crc = zlib.crc32(chunk_type + data)
    return len(data).to_bytes(4, "big") + chunk_type + data + crc.to_bytes(4, "big")


def _scan_png(image: bytes) -> _PngScan:
    chunks = _read_chunks(image)
    credentials: list[_Chunk] = []
    has_ob2 = False
    for chunk in chunks:
        if chunk.type not in _PNG_TEXT_CHUNKS:
            continue
        keyword = _chunk_keyword(image, chunk)
        if chunk.type == b"iTXt" and keyword == PNG_KEYWORD:
            credentials.append(chunk)
        has_ob2 = has_ob2 or keyword == OB2_PNG_KEYWORD
    return _PngScan(chunks=chunks, credentials=tuple(credentials), has_ob2=has_ob2)


def _read_chunks(image: bytes) -> tuple[_Chunk, ...]:
    """PNG §5.2–§5.6: the signature, then CRC-checked chunks from IHDR up to a final IEND."""
    if not isinstance(image, bytes | bytearray) or not image.startswith(PNG_SIGNATURE):
        raise NotAnImage("data does not start with the PNG signature")
    view = memoryview(image)
    chunks: list[_Chunk] = []
    position = len(PNG_SIGNATURE)
    while position < len(image):
        chunk = _read_chunk(view, position)
        chunks.append(chunk)
        position = chunk.end
        if chunk.type == b"IEND":
            break
    _check_chunk_order(chunks, trailing=len(image) - position)
    return tuple(chunks)


def _read_chunk(view: memoryview, position: int) -> _Chunk:
    if len(view) - position < 12:
        raise DamagedImage(f"truncated PNG chunk at offset {position}")
    length = int.from_bytes(view[position : position + 4], "big")
    # Refusing lengths beyond the input also bounds every later slice and CRC computation.
    if length > _PNG_MAX_CHUNK_LENGTH or length > len(view) - position - 12:
        raise DamagedImage(f"PNG chunk at offset {position} is longer than the file")
    chunk_type = bytes(view[position + 4 : position + 8])
    if not (chunk_type.isascii() and chunk_type.isalpha()):
        raise DamagedImage(f"invalid PNG chunk type at offset {position}")
    data_end = position + 8 + length
    expected = int.from_bytes(view[data_end : data_end + 4], "big")
    if zlib.crc32(view[position + 4 : data_end]) != expected:
        raise DamagedImage(f"CRC mismatch in PNG {chunk_type.decode('ascii')} chunk")
    return _Chunk(type=chunk_type, start=position, data_start=position + 8, data_end=data_end)


def _check_chunk_order(chunks: list[_Chunk], *, trailing: int) -> None:
    """PNG §5.6 chunk ordering: IHDR first (13 bytes), at least one IDAT, IEND last and empty."""
    if not chunks or chunks[0].type != b"IHDR" or chunks[0].data_end - chunks[0].data_start != 13:
        raise DamagedImage("PNG does not start with a valid IHDR chunk")
    last = chunks[-1]
    if last.type != b"IEND" or last.data_end != last.data_start:
        raise DamagedImage("PNG does not end with an IEND chunk")
    if trailing:
        raise DamagedImage("PNG has data after IEND")
    types = [chunk.type for chunk in chunks]
    if types.count(b"IHDR") != 1 or b"IDAT" not in types:
        raise DamagedImage("PNG must have exactly one IHDR and at least one IDAT")


def _chunk_keyword(image: bytes, chunk: _Chunk) -> bytes:
    """PNG §11.3.4: text chunks start with a 1–79 byte keyword and a NUL separator."""
    head = bytes(image[chunk.data_start : min(chunk.data_end, chunk.data_start + 80)])
    separator = head.find(b"\x00")
    if separator < 1:
        raise DamagedImage(f"{chunk.type.decode('ascii')} chunk lacks a 1-79 byte keyword")
    return head[:separator]


def _itxt_text(image: bytes, chunk: _Chunk) -> str:
    """PNG §11.3.4.5 iTXt: decode the text field, inflating it if the compression flag is set."""
    fields = bytes(image[chunk.data_start : chunk.data_end]).split(b"\x00", 1)
    if len(fields) != 2 or len(fields[1]) < 2:
        raise DamagedImage("malformed iTXt chunk")
    flag, method, rest = fields[1][0], fields[1][1], fields[1][2:]
    parts = rest.split(b"\x00", 2)
    if flag not in (0, 1) or method != 0 or len(parts) != 3:
        raise DamagedImage("malformed iTXt chunk")
    text = _inflate_capped(parts[2]) if flag == 1 else parts[2]
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DamagedImage("iTXt text is not UTF-8") from exc


def _inflate_capped(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_CREDENTIAL_BYTES + 1)
    except zlib.error as exc:
        raise DamagedImage("compressed iTXt text is corrupt") from exc
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise DamagedImage("compressed iTXt text inflates beyond the size limit")
    if not inflater.eof:
        raise DamagedImage("compressed iTXt text is truncated")
    return text


# --------------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------------


def bake_svg(svg: bytes | str, payload: str, *, replace: bool = False) -> bytes:
    """Open Badges 3.0 §5.3.2.1 SVG Baking: add ``<openbadges:credential>`` after the root start tag.

    A compact JWS goes in the ``verify`` attribute of an empty element; JSON goes in CDATA. The
    SVG is validated with defusedxml, then edited as bytes so the rest of the file is untouched.
    An existing credential raises :class:`AlreadyBaked` unless ``replace`` is true.
    """
    kind = _payload_kind(payload)
    if _NOT_XML_CHAR.search(payload) is not None:
        raise InvalidPayload("payload contains characters that XML 1.0 cannot carry")
    bom, body = _svg_body(svg)
    _parse_svg(body)
    layout = _scan_svg_layout(body)
    if layout.has_ob2:
        raise OpenBadges2Image("image already carries an Open Badges 2.0 assertion")
    if layout.credential_spans and not replace:
        raise AlreadyBaked("image already carries an Open Badges credential")
    # A root that binds the prefix elsewhere keeps its binding; the element then declares its own.
    bound = layout.root_namespaces.get(_PREFIX)
    element = _credential_element(payload, kind, declare_namespace=bound not in (None, OB3_NAMESPACE))
    return bom + _splice_svg(body, layout, element, declare_on_root=bound is None)


def extract_svg(svg: bytes | str) -> str:
    """Open Badges 3.0 §5.3.2.2 SVG Extracting: the credential in ``<openbadges:credential>``.

    Returns the ``verify`` attribute when present, else the element's text without surrounding
    XML whitespace.
    """
    _, body = _svg_body(svg)
    root = _parse_svg(body)
    found = list(root.iter(_OB3_CREDENTIAL_TAG))
    if len(found) > 1:
        raise MultipleCredentials("image carries more than one openbadges:credential element")
    if not found:
        if any(element.tag.startswith(f"{{{OB2_NAMESPACE}}}") for element in root.iter()):
            raise OpenBadges2Image("image is an Open Badges 2.0 baked badge")
        raise NoCredentialInImage("image has no openbadges:credential element")
    return _credential_text(found[0])


def _credential_text(element: Element) -> str:
    verify = element.get("verify")
    if verify is not None:
        value = verify.strip(_XML_SPACE)
    elif len(element):
        raise DamagedImage("openbadges:credential must contain only text")
    else:
        value = (element.text or "").strip(_XML_SPACE)
    if not value:
        raise NoCredentialInImage("the openbadges:credential element is empty")
    return value


def _svg_body(svg: bytes | str) -> tuple[bytes, bytes]:
    """Split UTF-8 SVG bytes into an optional BOM and the document, refusing other encodings."""
    if isinstance(svg, str):
        try:
            data = svg.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise DamagedImage("SVG text contains unpaired surrogates") from exc
    elif isinstance(svg, bytes | bytearray):
        data = bytes(svg)
    else:
        raise NotAnImage("SVG must be bytes or str")
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
        raise UnsupportedEncoding("only UTF-8 SVG is supported")
    bom = _UTF8_BOM if data.startswith(_UTF8_BOM) else b""
    body = data[len(bom) :]
    declared = _XML_DECL_ENCODING.match(body)
    if declared is not None and declared.group(1).lower() != b"utf-8":
        raise UnsupportedEncoding(f"SVG declares encoding {declared.group(1).decode('ascii')!r}")
    return bom, body


def _parse_svg(body: bytes) -> Element:
    """Parse with defusedxml (no entities, nothing external, no internal DTD subset); require an ``svg`` root."""
    parser = DefusedXMLParser(
        target=TreeBuilder(), encoding="utf-8", forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    # An internal subset could declare attribute defaults that change what the document says.
    parser.parser.StartDoctypeDeclHandler = _refuse_internal_subset
    try:
        parser.feed(body)
        root: Element = parser.close()
    except DefusedXmlException as exc:
        raise UnsafeSvg(f"SVG uses a forbidden XML feature: {type(exc).__name__}") from exc
    except ParseError as exc:
        raise DamagedImage(f"SVG is not well-formed XML: {exc}") from exc
    if root.tag not in _SVG_ROOT_TAGS:
        raise NotAnImage("XML root element is not svg")
    return root


class _LayoutCollector:
    """Expat callbacks recording byte offsets needed to splice the credential element."""

    def __init__(self, body: bytes, parser: expat.XMLParserType) -> None:
        self._body = body
        self._parser = parser
        self._open: list[int | None] = []
        self.root: _RootTag | None = None
        self.root_namespaces: dict[str, str] = {}
        self.spans: list[tuple[int, int]] = []
        self.has_ob2 = False

    def namespace(self, prefix: str | None, uri: str) -> None:
        if self.root is None:
            self.root_namespaces[prefix or ""] = uri

    def start(self, name: str, _attributes: object) -> None:
        start = self._parser.CurrentByteIndex
        end = _tag_end(self._body, start)
        closed = self._body[end - 2 : end] == b"/>"
        if self.root is None:
            self.root = _RootTag(_tag_name(self._body, start), start, end, closed)
        self.has_ob2 = self.has_ob2 or name.startswith(f"{OB2_NAMESPACE} ")
        is_credential = name == _OB3_CREDENTIAL_EXPAT
        if is_credential and closed:
            self.spans.append((start, end))
        self._open.append(start if is_credential and not closed else None)

    def end(self, _name: str) -> None:
        start = self._open.pop()
        if start is not None:
            # For an element with content, expat reports the end at the '<' of its end tag.
            self.spans.append((start, _tag_end(self._body, self._parser.CurrentByteIndex)))


def _refuse_internal_subset(
    _name: str, _system_id: str | None, _public_id: str | None, has_internal_subset: int
) -> None:
    if has_internal_subset:
        raise UnsafeSvg("SVG must not contain a DOCTYPE with an internal subset")


def _scan_svg_layout(body: bytes) -> _SvgLayout:
    """Locate the root start tag and any credential elements as byte offsets.

    Runs only after :func:`_parse_svg` accepted the document, so there is no DTD and therefore no
    entity declaration or internal subset for plain expat to act on; the DOCTYPE hook is a second guard.
    """
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    collector = _LayoutCollector(body, parser)
    parser.StartDoctypeDeclHandler = _refuse_internal_subset
    parser.StartNamespaceDeclHandler = collector.namespace
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise DamagedImage(f"SVG is not well-formed XML: {exc}") from exc
    if collector.root is None:
        raise DamagedImage("SVG has no root element")
    return _SvgLayout(
        root=collector.root,
        root_namespaces=dict(collector.root_namespaces),
        credential_spans=tuple(sorted(collector.spans)),
        has_ob2=collector.has_ob2,
    )


def _tag_end(body: bytes, start: int) -> int:
    match = _TAG.match(body, start)
    if match is None:
        raise DamagedImage(f"unterminated tag at byte {start}")
    return match.end()


def _tag_name(body: bytes, start: int) -> bytes:
    match = _TAG_NAME.match(body, start)
    if match is None:
        raise DamagedImage(f"unreadable tag name at byte {start}")
    return match.group(1)


def _credential_element(payload: str, kind: PayloadKind, *, declare_namespace: bool) -> bytes:
    """Open Badges 3.0 §5.3.2.1: ``verify="JWS"`` on an empty element, or the JSON in CDATA."""
    namespace = f' xmlns:{_PREFIX}="{OB3_NAMESPACE}"' if declare_namespace else ""
    if kind == "jws":
        # The JWS alphabet has no quote, '<' or '&', so it needs no attribute escaping.
        text = f'<{_PREFIX}:credential{namespace} verify="{payload}"></{_PREFIX}:credential>'
    else:
        text = f"<{_PREFIX}:credential{namespace}>{_cdata(payload)}</{_PREFIX}:credential>"
    return text.encode("utf-8")


def _cdata(text: str) -> str:
    """Wrap ``text`` in CDATA so that an XML parser returns it unchanged.

    ``]]>`` would end the section, so it is split across two sections. A carriage return would be
    normalised to a line feed by the parser, so it leaves CDATA as the character reference ``&#13;``.
    """
    escaped = text.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")
    return f"<![CDATA[{escaped}]]>"


def _splice_svg(body: bytes, layout: _SvgLayout, element: bytes, *, declare_on_root: bool) -> bytes:
    """Drop old credential elements, insert ``element`` after the root start tag, add xmlns."""
    output = bytearray(body)
    for start, end in reversed(_outermost(layout.credential_spans)):
        del output[start:end]
    # Credentials are descendants of the root, so the root tag offsets are still valid here.
    root = layout.root
    if root.self_closing:
        output[root.end - 2 : root.end] = b">" + element + b"</" + root.name + b">"
    else:
        output[root.end : root.end] = element
    if declare_on_root:
        attribute = f' xmlns:{_PREFIX}="{OB3_NAMESPACE}"'.encode("ascii")
        insert_at = root.start + 1 + len(root.name)
        output[insert_at:insert_at] = attribute
    return bytes(output)


def _outermost(spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Sorted spans with any span nested inside an earlier one removed."""
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept
