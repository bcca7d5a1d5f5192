"""Open Badges 3.0 §5.3.1 PNG baking and extraction: one uncompressed ``openbadgecredential`` iTXt chunk.

The credential chunk is written just before ``IEND``. PNG input is validated strictly (signature, chunk
bounds, CRCs, IHDR first, IEND last, no trailing bytes); the image is spliced, never re-encoded.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Final

import credentials.baking as _package
from credentials.baking.errors import (
    AlreadyBaked,
    DamagedImage,
    InvalidPayload,
    MultipleCredentials,
    NoCredentialInImage,
    NotAnImage,
    OpenBadges2Image,
)
from credentials.baking.payload import _payload_kind

__all__ = ["OB2_PNG_KEYWORD", "PNG_KEYWORD", "PNG_SIGNATURE", "bake_png", "extract_png"]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD: Final = b"openbadgecredential"
OB2_PNG_KEYWORD: Final = b"openbadges"

_PNG_MAX_CHUNK_LENGTH: Final = 2**31 - 1
_PNG_TEXT_CHUNKS: Final = frozenset({b"tEXt", b"zTXt", b"iTXt"})


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
    # Read from the package at call time: `credentials.baking.MAX_CREDENTIAL_BYTES` is the public, patchable knob.
    limit = _package.MAX_CREDENTIAL_BYTES
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise DamagedImage("compressed iTXt text is corrupt") from exc
    if len(text) > limit:
        raise DamagedImage("compressed iTXt text inflates beyond the size limit")
    if not inflater.eof:
        raise DamagedImage("compressed iTXt text is truncated")
    return text
