"""VC Data Integrity 1.0 §4.6 (context validation), §2.4 (data loss) and JSON-LD 1.1 API §8.2 (to RDF).

The store is the only document loader JSON-LD processing ever gets. It never touches the network: every
URL must be in `contexts/manifest.json` (or in an institution's extra-contexts folder), and every pinned
document is checked against the sha256 of its canonical (RFC 8785) JSON when the store is built.

`canonicalize` turns a JSON-LD document into RDFC-1.0 canonical N-Quads that are byte-identical to what
@digitalbazaar/vc 7.3.0 signs (jsonld.js 9 `toRDF` with `base: null`, `safe: true`,
`rdfDirection: "i18n-datatype"`, then rdf-canonize 5). Expansion is pyld's (a subclass that reports what it
drops); the node map, the RDF conversion and the canonicalization are ports of jsonld.js and rdf-canonize
so that value de-duplication, number formatting and escaping match the JavaScript reference exactly.

Data loss detection (`safe=True`, the default) refuses, with DataLossError (DATA_LOSS_DETECTION_ERROR), every
condition jsonld.js safe mode refuses: dropped properties (undefined terms), relative `@id`/`@type`/`@vocab`
references, dropped free-floating values and objects, reserved (`@`-prefixed) terms and values, invalid
language tags and blank node predicates.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path
from typing import Any

import rfc8785
from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from credentials import rdfc

DEFAULT_CONTEXTS_DIR = Path(__file__).resolve().parents[2] / "contexts"

__all__ = [
    "DEFAULT_LIMITS",
    "ContextNotAllowed",
    "ContextStore",
    "ContextStoreError",
    "DataLossError",
    "InputLimitExceeded",
    "JsonLdProcessingError",
    "Limits",
    "PinnedContext",
    "canonical_json_sha256",
    "canonicalize",
    "expand",
    "to_rdf",
]


class JsonLdProcessingError(Exception):
    """Base of the JSON-LD errors; `code` is the stable identifier reports carry."""

    code = "MALFORMED_VALUE_ERROR"


class ContextNotAllowed(JsonLdProcessingError):
    """A document named a context URL outside the pinned and configured set (VC-DI §4.6 context validation)."""

    code = "CONTEXT_NOT_ALLOWED"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"context {url!r} is not one of the pinned contexts; contexts are never fetched from the network"
        )
        self.url = url


class DataLossError(JsonLdProcessingError):
    """VC-DI 1.0 §2.4 / §4.x: JSON-LD processing would drop or leave relative part of the document."""

    code = "DATA_LOSS_DETECTION_ERROR"

    def __init__(self, event: str, detail: str) -> None:
        super().__init__(f"{detail} (jsonld.js safe mode: {event!r})")
        self.event = event


class InputLimitExceeded(JsonLdProcessingError):
    """An untrusted document exceeds a `Limits` bound; reported as a PROOF_TRANSFORMATION_ERROR."""

    code = "PROOF_TRANSFORMATION_ERROR"


class ContextStoreError(Exception):
    """The store itself is misconfigured: a manifest or file is missing, or a pinned hash does not match."""


def canonical_json_sha256(document: Any) -> str:
    """RFC 8785 §3.2: the sha256 of the JCS form, so reformatted copies of one context hash alike."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


# --------------------------------------------------------------------------------------------------
# JSON-LD 1.1 §4.1 keywords and the jsonld.js syntax checks safe mode relies on

_KEYWORDS = frozenset(
    (
        *("@base", "@container", "@context", "@default", "@direction", "@embed", "@explicit", "@graph", "@id"),
        *("@included", "@index", "@json", "@language", "@list", "@nest", "@none", "@omitDefault", "@prefix"),
        *("@preserve", "@protected", "@requireAll", "@reverse", "@set", "@type", "@value", "@version", "@vocab"),
    )
)
_KEYWORD_LIKE = re.compile(r"^@[a-zA-Z]+$")
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
# jsonld.js url.isAbsolute: a scheme (or `_` for blank nodes), a colon and no whitespace at all.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")


