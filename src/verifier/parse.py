"""The `parse` step: bytes in, one credential or presentation out (JSON, compact JWS, baked PNG or SVG).

OB 3.0 §5.3 (file formats) and §B (baking). Anything unusable raises `UnreadableInput`; the CLI maps it to
exit code 2 and the API to a 4xx problem, because there is nothing to report on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from credentials import baking
from credentials.proofs.vc_jwt import MalformedJwt, credential_from_payload, decode_unverified

Container = Literal["json", "jwt", "png", "svg"]

# Wider than OB's CompactJws pattern on purpose: an unsigned token (`alg: none`, empty signature) is still read
# as a JWT so that the report can say why it is refused, instead of calling it unreadable JSON.
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


class UnreadableInput(ValueError):
    """The input is not a credential at all: not JSON, not a JWT, an image without a credential, too large."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_json_bytes: int = 1_000_000
    max_image_bytes: int = 5_000_000


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
            raise UnreadableInput(f"duplicate JSON member {key!r}")
        result[key] = value
    return result


def parse_json_object(text: str) -> dict[str, Any]:
    """RFC 8259 JSON whose top level is an object; duplicate members are refused (I-JSON, RFC 7493 §2.3)."""
    try:
        value = json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise UnreadableInput("JSON nested too deeply") from exc
    if not isinstance(value, dict):
        raise UnreadableInput(f"expected a JSON object, got a JSON {type(value).__name__}")
    return value


def jwt_credential(token: str) -> dict[str, Any]:
    """OB 3.0 §8.2 without the signature: the credential a compact JWS carries (`vc` claim or top level)."""
    try:
        _header, payload = decode_unverified(token)
    except MalformedJwt as exc:
        raise UnreadableInput(f"not a readable JWT: {exc}") from exc
    credential, _problems = credential_from_payload(payload)
    if credential is None:
        raise UnreadableInput("the JWT does not carry a credential")
    return credential


def _from_text(text: str, container: Container) -> ParsedInput:
    stripped = text.strip()
    if _JWT_SHAPE.match(stripped):
        return ParsedInput("jwt" if container == "json" else container, jwt_credential(stripped), jwt=stripped)
    return ParsedInput(container, parse_json_object(stripped))


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
        return _from_text(payload, kind)
    if len(data) > limits.max_json_bytes:
        raise UnreadableInput(f"input is larger than the {limits.max_json_bytes} byte limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput("input is neither an image nor UTF-8 text") from exc
    if not text.strip():
        raise UnreadableInput("input is empty")
    return _from_text(text, "json")
