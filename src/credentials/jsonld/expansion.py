"""JSON-LD 1.1 API §4 expansion (pyld) with jsonld.js safe-mode reporting (VC-DI 1.0 §2.4 data loss)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from pyld import jsonld as pyld_jsonld

from credentials.jsonld.errors import DataLossError, InputLimitExceeded, JsonLdProcessingError
from credentials.jsonld.store import ContextStore, _PinnedResolvedCache
from credentials.jsonld.syntax import _is_absolute, _is_reserved


def _dropped_object_event(expanded: Mapping[str, Any] | None) -> str:
    # The jsonld.js event for an object expansion turned into nothing, from what expansion had built.
    if expanded is None:
        return "empty object"
    count = len(expanded)
    if "@value" in expanded:
        return "null @value value" if expanded["@value"] in (None, []) else "object with only @value"
    if count == 1 and "@language" in expanded:
        return "object with only @language"
    if count == 0:
        return "empty object"
    if "@list" in expanded:
        return "object with only @list"
    return "object with only @id"


class _Expander(pyld_jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's expansion, reporting what it drops the way jsonld.js safe mode does (VC-DI §2.4 data loss)."""

    def __init__(self, safe: bool, deadline: float, cache: _PinnedResolvedCache) -> None:
        super().__init__(on_property_dropped=self._property_dropped)
        self._cache = cache
        self._safe = safe
        self._deadline = deadline
        self._path: list[str] = []
        self._last_object: dict[str, Any] | None = None

    def where(self) -> str:
        path = ".".join(step for step in self._path if step)
        return path or "the top level"

    def _property_dropped(self, expanded_property: str | None) -> None:
        if self._safe:
            if expanded_property is None:
                detail = f"a property at {self.where()} is mapped to null by the context and would be dropped"
            else:
                detail = (
                    f"property {expanded_property!r} at {self.where()} is not defined by any context"
                    " and would be dropped"
                )
            raise DataLossError("invalid property", detail)

    def _expand_object(self, *args: Any, **kwargs: Any) -> None:
        super()._expand_object(*args, **kwargs)
        # args[4] is the expanded object being built; the outermost call for an element finishes last.
        self._last_object = args[4] if len(args) > 4 else kwargs.get("expanded_parent")

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        pinned = self._cache.is_pinned(local_ctx) and validate_scoped and cycles is None
        flags = (override_protected, propagate)
        result = self._cache.processed_context(active_ctx, local_ctx, flags) if pinned else None
        if result is None:
            result = super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
            if pinned:
                self._cache.remember_processed(active_ctx, local_ctx, flags, result)
        vocab = result.get("@vocab")
        if self._safe and vocab is not None and not _is_absolute(vocab):
            raise DataLossError("relative @vocab reference", f"@vocab {vocab!r} is not an absolute IRI")
        return result

    def _expand(
        self,
        active_ctx: Any,
        active_property: str | None,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: bool = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        if element is None or isinstance(element, list):
            return super()._expand(
                active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
            )
        if not isinstance(element, dict):
            result = super()._expand(
                active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
            )
            if self._safe:
                self._check_scalar(active_property, element, result)
            return result
        if time.monotonic() > self._deadline:
            raise InputLimitExceeded("JSON-LD expansion took longer than the configured time limit")
        self._path.append(active_property or "")
        try:
            result = super()._expand(
                active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
            )
            if self._safe:
                self._check_object(active_ctx, active_property, element, result, inside_list)
        finally:
            self._path.pop()
        return result

    def _check_scalar(self, active_property: str | None, element: Any, result: Any) -> None:
        where = ".".join(step for step in [*self._path, active_property or ""] if step) or "the top level"
        if result is None:
            raise DataLossError("free-floating scalar", f"value {element!r} at {where} is not in any property")
        if isinstance(result, dict) and "@id" in result and result["@id"] is None:
            raise DataLossError("reserved @id value", f"identifier {element!r} at {where} is reserved")

    def _check_object(
        self, active_ctx: Any, active_property: str | None, element: dict[str, Any], result: Any, inside_list: bool
    ) -> None:
        if result is None:
            event = _dropped_object_event(self._last_object)
            raise DataLossError(event, f"the object at {self.where()} would be dropped ({event})")
        if not isinstance(result, dict):
            return
        identifier = result.get("@id", "_:")
        if identifier is None:
            reserved = [value for value in element.values() if _is_reserved(value)]
            raise DataLossError("reserved @id value", f"@id {reserved[:1]} of the object at {self.where()} is reserved")
        if isinstance(identifier, str) and not _is_absolute(identifier):
            raise DataLossError(
                "relative @id reference",
                f"@id {identifier!r} at {self.where()} is a relative IRI (no base IRI is used, so it would be dropped)",
            )
        for key in result:
            if key.startswith("_:"):
                raise DataLossError(
                    "blank node predicate", f"a property at {self.where()} expands to blank node {key!r}"
                )
        types = result.get("@type")
        if isinstance(types, list) and None in types:
            raise DataLossError("relative @type reference", f"a type at {self.where()} is reserved ('@...')")
        # jsonld.js (unlike pyld) also drops empty / @id-only objects that are values of @graph containers.
        droppable = not result or "@value" in result or "@list" in result or (len(result) == 1 and "@id" in result)
        if droppable and not inside_list and self._in_graph_container(active_ctx, active_property):
            event = _dropped_object_event(result)
            raise DataLossError(event, f"the graph at {self.where()} would be dropped ({event})")

    @staticmethod
    def _in_graph_container(active_ctx: Any, active_property: str | None) -> bool:
        if active_property is None:
            return False
        container = pyld_jsonld.JsonLdProcessor.get_context_value(active_ctx, active_property, "@container")
        return "@graph" in pyld_jsonld.JsonLdProcessor.arrayify(container)

    def expand_document(self, document: Any, contexts: ContextStore) -> list[Any]:
        """JSON-LD 1.1 API §4.1 (expand()) over an already private copy, with base IRI null."""
        options = {
            "base": None,
            "isFrame": False,
            "keepFreeFloatingNodes": False,
            "documentLoader": contexts,
            "contextResolver": contexts.resolver(),
            "extractAllScripts": False,
            "processingMode": "json-ld-1.1",
        }
        active_ctx = self._get_initial_context(options)
        expanded = self._expand(active_ctx, None, document, options, inside_list=False)
        if isinstance(expanded, dict) and "@graph" in expanded and len(expanded) == 1:
            expanded = expanded["@graph"]
        elif expanded is None:
            expanded = []
        return expanded if isinstance(expanded, list) else [expanded]


def _processing_error(exc: BaseException) -> JsonLdProcessingError:
    # pyld wraps loader errors (ContextNotAllowed) in its own JsonLdError: surface ours.
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, JsonLdProcessingError):
            return current
        current = current.__cause__ or current.__context__
    code = getattr(exc, "code", None) or type(exc).__name__
    error = JsonLdProcessingError(f"JSON-LD processing failed ({code}): {exc}")
    error.__cause__ = exc
    return error


def _run_expansion(document: Any, contexts: ContextStore, safe: bool, deadline: float) -> list[Any]:
    try:
        return _Expander(safe, deadline, contexts._resolved).expand_document(document, contexts)
    except JsonLdProcessingError:
        raise
    except RecursionError as exc:
        raise InputLimitExceeded("the document is nested too deeply to expand") from exc
    except Exception as exc:  # pyld raises JsonLdError and, on malformed input, plain Python errors
        raise _processing_error(exc) from exc