def _is_absolute(iri: Any) -> bool:
    return isinstance(iri, str) and _ABSOLUTE_IRI.match(iri) is not None


def _is_reserved(value: Any) -> bool:
    # `@`-prefixed words that are not keywords: reserved for future use, so JSON-LD drops them.
    return isinstance(value, str) and value not in _KEYWORDS and _KEYWORD_LIKE.match(value) is not None


def _context_problems(context: Any, where: str) -> list[tuple[str, str]]:
    """JSON-LD 1.1 API §4.1/§4.2: the definitions jsonld.js safe mode rejects while processing a context.

    Returns (event, detail) pairs for reserved terms, reserved `@id`/`@reverse` values and invalid default
    languages, looking into scoped contexts too (jsonld.js checks those when they are activated).
    """
    problems: list[tuple[str, str]] = []
    contexts = context if isinstance(context, list) else [context]
    for ctx in contexts:
        if not isinstance(ctx, Mapping):
            continue
        for term, definition in ctx.items():
            problems.extend(_term_problems(term, definition, where))
    return problems


def _term_problems(term: str, definition: Any, where: str) -> list[tuple[str, str]]:
    if term == "@language":
        if isinstance(definition, str) and not _BCP47.match(definition):
            return [("invalid @language value", f"default language {definition!r} in {where} is not BCP47")]
        return []
    if term in _KEYWORDS:
        return []
    if _is_reserved(term):
        return [("reserved term", f"term {term!r} in {where} is reserved (starts with '@') and dropped")]
    if isinstance(definition, str):
        definition = {"@id": definition}
    if not isinstance(definition, Mapping):
        return []
    problems: list[tuple[str, str]] = []
    if _is_reserved(definition.get("@id")):
        problems.append(("reserved @id value", f"term {term!r} in {where} maps to reserved {definition['@id']!r}"))
    if _is_reserved(definition.get("@reverse")):
        problems.append(
            ("reserved @reverse value", f"term {term!r} in {where} reverses reserved {definition['@reverse']!r}")
        )
    if "@context" in definition:
        problems.extend(_context_problems(definition["@context"], f"the scoped context of {term!r} in {where}"))
    return problems


# --------------------------------------------------------------------------------------------------
# The context store


@dataclass(frozen=True, slots=True)
class PinnedContext:
    url: str
    document: Mapping[str, Any]
    sha256: str
    source: str


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContextStoreError(f"context file {path} is missing") from exc
    except json.JSONDecodeError as exc:
        raise ContextStoreError(f"context file {path} is not JSON: {exc}") from exc


def _load_pinned(directory: Path) -> dict[str, PinnedContext]:
    manifest = _read_json(directory / "manifest.json")
    pinned: dict[str, PinnedContext] = {}
    for url, entry in manifest.items():
        document = _read_json(directory / entry["file"])
        digest = canonical_json_sha256(document)
        if digest != entry["sha256"]:
            raise ContextStoreError(
                f"pinned context {url} ({entry['file']}) has sha256 {digest}, manifest pins {entry['sha256']}"
            )
        pinned[url] = PinnedContext(url, document, digest, entry.get("source", ""))
    return pinned


def _load_extra(directory: Path, pinned: Mapping[str, PinnedContext]) -> dict[str, PinnedContext]:
    """Institution contexts: `manifest.json` maps each URL to a file name in the same folder."""
    manifest = _read_json(directory / "manifest.json")
    if not isinstance(manifest, dict):
        raise ContextStoreError(f"{directory / 'manifest.json'} must map context URLs to file names")
    extra: dict[str, PinnedContext] = {}
    for url, name in manifest.items():
        if not isinstance(name, str) or Path(name).name != name:
            raise ContextStoreError(f"extra context {url}: {name!r} must be a file name inside {directory}")
        document = _read_json(directory / name)
        digest = canonical_json_sha256(document)
        known = pinned.get(url)
        if known is not None and known.sha256 != digest:
            raise ContextStoreError(
                f"extra context {url} differs from the pinned copy; a pinned context cannot be replaced"
            )
        # A context jsonld.js safe mode would reject can never sign or verify anything: refuse it up front.
        problems = _context_problems(document.get("@context") if isinstance(document, dict) else None, url)
        if problems:
            raise ContextStoreError(f"extra context {url} is unusable in safe mode: {problems[0][1]}")
        extra[url] = PinnedContext(url, document, digest, f"extra: {directory / name}")
    return extra


