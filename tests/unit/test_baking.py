"""Tests for Open Badges 3.0 baked badges (credentials.baking)."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import baking
from credentials.baking import (
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
    bake,
    bake_png,
    bake_svg,
    extract,
    extract_png,
    extract_svg,
    sniff_image,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"
OB3 = "https://purl.imsglobal.org/ob/v3p0"
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxMjMifQ.c2lnbmF0dXJl"
CREDENTIAL = json.dumps(
    {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Teamwork – Zusammenarbeit ✓",
    },
    ensure_ascii=False,
)
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<!-- badge -->\n"
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4"/></svg>\n'
)
ITXT_PREFIX = b"openbadgecredential\x00\x00\x00\x00\x00"
SVG11_DTD = b"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"


# ----------------------------------------------------------------------------------------------
# Helpers: an independent minimal PNG writer/reader, so the tests do not trust the module under test
# ----------------------------------------------------------------------------------------------


def _chunk(chunk_type: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


def _png(*extra: bytes) -> bytes:
    """A 1x1 RGBA PNG; ``extra`` chunks go between IHDR and IDAT."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00\xff", 9)
    parts = [
        baking.PNG_SIGNATURE,
        _chunk(b"IHDR", ihdr),
        *extra,
        _chunk(b"IDAT", idat),
        _chunk(b"IEND", b""),
    ]
    return b"".join(parts)


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Parse every chunk, asserting lengths and CRCs are valid and IEND is last."""
    assert png[:8] == baking.PNG_SIGNATURE
    position, chunks = 8, []
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        chunk_type = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert len(data) == length
        assert zlib.crc32(chunk_type + data) == crc
        chunks.append((chunk_type, data))
        position += 12 + length
    assert position == len(png)
    assert chunks[-1] == (b"IEND", b"")
    assert [t for t, _ in chunks].count(b"IEND") == 1
    return chunks


def _credential_chunks(png: bytes) -> list[bytes]:
    return [data for t, data in _chunks(png) if t == b"iTXt" and data.startswith(b"openbadgecredential\x00")]


def _itxt(keyword: bytes, text: bytes, *, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    return _chunk(b"iTXt", keyword + b"\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + body)


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


def test_error_codes_are_stable() -> None:
    expected = {
        BakingError: "BAKING_ERROR",
        NotAnImage: "NOT_AN_IMAGE",
        DamagedImage: "DAMAGED_IMAGE",
        UnsafeSvg: "UNSAFE_SVG",
        UnsupportedEncoding: "UNSUPPORTED_ENCODING",
        NoCredentialInImage: "NO_CREDENTIAL_IN_IMAGE",
        MultipleCredentials: "MULTIPLE_CREDENTIALS",
        OpenBadges2Image: "OPEN_BADGES_2_IMAGE",
        AlreadyBaked: "ALREADY_BAKED",
        InvalidPayload: "INVALID_PAYLOAD",
    }
    for cls, code in expected.items():
        assert cls.code == code
        assert issubclass(cls, BakingError)


# ----------------------------------------------------------------------------------------------
# PNG
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [JWS, CREDENTIAL])
def test_png_round_trip(payload: str) -> None:
    baked = bake_png(_png(), payload)
    assert extract_png(baked) == payload
    assert extract(baked) == payload
    assert bake(_png(), payload) == baked


def test_baked_png_stays_valid_and_chunk_precedes_iend() -> None:
    original = _png(_chunk(b"tEXt", b"Comment\x00hello"))
    baked = bake_png(original, JWS)
    chunks = _chunks(baked)
    assert [t for t, _ in chunks] == [b"IHDR", b"tEXt", b"IDAT", b"iTXt", b"IEND"]
    assert [c for c in chunks if c[0] != b"iTXt"] == _chunks(original)


def test_itxt_bytes_follow_the_spec() -> None:
    baked = bake_png(_png(), CREDENTIAL)
    (data,) = _credential_chunks(baked)
    # keyword, NUL, compression flag 0, compression method 0, empty language tag + NUL,
    # empty translated keyword + NUL, then the UTF-8 text.
    assert data == b"openbadgecredential\x00" + b"\x00\x00" + b"\x00" + b"\x00" + CREDENTIAL.encode()


def test_rebake_requires_replace() -> None:
    baked = bake_png(_png(), JWS)
    with pytest.raises(AlreadyBaked):
        bake_png(baked, CREDENTIAL)
    replaced = bake_png(baked, CREDENTIAL, replace=True)
    assert _credential_chunks(replaced) == [ITXT_PREFIX + CREDENTIAL.encode()]
    assert extract_png(replaced) == CREDENTIAL


def test_replace_collapses_duplicate_chunks() -> None:
    doubled = _png(_itxt(b"openbadgecredential", b"a.b.c"), _itxt(b"openbadgecredential", b"d.e.f"))
    with pytest.raises(MultipleCredentials):
        extract_png(doubled)
    replaced = bake_png(doubled, JWS, replace=True)
    assert _credential_chunks(replaced) == [ITXT_PREFIX + JWS.encode()]


def test_png_without_credential() -> None:
    with pytest.raises(NoCredentialInImage):
        extract_png(_png())
    with pytest.raises(NoCredentialInImage):
        extract_png(_png(_itxt(b"openbadgecredential", b"")))
    # The 3.0 keyword only counts in iTXt.
    with pytest.raises(NoCredentialInImage):
        extract_png(_png(_chunk(b"tEXt", b"openbadgecredential\x00" + JWS.encode())))


@pytest.mark.parametrize("cut", [1, 8, 12, 20, 33, 40, 58, 66, 69])
def test_truncated_png_is_damaged(cut: int) -> None:
    baked = bake_png(_png(), JWS)
    truncated = baked[: len(baked) - cut]
    if len(truncated) < len(baking.PNG_SIGNATURE):
        pytest.skip("not even a signature left")
    with pytest.raises(DamagedImage):
        extract_png(truncated)
    with pytest.raises(DamagedImage):
        bake_png(truncated, JWS)


def test_bad_crc_is_damaged() -> None:
    baked = bytearray(bake_png(_png(), JWS))
    index = baked.index(JWS.encode())
    baked[index] ^= 0x01
    with pytest.raises(DamagedImage):
        extract_png(bytes(baked))


@pytest.mark.parametrize(
    "damaged",
    [
        baking.PNG_SIGNATURE + b"\x7f\xff\xff\xffIHDR",  # length far beyond the input
        baking.PNG_SIGNATURE + _chunk(b"IHDR", bytes(13)) + _chunk(b"IEND", b""),  # no IDAT
        baking.PNG_SIGNATURE + _chunk(b"IDAT", b"") + _chunk(b"IHDR", bytes(13)) + _chunk(b"IEND", b""),
        _png() + b"trailing",
        _png()[:-12],  # no IEND
        _png()[:-12] + _chunk(b"IE1D", b""),  # invalid chunk type
        _png()[:-12] + _chunk(b"IEND", b"x"),  # IEND with data
        _png(_chunk(b"IHDR", bytes(13))),  # two IHDR
        _png(_chunk(b"tEXt", b"no keyword separator")),
        _png(_chunk(b"tEXt", b"\x00empty keyword")),
        baking.PNG_SIGNATURE,
    ],
)
def test_structurally_damaged_png(damaged: bytes) -> None:
    with pytest.raises(DamagedImage):
        extract_png(damaged)


def test_malformed_credential_itxt_is_damaged() -> None:
    for data in (
        b"openbadgecredential",
        b"openbadgecredential\x00\x00",
        b"openbadgecredential\x00\x02\x00\x00\x00x",
    ):
        with pytest.raises(DamagedImage):
            extract_png(_png(_chunk(b"iTXt", data)))
    with pytest.raises(DamagedImage):
        extract_png(_png(_itxt(b"openbadgecredential", b"\xff\xfe")))


def test_compressed_itxt_is_read_despite_being_non_conformant() -> None:
    png = _png(_itxt(b"openbadgecredential", CREDENTIAL.encode(), compressed=True))
    assert extract_png(png) == CREDENTIAL


def test_compressed_itxt_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(baking, "MAX_CREDENTIAL_BYTES", 1024)
    png = _png(_itxt(b"openbadgecredential", b"{" + b" " * 4096 + b"}", compressed=True))
    with pytest.raises(DamagedImage):
        extract_png(png)


@pytest.mark.parametrize(
    "ob2_chunk",
    [
        _itxt(b"openbadges", b'{"uid": "abc"}'),
        _chunk(b"tEXt", b"openbadges\x00https://example.org/assertion"),
    ],
)
def test_open_badges_2_png_is_detected(ob2_chunk: bytes) -> None:
    png = _png(ob2_chunk)
    with pytest.raises(OpenBadges2Image) as info:
        extract_png(png)
    assert info.value.code == "OPEN_BADGES_2_IMAGE"
    with pytest.raises(OpenBadges2Image):
        bake_png(png, JWS)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b"GIF89a",
        bytes(range(256)),
        b"\x89PNG\r\n",
        b"hello <world>",
    ],
)
def test_not_an_image(data: bytes) -> None:
    assert sniff_image(data) is None
    with pytest.raises(NotAnImage):
        bake(data, JWS)
    with pytest.raises(NotAnImage):
        extract(data)
    with pytest.raises(NotAnImage):
        bake_png(data, JWS)


# ----------------------------------------------------------------------------------------------
# SVG
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [JWS, CREDENTIAL])
def test_svg_round_trip(payload: str) -> None:
    baked = bake_svg(SVG, payload)
    assert extract_svg(baked) == payload
    assert extract(baked) == payload
    assert bake(SVG, payload) == baked
    assert extract_svg(baked.decode("utf-8")) == payload


def test_svg_jws_bytes_follow_the_spec() -> None:
    baked = bake_svg(SVG, JWS)
    old_tag = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    new_tag = (
        b'<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
        b' xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    )
    element = b'<openbadges:credential verify="%s"></openbadges:credential>' % JWS.encode()
    assert baked == SVG.replace(old_tag, new_tag + element)
    root = fromstring(baked)
    credential = root[0]
    assert credential.tag == f"{{{OB3}}}credential"
    assert credential.get("verify") == JWS
    assert not credential.text


def test_svg_json_goes_in_cdata() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    expected = b"<openbadges:credential><![CDATA[" + CREDENTIAL.encode() + b"]]></openbadges:credential>"
    assert expected in baked
    assert baked.index(expected) == baked.index(b"<circle") - len(expected)
    assert fromstring(baked)[0].get("verify") is None


def test_svg_outside_the_insertion_is_untouched() -> None:
    baked = bake_svg(SVG, JWS)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- badge -->\n<svg'
    tail = b'<circle cx="5" cy="5" r="4"/></svg>\n'
    assert baked.startswith(head)
    assert baked.endswith(tail)


def test_cdata_terminator_and_carriage_return_round_trip() -> None:
    payload = '{"name": "a]]>b]]]>c]]>", "x": "]]"}'
    baked = bake_svg(SVG, payload)
    assert b"]]]]><![CDATA[>" in baked
    assert extract_svg(baked) == payload
    # XML parsers turn CR LF into LF, so a CR must survive as a character reference.
    with_cr = '{"name": "a]]>b",\r\n "x": 1}'
    assert extract_svg(bake_svg(SVG, with_cr)) == with_cr


def test_rebake_svg_requires_replace() -> None:
    baked = bake_svg(SVG, JWS)
    with pytest.raises(AlreadyBaked):
        bake_svg(baked, CREDENTIAL)
    replaced = bake_svg(baked, CREDENTIAL, replace=True)
    assert extract_svg(replaced) == CREDENTIAL
    assert replaced.count(b"openbadges:credential") == 2  # one start tag, one end tag
    assert replaced.count(b"xmlns:openbadges") == 1
    assert bake_svg(replaced, JWS, replace=True) == baked


def test_svg_multiple_credentials_are_refused() -> None:
    doubled = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
        b'<ob:credential verify="a.b.c"/><g><ob:credential verify="d.e.f"/></g></svg>'
    )
    with pytest.raises(MultipleCredentials):
        extract_svg(doubled)
    replaced = bake_svg(doubled, JWS, replace=True)
    assert extract_svg(replaced) == JWS
    assert b"a.b.c" not in replaced and b"d.e.f" not in replaced
    assert b"<g></g>" in replaced


def test_svg_without_credential() -> None:
    with pytest.raises(NoCredentialInImage):
        extract_svg(SVG)
    empty = (
        b'<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential> </openbadges:credential></svg>"
    )
    with pytest.raises(NoCredentialInImage):
        extract_svg(empty)
    # Same local name in another namespace is not a credential.
    other = b'<svg xmlns:openbadges="https://example.org/other"><openbadges:credential verify="a.b.c"/></svg>'
    with pytest.raises(NoCredentialInImage):
        extract_svg(other)


def test_extraction_is_namespace_aware_and_strips_whitespace() -> None:
    svg = (
        b'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:g>'
        b'<x:credential xmlns:x="https://purl.imsglobal.org/ob/v3p0">'
        b'\n   <![CDATA[{"a": 1}]]>\n </x:credential></s:g></s:svg>'
    )
    assert extract_svg(svg) == '{"a": 1}'


def test_credential_with_child_elements_is_damaged() -> None:
    svg = b'<svg xmlns:o="https://purl.imsglobal.org/ob/v3p0"><o:credential>{<b/>}</o:credential></svg>'
    with pytest.raises(DamagedImage):
        extract_svg(svg)


def test_self_closing_and_prefixed_roots() -> None:
    baked = bake_svg(b'<s:svg xmlns:s="http://www.w3.org/2000/svg" width="1"/>', JWS)
    assert baked.endswith(b"</openbadges:credential></s:svg>")
    assert extract_svg(baked) == JWS
    bare = bake_svg(b"<svg/>", CREDENTIAL)
    assert extract_svg(bare) == CREDENTIAL


def test_quoted_gt_in_root_attribute() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" data-x="a>b" data-y=\'c>d\'><rect/></svg>'
    baked = bake_svg(svg, JWS)
    assert b"data-y='c>d'><openbadges:credential" in baked
    assert extract_svg(baked) == JWS


def test_existing_namespace_declaration_is_reused() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="%s"></svg>' % OB3.encode()
    baked = bake_svg(svg, JWS)
    assert baked.count(b"xmlns:openbadges") == 1
    assert extract_svg(baked) == JWS


def test_prefix_bound_elsewhere_is_declared_locally() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/x"><g/></svg>'
    baked = bake_svg(svg, JWS)
    assert b'<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" verify=' in baked
    assert extract_svg(baked) == JWS


def test_bom_is_preserved() -> None:
    baked = bake_svg(b"\xef\xbb\xbf" + SVG, JWS)
    assert baked.startswith(b"\xef\xbb\xbf<?xml")
    assert extract(baked) == JWS


def test_str_svg_input() -> None:
    baked = bake_svg(SVG.decode("utf-8"), CREDENTIAL)
    assert isinstance(baked, bytes)
    assert extract_svg(baked) == CREDENTIAL


@pytest.mark.parametrize(
    "svg",
    [
        b'<!DOCTYPE svg [<!ENTITY x "boom">]><svg>&x;</svg>',
        b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
        b'<!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg>&b;</svg>',
        b'<!DOCTYPE svg [<!ATTLIST svg verify CDATA "forged">]><svg/>',
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "%s" [<!ELEMENT svg ANY>]><svg/>' % SVG11_DTD,
    ],
)
def test_svg_entities_and_internal_dtd_subsets_are_refused(svg: bytes) -> None:
    with pytest.raises(UnsafeSvg) as info:
        extract_svg(svg)
    assert info.value.code == "UNSAFE_SVG"
    with pytest.raises(UnsafeSvg):
        bake_svg(svg, JWS)


def test_svg_with_bare_doctype_from_drawing_tools_bakes_and_extracts() -> None:
    declaration, rest = SVG.split(b"\n", 1)
    svg = declaration + b'\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "%s">\n' % SVG11_DTD + rest
    baked = bake_svg(svg, CREDENTIAL)
    assert baked.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC')
    assert extract_svg(baked) == CREDENTIAL


@pytest.mark.parametrize(
    "svg",
    [b"<svg><g></svg>", b"<svg", b'<svg a="1" a="2"/>', b"<svg>\xff</svg>", b"<svg/><svg/>"],
)
def test_malformed_svg_is_damaged(svg: bytes) -> None:
    with pytest.raises(DamagedImage):
        extract_svg(svg)
    with pytest.raises(DamagedImage):
        bake_svg(svg, JWS)


def test_non_svg_xml_is_not_an_image() -> None:
    for xml in (
        b"<html><body/></html>",
        b'<svg:x xmlns:svg="http://www.w3.org/2000/svg"/>',
        b'<svg xmlns="urn:x"/>',
    ):
        with pytest.raises(NotAnImage):
            extract_svg(xml)
        with pytest.raises(NotAnImage):
            bake_svg(xml, JWS)


@pytest.mark.parametrize(
    "svg",
    [
        b'<?xml version="1.0" encoding="ISO-8859-1"?><svg/>',
        "<svg/>".encode("utf-16"),
        "<svg/>".encode("utf-16-le"),
    ],
)
def test_non_utf8_svg_is_unsupported(svg: bytes) -> None:
    with pytest.raises(UnsupportedEncoding):
        bake_svg(svg, JWS)
    with pytest.raises(UnsupportedEncoding):
        extract_svg(svg)


def test_open_badges_2_svg_is_detected() -> None:
    svg = (FIXTURES / "ob2-baked.svg").read_bytes()
    with pytest.raises(OpenBadges2Image):
        extract_svg(svg)
    with pytest.raises(OpenBadges2Image):
        extract(svg)
    with pytest.raises(OpenBadges2Image):
        bake_svg(svg, JWS)


@pytest.mark.parametrize(
    "payload",
    ["", "not json", "[1, 2]", '"a string"', "a.b", "a..", '{"a": 1', '{"a": "\ud800"}', 42],
)
def test_invalid_payloads(payload: object) -> None:
    with pytest.raises(InvalidPayload):
        bake_png(_png(), payload)  # type: ignore[arg-type]
    with pytest.raises(InvalidPayload):
        bake_svg(SVG, payload)  # type: ignore[arg-type]


def test_svg_refuses_characters_xml_cannot_carry() -> None:
    payload = json.dumps({"name": "\ufffe"}, ensure_ascii=False)
    assert extract_png(bake_png(_png(), payload)) == payload
    with pytest.raises(InvalidPayload):
        bake_svg(SVG, payload)


def test_sniff_image() -> None:
    assert sniff_image(_png()) == "png"
    assert sniff_image(SVG) == "svg"
    assert sniff_image(b"\xef\xbb\xbf  \n<svg/>") == "svg"
    assert sniff_image(b"<!-- x --><s:svg xmlns:s='http://www.w3.org/2000/svg'/>") == "svg"
    assert sniff_image(b"<html/>") is None
    assert sniff_image("<svg/>") is None  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# Fixtures (golden files)
# ----------------------------------------------------------------------------------------------


def test_fixture_plain_png_matches_generator() -> None:
    assert (FIXTURES / "plain-1x1.png").read_bytes() == _png()


def test_golden_baked_files() -> None:
    plain_png = (FIXTURES / "plain-1x1.png").read_bytes()
    plain_svg = (FIXTURES / "plain.svg").read_bytes()
    assert bake_png(plain_png, JWS) == (FIXTURES / "ob3-baked-jws.png").read_bytes()
    assert bake_svg(plain_svg, CREDENTIAL) == (FIXTURES / "ob3-baked-json.svg").read_bytes()
    assert extract((FIXTURES / "ob3-baked-jws.png").read_bytes()) == JWS
    assert extract((FIXTURES / "ob3-baked-json.svg").read_bytes()) == CREDENTIAL


def test_golden_ob2_png() -> None:
    with pytest.raises(OpenBadges2Image):
        extract((FIXTURES / "ob2-baked.png").read_bytes())


# ----------------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------------

_xml_text = st.text(st.characters(codec="utf-8", exclude_characters="\ufffe\uffff"))


@settings(max_examples=150, deadline=None)
@given(name=st.text(), ensure_ascii=st.booleans())
def test_png_round_trips_arbitrary_json(name: str, ensure_ascii: bool) -> None:
    payload = json.dumps({"name": name, "list": [name]}, ensure_ascii=ensure_ascii)
    try:
        payload.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(InvalidPayload):
            bake_png(_png(), payload)
        return
    assert extract_png(bake_png(_png(), payload)) == payload


@settings(max_examples=150, deadline=None)
@given(name=_xml_text, ensure_ascii=st.booleans(), indent=st.sampled_from([None, 1, "\r\n"]))
def test_svg_round_trips_arbitrary_json(name: str, ensure_ascii: bool, indent: int | str | None) -> None:
    payload = json.dumps({"name": name, "tail": name + "]]>"}, ensure_ascii=ensure_ascii, indent=indent)
    assert extract_svg(bake_svg(SVG, payload)) == payload


@settings(max_examples=50, deadline=None)
@given(text=st.text(min_size=1))
def test_svg_never_accepts_what_it_cannot_store(text: str) -> None:
    payload = json.dumps({"t": text}, ensure_ascii=False)
    try:
        baked = bake_svg(SVG, payload)
    except InvalidPayload:
        return
    assert extract_svg(baked) == payload
