"""Open Badges 3.0 §5.3.2 SVG baking and extraction: ``<openbadges:credential>`` after the root start tag.

SVG is parsed with defusedxml (entity declarations, external references and internal DTD subsets are
refused) and then edited as UTF-8 bytes, so the rest of the user's file is left untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from credentials.baking.errors import (
    AlreadyBaked,
    DamagedImage,
    InvalidPayload,
    MultipleCredentials,
    NoCredentialInImage,
    NotAnImage,
    OpenBadges2Image,
    UnsafeSvg,
    UnsupportedEncoding,
)
from credentials.baking.payload import PayloadKind, _payload_kind

__all__ = ["OB2_NAMESPACE", "OB3_NAMESPACE", "SVG_NAMESPACE", "bake_svg", "extract_svg"]

OB3_NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
OB2_NAMESPACE: Final = "http://openbadges.org"
SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"

_UTF8_BOM: Final = b"\xef\xbb\xbf"
_XML_SPACE: Final = " \t\n\r"
_SVG_ROOT_TAGS: Final = frozenset({f"{{{SVG_NAMESPACE}}}svg", "svg"})
_OB3_CREDENTIAL_TAG: Final = f"{{{OB3_NAMESPACE}}}credential"
_OB3_CREDENTIAL_EXPAT: Final = f"{OB3_NAMESPACE} credential"
_PREFIX: Final = "openbadges"
_NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_DECL_ENCODING: Final = re.compile(rb"<\?xml[^>]*?\sencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']")
# Quoted attribute values may contain '>', so a tag ends at the first '>' outside quotes.
_TAG: Final = re.compile(rb"<[^\"'>]*(?:(?:\"[^\"]*\"|'[^']*')[^\"'>]*)*>")
_TAG_NAME: Final = re.compile(rb"<([^\s/>]+)")
_SVG_ROOT_HINT: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]")


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