_PROCESSED_CACHE_SIZE = 512


class _PinnedResolvedCache:
    """pyld ContextResolver shared cache that keeps resolved contexts for this store's documents only.

    Inline contexts from documents are never kept (an attacker could otherwise grow it without bound), and
    the cache belongs to one store because two stores may map the same extra URL to different documents.
    Scoped contexts inside pinned documents are cached by object identity: pyld would otherwise key them by
    their JCS serialization and re-process them for every document.
    """

    def __init__(self, urls: frozenset[str]) -> None:
        self._urls = urls
        self._entries: dict[str, Any] = {}
        self._pinned_objects: dict[int, Any] = {}
        self.scoped: dict[int, tuple[Any, Any]] = {}
        self.processed: OrderedDict[tuple[int, int, bool, bool], tuple[Any, Any, Any]] = OrderedDict()
        # Signing may run in worker threads: the LRU bookkeeping must not interleave.
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        return self._entries.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self._urls:
            self._entries[key] = value

    def register(self, document: Any) -> None:
        """Remember every object of a document the loader handed to pyld (kept alive, so ids stay unique)."""
        pending = [document]
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                self._pinned_objects[id(item)] = item
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)

    def is_pinned(self, context: Any) -> bool:
        return self._pinned_objects.get(id(context)) is context

    def processed_context(self, active_ctx: Any, local_ctx: Any, flags: tuple[bool, bool]) -> Any:
        """The active context pyld built from `active_ctx` + pinned scoped `local_ctx` before, if any.

        pyld gives every non-propagating (type-scoped) result a fresh identity, so its own processed-context
        cache never hits for them. Entries hold both inputs, so an id is never reused while it is a key.
        """
        key = (id(active_ctx), id(local_ctx), *flags)
        with self._lock:
            entry = self.processed.get(key)
            if entry is None or entry[0] is not active_ctx or entry[1] is not local_ctx:
                return None
            self.processed.move_to_end(key)
            return entry[2]

    def remember_processed(self, active_ctx: Any, local_ctx: Any, flags: tuple[bool, bool], result: Any) -> None:
        with self._lock:
            self.processed[(id(active_ctx), id(local_ctx), *flags)] = (active_ctx, local_ctx, result)
            if len(self.processed) > _PROCESSED_CACHE_SIZE:
                self.processed.popitem(last=False)


class _StoreContextResolver(ContextResolver):  # type: ignore[misc]
    """pyld's ContextResolver plus the identity cache for scoped contexts of pinned documents."""

    def __init__(self, cache: _PinnedResolvedCache, loader: Any) -> None:
        super().__init__(cache, loader)
        self._store_cache = cache

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if not isinstance(context, dict):
            return super().resolve(active_ctx, context, base, cycles)
        hit = self._store_cache.scoped.get(id(context))
        if hit is not None and hit[0] is context:
            return hit[1]
        resolved = super().resolve(active_ctx, context, base, cycles)
        if self._store_cache.is_pinned(context):
            self._store_cache.scoped[id(context)] = (context, resolved)
        return resolved


