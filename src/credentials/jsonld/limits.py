"""RDFC-1.0 §7 (security, poison datasets) and VC-DI 1.0 §5: limits and input preparation.

`Limits` bounds the work for one untrusted document; `_prepare` checks it is JSON (RFC 8259 data model),
takes a private copy while counting size and depth, and refuses context references the store does not pin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credentials.jsonld.errors import ContextNotAllowed, DataLossError, InputLimitExceeded, JsonLdProcessingError
from credentials.jsonld.js_numbers import _js_number
from credentials.jsonld.store import ContextStore
from credentials.jsonld.syntax import _context_problems


@dataclass(frozen=True, slots=True)
class Limits:
    """RDFC-1.0 §7 (security, poison datasets) and VC-DI 1.0 §5: bounds on the work for one untrusted document.

    Exceeding one raises InputLimitExceeded (PROOF_TRANSFORMATION_ERROR).

    `max_document_bytes` bounds the UTF-8 size of the compact JSON (string escapes not counted);
    `max_work_factor` is rdf-canonize's maxWorkFactor (Hash N-Degree Quads calls <= non-unique blank
    nodes ** factor), 1 like the JavaScript default so both sides refuse the same poison datasets.
    """

    max_document_bytes: int = 2_000_000
    max_depth: int = 64
    max_blank_nodes: int = 10_000
    max_quads: int = 100_000
    max_work_factor: float = 1
    max_seconds: float = 5.0


DEFAULT_LIMITS = Limits()


class _InputCopy:
    """RFC 8259 data model check and private copy of the input, counting size and depth (Limits)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.size = 0
        self.contexts: list[Any] = []

    def _text(self, text: str) -> None:
        try:
            self.size += len(text) + 3 if text.isascii() else len(text.encode("utf-8")) + 3
        except UnicodeEncodeError as exc:
            # A lone surrogate has no UTF-8 form: JavaScript would sign U+FFFD instead (two documents, one hash).
            raise JsonLdProcessingError("the document contains a lone UTF-16 surrogate") from exc

    def copy(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            self._text(value)
            return value
        if value is None or isinstance(value, bool):
            self.size += 5
            return value
        if isinstance(value, int | float):
            self.size += 8
            return _js_number(value)
        if depth >= self.limits.max_depth:
            raise InputLimitExceeded(f"the document is nested deeper than {self.limits.max_depth} levels")
        result: dict[str, Any] | list[Any]
        if isinstance(value, Mapping):
            result = self._copy_object(value, depth)
        elif isinstance(value, list | tuple):
            result = [self.copy(item, depth + 1) for item in value]
            self.size += len(value) + 2
        else:
            raise JsonLdProcessingError(f"the document contains a {type(value).__name__}, which is not JSON")
        if self.size > self.limits.max_document_bytes:
            raise InputLimitExceeded(f"the document is larger than {self.limits.max_document_bytes} bytes")
        return result

    def _copy_object(self, value: Mapping[Any, Any], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise JsonLdProcessingError(f"object key {key!r} is not a string")
            self._text(key)
            result[key] = self.copy(item, depth + 1)
        if "@context" in result:
            self.contexts.append(result["@context"])
        return result


def _prepare(document: Mapping[str, Any], contexts: ContextStore, limits: Limits, safe: bool) -> Any:
    if not isinstance(document, Mapping):
        raise JsonLdProcessingError("a JSON-LD document must be a JSON object")
    walker = _InputCopy(limits)
    prepared = walker.copy(document, 0)
    for context in walker.contexts:
        _check_context_reference(context, contexts, safe)
    return prepared


def _check_context_reference(context: Any, contexts: ContextStore, safe: bool) -> None:
    # Refuse unknown URLs before pyld wraps the loader's error, and inline definitions safe mode rejects.
    for ctx in context if isinstance(context, list) else [context]:
        if isinstance(ctx, str) and ctx not in contexts:
            raise ContextNotAllowed(ctx)
    if safe:
        for event, detail in _context_problems(context, "an inline context"):
            raise DataLossError(event, detail)
