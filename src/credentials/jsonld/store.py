"""VC Data Integrity 1.0 §4.6 (context validation): the offline store of pinned JSON-LD contexts.

The store is the only document loader JSON-LD processing ever gets. It never touches the network: every
URL must be in `contexts/manifest.json` (or in an institution's extra-contexts folder), and every pinned
document is checked against the sha256 of its canonical (RFC 8785) JSON when the store is built.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rfc8785
from pyld.context_resolver import ContextResolver

from credentials.jsonld.errors import ContextNotAllowed, ContextStoreError
from credentials.jsonld.syntax import _context_problems

# src/credentials/jsonld/store.py -> the repository's contexts/ folder.
DEFAULT_CONTEXTS_DIR = Path(__file__).resolve().parents[3] / "contexts"


def canonical_json_sha256(document: Any) -> str:
    """RFC 8785 §3.2: the sha256 of the JCS form, so reformatted copies of one context hash alike."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


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