@dataclass(frozen=True, slots=True)
class ContextStore:
    """An offline pyld document loader over pinned contexts; unknown URLs raise ContextNotAllowed."""

    contexts: Mapping[str, PinnedContext]
    _resolved: _PinnedResolvedCache = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_resolved", _PinnedResolvedCache(frozenset(self.contexts)))

    @classmethod
    def load(cls, directory: Path | None = None, *, extra_dir: Path | None = None) -> ContextStore:
        """Build the store from `contexts/` (hashes checked) and an optional extra-contexts folder."""
        pinned = _load_pinned(directory or DEFAULT_CONTEXTS_DIR)
        if extra_dir is not None:
            pinned = {**pinned, **_load_extra(extra_dir, pinned)}
        return cls(pinned)

    def __contains__(self, url: object) -> bool:
        return url in self.contexts

    def document(self, url: str) -> Mapping[str, Any]:
        """The pinned document for `url`; callers get a fresh copy they may not share with the store."""
        pinned = self.contexts.get(url)
        if pinned is None:
            raise ContextNotAllowed(url)
        return copy.deepcopy(dict(pinned.document))

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """JSON-LD 1.1 API §9.4 LoadDocumentCallback (pyld's documentLoader): the pinned context, offline."""
        return {"contextUrl": None, "documentUrl": url, "document": self.document(url)}

    def _load_cached(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        # Only our resolver uses this loader: the `static` tag lets pyld keep the resolved context in this
        # store's cache (never pyld's process-wide one), so each context is processed once per store.
        document = self.document(url)
        self._resolved.register(document)
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    def resolver(self) -> Any:
        """JSON-LD 1.1 API §4.1.2 (context processing): a pyld ContextResolver over this store's own cache."""
        return _StoreContextResolver(self._resolved, self._load_cached)


# --------------------------------------------------------------------------------------------------
# Limits and input preparation


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

# Doubles represent every integer below 2**53 exactly; beyond that JavaScript (JSON.parse) rounds.
_SAFE_INTEGER = 2**53


def _js_number(value: int | float) -> int | float:
    """ECMA-262 JSON.parse number semantics: one IEEE double per number, so 3.0 is 3 and 2**60+1 rounds."""
    if isinstance(value, int):
        if -_SAFE_INTEGER < value < _SAFE_INTEGER:
            return value
        try:
            value = float(value)
        except OverflowError as exc:
            raise JsonLdProcessingError("a number in the document is too large for a double") from exc
    if not math.isfinite(value):
        raise JsonLdProcessingError("the document contains a non-finite number (NaN or Infinity)")
    if value.is_integer() and -_SAFE_INTEGER < value < _SAFE_INTEGER:
        return int(value)
    return value


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


# --------------------------------------------------------------------------------------------------
# JSON-LD 1.1 API §4 expansion (pyld) with jsonld.js safe-mode reporting


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


# --------------------------------------------------------------------------------------------------
# JSON-LD 1.1 API §7.2 node map generation (port of jsonld.js nodeMap.js)


class _BlankIssuer:
    """JSON-LD 1.1 API §4.2 (generate blank node identifier) as jsonld.js's IdentifierIssuer('_:b')."""

    def __init__(self) -> None:
        self.existing: dict[str, str] = {}
        self.counter = 0

    def issue(self, old: Any = None) -> str:
        if old:
            known = self.existing.get(old)
            if known is not None:
                return known
        issued = f"_:b{self.counter}"
        self.counter += 1
        if old:
            self.existing[old] = issued
        return issued


def _is_blank(node: Mapping[str, Any]) -> bool:
    if "@id" in node:
        identifier = node["@id"]
        return not isinstance(identifier, str) or identifier.startswith("_:")
    return len(node) == 0 or not ("@value" in node or "@set" in node or "@list" in node)


def _is_subject(value: Any) -> bool:
    if isinstance(value, dict) and not ("@value" in value or "@set" in value or "@list" in value):
        return len(value) > 1 or "@id" not in value
    return False


def _value_key(value: Any) -> tuple[Any, ...]:
    """jsonld.js util.compareValues as a hashable key: equal keys <=> values jsonld.js treats as duplicates."""
    if isinstance(value, dict):
        if "@value" in value:
            return (
                "value",
                _primitive_key(value["@value"]),
                value.get("@type"),
                value.get("@language"),
                value.get("@index"),
            )
        if "@id" in value:
            return ("id", value["@id"])
        return ("object", id(value))
    return ("primitive", _primitive_key(value))


def _primitive_key(value: Any) -> tuple[Any, ...]:
    # JavaScript `===`: booleans never equal numbers, objects only equal themselves.
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float | str) or value is None:
        return (type(value) is str, value)
    return ("identity", id(value))


