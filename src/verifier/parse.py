"""The `parse` step: bytes in, one credential or presentation out (JSON, compact JWS, baked PNG or SVG).

OB 3.0 §5.3 (file formats) and §B (baking). Anything unusable raises `UnreadableInput`; the CLI maps it to
exit code 2 and the API to a 4xx problem, because there is nothing to report on.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote_to_bytes

from credentials import baking
from credentials.proofs.vc_jwt import MalformedJwt, credential_from_payload, decode_unverified

Container = Literal["json", "jwt", "png", "svg"]

# Wider than OB's CompactJws pattern on purpose: an unsigned token (`alg: none`, empty signature) is still read
# as a JWT so that the report can say why it is refused, instead of calling it unreadable JSON.
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


class UnreadableInput(ValueError):
    """The input is not a credential at all: not JSON, not a JWT, an image without a credential, too large."""


MAX_JSON_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Limits:
    """ARCHITECTURE.md habit 8 (bound work on untrusted input): sizes, JSON depth, presentation size, nesting.

    `max_credentials` bounds the credentials of one presentation or CLR; `max_nesting` how deep credentials may
    sit inside others (a CLR inside a presentation is level 1, the CLR's credentials level 2).
    """

    max_json_bytes: int = 1_000_000
    max_image_bytes: int = 5_000_000
    max_json_depth: int = MAX_JSON_DEPTH
    max_credentials: int = 50
    max_nesting: int = 2


@dataclass(frozen=True, slots=True)
class ParsedInput:
    """What was found: the document (credential or presentation), its container, and the JWT if it was one."""

    container: Container
    document: dict[str, Any]
    jwt: str | None = None

    @property
    def is_presentation(self) -> bool:
        types = self.document.get("type")
        return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise UnreadableInput(f'the JSON member "{key}" appears twice')
        result[key] = value
    return result


def check_json_depth(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """RFC 8259 §9 allows a parser to limit nesting: UnreadableInput when arrays/objects nest deeper than `max_depth`.

    Explicit, not left to RecursionError, so every later recursive step (JSON-LD, canonicalization, the checks)
    works on a document of known depth. Iterative, so the check itself cannot overflow the stack.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > max_depth:
            raise UnreadableInput(f"JSON nested deeper than {max_depth} levels")
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def json_type(value: Any) -> str:
    """RFC 8259 §3 names for a parsed JSON value, for messages a person reads."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    names = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}
    return names.get(type(value), "a value")


def parse_json_object(text: str, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """RFC 8259 JSON whose top level is an object; duplicate members are refused (I-JSON, RFC 7493 §2.3)."""
    try:
        value = json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise UnreadableInput("JSON nested too deeply") from exc
    if not isinstance(value, dict):
        raise UnreadableInput(f"expected a JSON object, got {json_type(value)}")
    check_json_depth(value, max_depth)
    return value


def jwt_credential(token: str, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """OB 3.0 §8.2 without the signature: the credential a compact JWS carries (`vc` claim or top level)."""
    try:
        _header, payload = decode_unverified(token)
    except MalformedJwt as exc:
        raise UnreadableInput(f"not a readable JWT: {exc}") from exc
    except RecursionError as exc:
        raise UnreadableInput("JWT payload nested too deeply") from exc
    check_json_depth(payload, max_depth)
    credential, _problems = credential_from_payload(payload)
    if credential is None:
        raise UnreadableInput("the JWT does not carry a credential")
    return credential


def _from_text(text: str, container: Container, limits: Limits) -> ParsedInput:
    stripped = text.strip()
    if _JWT_SHAPE.match(stripped):
        credential = jwt_credential(stripped, limits.max_json_depth)
        return ParsedInput("jwt" if container == "json" else container, credential, jwt=stripped)
    return ParsedInput(container, parse_json_object(stripped, limits.max_json_depth))


ENVELOPED_TYPE = "EnvelopedVerifiableCredential"
_ENVELOPED_MEDIA_TYPES = frozenset({"application/vc+jwt", "application/vc+ld+json", "application/vc"})


def _data_url_payload(url: str) -> tuple[str, str]:
    """RFC 2397 `data:[<mediatype>][;base64],<data>`: the media type and the decoded text."""
    header, comma, data = url.partition(",")
    if not header.startswith("data:") or not comma:
        raise UnreadableInput("an enveloped credential's id must be a data: URL")
    media_type, *parameters = header[len("data:") :].split(";")
    try:
        raw = base64.b64decode(data, validate=True) if "base64" in parameters else unquote_to_bytes(data)
        return media_type.strip().lower(), raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise UnreadableInput("an enveloped credential's data: URL cannot be decoded") from exc


def _enveloped(item: dict[str, Any], limits: Limits) -> ParsedInput:
    """VCDM 2.0 §4.13.1 EnvelopedVerifiableCredential: the credential is the `id` data: URL (VC-JOSE-COSE §3.1.1)."""
    url = item.get("id")
    if not isinstance(url, str):
        raise UnreadableInput("an enveloped credential needs a data: URL id")
    media_type, text = _data_url_payload(url)
    if media_type not in _ENVELOPED_MEDIA_TYPES:
        raise UnreadableInput(f"an enveloped credential of type {media_type!r} is not supported")
    if media_type == "application/vc+jwt":
        token = text.strip()
        if not _JWT_SHAPE.match(token):
            raise UnreadableInput("the enveloped credential is not a compact JWT")
        return ParsedInput("jwt", jwt_credential(token, limits.max_json_depth), jwt=token)
    return ParsedInput("json", parse_json_object(text, limits.max_json_depth))


def parse_embedded(item: Any, limits: Limits = Limits()) -> ParsedInput:
    """One entry of a presentation's or CLR's `verifiableCredential` (VCDM 2.0 §4.13): an embedded credential,
    an EnvelopedVerifiableCredential, or a compact VC-JWT string (as VCDM 1.1 JWT presentations carry)."""
    if isinstance(item, dict):
        types = item.get("type")
        if ENVELOPED_TYPE in (types if isinstance(types, list) else [types]):
            return _enveloped(item, limits)
        return ParsedInput("json", item)
    if isinstance(item, str) and _JWT_SHAPE.match(item.strip()):
        token = item.strip()
        return ParsedInput("jwt", jwt_credential(token, limits.max_json_depth), jwt=token)
    raise UnreadableInput("each verifiableCredential entry must be a credential object or a compact JWT")


def parse_input(data: bytes, limits: Limits = Limits()) -> ParsedInput:
    """Sniff and decode: a baked PNG or SVG, a compact JWS, or a JSON credential/presentation."""
    kind = baking.sniff_image(data)
    if kind is not None:
        if len(data) > limits.max_image_bytes:
            raise UnreadableInput(f"image is larger than the {limits.max_image_bytes} byte limit")
        try:
            payload = baking.extract(data)
        except baking.BakingError as exc:
            raise UnreadableInput(str(exc)) from exc
        return _from_text(payload, kind, limits)
    if len(data) > limits.max_json_bytes:
        raise UnreadableInput(f"input is larger than the {limits.max_json_bytes} byte limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput("input is neither an image nor UTF-8 text") from exc
    if not text.strip():
        raise UnreadableInput("input is empty")
    return _from_text(text, "json", limits)