class _NodeMap:
    """JSON-LD 1.1 API §7.2 Node Map Generation, following jsonld.js createNodeMap step for step."""

    def __init__(self, issuer: _BlankIssuer) -> None:
        self.issuer = issuer
        self.graphs: dict[str, dict[str, dict[str, Any]]] = {"@default": {}}
        self._seen: dict[tuple[int, str], set[tuple[Any, ...]]] = {}

    def add_value(self, subject: dict[str, Any], prop: str, value: Any) -> None:
        """jsonld.js addValue with propertyIsArray and no duplicates (a set instead of a linear scan)."""
        values = subject.setdefault(prop, [])
        seen = self._seen.setdefault((id(subject), prop), set())
        key = _value_key(value)
        if key not in seen:
            seen.add(key)
            values.append(value)

    def add(self, element: Any, graph: str, name: str | None = None, into: list[Any] | None = None) -> None:
        if isinstance(element, list):
            for node in element:
                self.add(node, graph, None, into)
            return
        if not isinstance(element, dict):
            if into is not None:
                into.append(element)
            return
        if "@value" in element:
            datatype = element.get("@type")
            if isinstance(datatype, str) and datatype.startswith("_:"):
                element["@type"] = self.issuer.issue(datatype)
            if into is not None:
                into.append(element)
            return
        if into is not None and "@list" in element:
            nested: list[Any] = []
            self.add(element["@list"], graph, name, nested)
            into.append({"@list": nested})
            return
        self._add_node(element, graph, name, into)

    def _add_node(self, element: dict[str, Any], graph: str, name: str | None, into: list[Any] | None) -> None:
        for datatype in element.get("@type", ()):
            if isinstance(datatype, str) and datatype.startswith("_:"):
                self.issuer.issue(datatype)
        if name is None:
            name = self.issuer.issue(element.get("@id")) if _is_blank(element) else element["@id"]
        if into is not None:
            into.append({"@id": name})
        subjects = self.graphs[graph]
        subject = subjects.setdefault(name, {})
        subject["@id"] = name
        for prop in sorted(element):
            if prop == "@id":
                continue
            if prop == "@reverse":
                self._add_reverse(element[prop], graph, name)
            elif prop == "@graph":
                self.graphs.setdefault(name, {})
                self.add(element[prop], name)
            elif prop == "@included":
                self.add(element[prop], graph)
            elif prop != "@type" and prop in _KEYWORDS:
                if prop == "@index" and prop in subject and element[prop] != subject[prop]:
                    raise JsonLdProcessingError(f"conflicting @index values for node {name!r}")
                subject[prop] = element[prop]
            else:
                self._add_property(subject, prop, element[prop], graph, name)

    def _add_reverse(self, reverse_map: Mapping[str, Any], graph: str, name: str) -> None:
        referenced = {"@id": name}
        for prop, items in reverse_map.items():
            for item in items:
                item_name = self.issuer.issue(item.get("@id")) if _is_blank(item) else item["@id"]
                self.add(item, graph, item_name)
                self.add_value(self.graphs[graph][item_name], prop, referenced)

    def _add_property(self, subject: dict[str, Any], prop: str, objects: list[Any], graph: str, name: str) -> None:
        if prop.startswith("_:"):
            prop = self.issuer.issue(prop)
        if not objects:
            subject.setdefault(prop, [])
            return
        for item in objects:
            if prop == "@type" and isinstance(item, str) and item.startswith("_:"):
                item = self.issuer.issue(item)
            if _is_subject(item) or (isinstance(item, dict) and len(item) == 1 and "@id" in item):
                if "@id" in item and not item["@id"]:
                    continue
                item_id = self.issuer.issue(item.get("@id")) if _is_blank(item) else item["@id"]
                self.add_value(subject, prop, {"@id": item_id})
                self.add(item, graph, item_id)
            elif isinstance(item, dict) and "@value" in item:
                self.add_value(subject, prop, item)
            elif isinstance(item, dict) and "@list" in item:
                nested: list[Any] = []
                self.add(item["@list"], graph, name, nested)
                self.add_value(subject, prop, {"@list": nested})
            else:
                self.add(item, graph, name)
                self.add_value(subject, prop, item)


# --------------------------------------------------------------------------------------------------
# JSON-LD 1.1 API §8.2 Deserialize JSON-LD to RDF (port of jsonld.js toRdf.js)

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = f"{_RDF}type"
_RDF_FIRST = rdfc.named_node(f"{_RDF}first")
_RDF_REST = rdfc.named_node(f"{_RDF}rest")
_RDF_NIL = rdfc.named_node(f"{_RDF}nil")
_RDF_JSON = f"{_RDF}JSON"
_XSD_BOOLEAN = f"{_XSD}boolean"
_XSD_DOUBLE = f"{_XSD}double"
_XSD_INTEGER = f"{_XSD}integer"
_I18N = "https://www.w3.org/ns/i18n#"

# ECMA-262 StrWhiteSpaceChar, which parseFloat skips.
_JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_JS_FLOAT_PREFIX = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_EXACT = Context(prec=1200, rounding=ROUND_HALF_UP)
_SIXTEEN_DIGITS = Decimal("1.000000000000000")


def _js_parse_float(text: str) -> float:
    """ECMA-262 parseFloat: the longest decimal prefix after leading white space, else NaN."""
    match = _JS_FLOAT_PREFIX.match(text.lstrip(_JS_WHITESPACE))
    if match is None:
        return math.nan
    number = match.group()
    if number.endswith("Infinity"):
        return -math.inf if number.startswith("-") else math.inf
    return float(number)


def _js_is_double(value: Any) -> bool:
    """jsonld.js types.isDouble: a number whose JavaScript String() has a '.', or whose magnitude >= 1e21."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if abs(value) >= 1e21:
        return True
    if isinstance(value, int) or value.is_integer():
        return False
    # String() uses fixed notation down to 1e-6 and exponent notation (e.g. "1e-7": no '.') below it.
    return abs(value) >= 1e-6 or "." in repr(value)


def _js_to_fixed0(value: int | float) -> str:
    """ECMA-262 Number.prototype.toFixed(0): round half up on the magnitude; -1e-7 gives "-0"."""
    if isinstance(value, int):
        return str(value)
    magnitude = Decimal(abs(value)).to_integral_value(rounding=ROUND_HALF_UP, context=_EXACT)
    return f"{'-' if value < 0 else ''}{magnitude}"


def _canonical_double(value: float) -> str:
    """jsonld.js xsd:double form: toExponential(15), trailing zeros cut to one digit, 'e+' -> 'E'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0.0E0"
    exact = Decimal(abs(value))
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent, context=_EXACT).quantize(_SIXTEEN_DIGITS, context=_EXACT)
    if mantissa >= 10:  # 9.9999999999999999 rounds up to 10.000...
        mantissa, exponent = _SIXTEEN_DIGITS, exponent + 1
    whole, fraction = f"{mantissa:f}".split(".")
    return f"{'-' if value < 0 else ''}{whole}.{fraction.rstrip('0') or '0'}E{exponent}"


class _RdfWriter:
    """JSON-LD 1.1 API §8.2-8.4 (graph, object and list to RDF) producing rdfc quads."""

    def __init__(self, issuer: _BlankIssuer, safe: bool, limits: Limits) -> None:
        self.issuer = issuer
        self.safe = safe
        self.limits = limits
        self.quads: list[rdfc.Quad] = []

    def _lost(self, event: str, detail: str) -> None:
        if self.safe:
            raise DataLossError(event, detail)

    def _emit(self, quad: rdfc.Quad) -> None:
        self.quads.append(quad)
        if len(self.quads) > self.limits.max_quads:
            raise InputLimitExceeded(f"the document produces more than {self.limits.max_quads} quads")

    def dataset(self, node_map: _NodeMap) -> list[rdfc.Quad]:
        for graph_name in sorted(node_map.graphs):
            if graph_name == "@default":
                graph_term = ""
            elif _is_absolute(graph_name):
                graph_term = _resource(graph_name)
            else:
                self._lost("relative graph reference", f"graph name {graph_name!r} is a relative IRI")
                continue
            self.graph(node_map.graphs[graph_name], graph_term)
        return self.quads

    def graph(self, graph: Mapping[str, Mapping[str, Any]], graph_term: str) -> None:
        for node_id in sorted(graph):
            node = graph[node_id]
            for prop in sorted(node):
                if prop == "@type":
                    predicate_iri = RDF_TYPE
                elif prop in _KEYWORDS:
                    continue
                else:
                    predicate_iri = prop
                for item in node[prop]:
                    self._triple(node_id, prop, predicate_iri, item, graph_term)

    def _triple(self, node_id: str, prop: str, predicate_iri: str, item: Any, graph_term: str) -> None:
        if not _is_absolute(node_id):
            self._lost("relative subject reference", f"@id {node_id!r} is a relative IRI (no base IRI is used)")
            return
        if not _is_absolute(predicate_iri):
            self._lost("relative predicate reference", f"property {prop!r} of {node_id!r} is a relative IRI")
            return
        if predicate_iri.startswith("_:"):
            self._lost("blank node predicate", f"property {prop!r} of {node_id!r} is a blank node")
            return
        obj = self.object(item, graph_term, prop)
        if obj is not None:
            self._emit((_resource(node_id), rdfc.named_node(predicate_iri), obj, graph_term))

    def object(self, item: Any, graph_term: str, prop: str) -> str | None:
        """JSON-LD 1.1 API §8.3 Object to RDF Conversion (None: not representable, e.g. a relative IRI)."""
        if isinstance(item, dict) and "@value" in item:
            return self.literal(item)
        if isinstance(item, dict) and "@list" in item:
            return self.list(item["@list"], graph_term, prop)
        identifier = item["@id"] if isinstance(item, dict) else item
        if not _is_absolute(identifier):
            event = "relative @type reference" if prop == "@type" else "relative object reference"
            what = "type" if prop == "@type" else f"value of {prop!r}"
            self._lost(event, f"{what} {identifier!r} is not defined by any context (a relative IRI)")
            return None
        return _resource(identifier)

    def list(self, items: Sequence[Any], graph_term: str, prop: str) -> str:
        """JSON-LD 1.1 API §8.4 List to RDF Conversion (rdf:first/rdf:rest chain)."""
        if not items:
            return _RDF_NIL
        head = subject = self.issuer.issue()
        for index, item in enumerate(items):
            obj = self.object(item, graph_term, prop)
            following = self.issuer.issue() if index < len(items) - 1 else None
            if obj is not None:  # jsonld.js would crash on this quad; only reachable with safe=False
                self._emit((subject, _RDF_FIRST, obj, graph_term))
            self._emit((subject, _RDF_REST, following or _RDF_NIL, graph_term))
            if following is not None:
                subject = following
        return head

    def literal(self, item: Mapping[str, Any]) -> str:
        """JSON-LD 1.1 API §8.3 steps 5-13, with jsonld.js number forms and rdfDirection i18n-datatype."""
        value = item["@value"]
        datatype = item.get("@type")
        if "@language" in item and not _BCP47.match(str(item["@language"])):
            self._lost("invalid @language value", f"language tag {item['@language']!r} is not BCP47")
        if datatype == "@json":
            return rdfc.literal(rfc8785.dumps(value).decode("utf-8"), _RDF_JSON)
        if isinstance(value, bool):
            return rdfc.literal("true" if value else "false", datatype or _XSD_BOOLEAN)
        if _js_is_double(value) or datatype == _XSD_DOUBLE:
            number = value if _js_is_double(value) else _js_float(value)
            return rdfc.literal(_canonical_double(number), datatype or _XSD_DOUBLE)
        if isinstance(value, int | float):
            return rdfc.literal(_js_to_fixed0(value), datatype or _XSD_INTEGER)
        if "@direction" in item:
            language = str(item.get("@language") or "").lower()
            return rdfc.literal(value, f"{_I18N}{language}_{item['@direction']}")
        if "@language" in item:
            return rdfc.literal(value, datatype or rdfc.RDF_LANGSTRING, item["@language"])
        return rdfc.literal(value, datatype or rdfc.XSD_STRING)


def _js_float(value: Any) -> float:
    # jsonld.js parseFloat(value) for a value typed xsd:double that is not already a double.
    if isinstance(value, int | float):
        return float(value)
    return _js_parse_float(str(value))


def _resource(identifier: str) -> str:
    return identifier if identifier.startswith("_:") else rdfc.named_node(identifier)


# --------------------------------------------------------------------------------------------------
# Public entry points


def expand(
    document: Mapping[str, Any], contexts: ContextStore, *, safe: bool = True, limits: Limits = DEFAULT_LIMITS
) -> list[Any]:
    """JSON-LD 1.1 API §4.1 expand() with base IRI null; `safe` raises DataLossError on anything dropped."""
    deadline = time.monotonic() + limits.max_seconds
    prepared = _prepare(document, contexts, limits, safe)
    return _run_expansion(prepared, contexts, safe, deadline)


def _dataset(
    document: Mapping[str, Any], contexts: ContextStore, safe: bool, limits: Limits, deadline: float
) -> list[rdfc.Quad]:
    prepared = _prepare(document, contexts, limits, safe)
    expanded = _run_expansion(prepared, contexts, safe, deadline)
    issuer = _BlankIssuer()
    node_map = _NodeMap(issuer)
    try:
        node_map.add(expanded, "@default")
    except RecursionError as exc:
        raise InputLimitExceeded("the document is nested too deeply") from exc
    return _RdfWriter(issuer, safe, limits).dataset(node_map)


def to_rdf(
    document: Mapping[str, Any], contexts: ContextStore, *, safe: bool = True, limits: Limits = DEFAULT_LIMITS
) -> list[rdfc.Quad]:
    """JSON-LD 1.1 API §8.2 Deserialize JSON-LD to RDF, as jsonld.js toRDF with base null and i18n-datatype.

    Quads are `credentials.rdfc` tuples of serialized terms; blank nodes are labelled `_:b0`, `_:b1`, ...
    """
    deadline = time.monotonic() + limits.max_seconds
    return _dataset(document, contexts, safe, limits, deadline)


def canonicalize(
    document: Mapping[str, Any], contexts: ContextStore, *, safe: bool = True, limits: Limits = DEFAULT_LIMITS
) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0) §4.4 of a JSON-LD document: canonical N-Quads, UTF-8 text.

    Byte-identical to @digitalbazaar/vc 7.3.0 (eddsa-rdfc-2022 canonize). Raises DataLossError (safe mode),
    ContextNotAllowed, InputLimitExceeded (Limits, including the poison-dataset guard) or
    JsonLdProcessingError for invalid JSON-LD.
    """
    deadline = time.monotonic() + limits.max_seconds
    quads = _dataset(document, contexts, safe, limits, deadline)
    try:
        return rdfc.canonicalize_quads(
            quads,
            max_work_factor=limits.max_work_factor,
            max_blank_nodes=limits.max_blank_nodes,
            deadline=deadline,
        )
    except rdfc.CanonicalizationLimitExceeded as exc:
        raise InputLimitExceeded(str(exc)) from exc
