"""VC Data Integrity 1.0 §4.6 (context validation) and JSON-LD 1.1 loading: an offline, pinned context store.

The store is the only document loader JSON-LD processing ever gets. It never touches the network: every
URL must be in `contexts/manifest.json` (or in an institution's extra-contexts folder), and every pinned
document is checked against the sha256 of its canonical (RFC 8785) JSON when the store is built.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from pyld import jsonld as pyld_jsonld

DEFAULT_CONTEXTS_DIR = Path(__file__).resolve().parents[2] / "contexts"


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


class ContextStoreError(Exception):
    """The store itself is misconfigured: a manifest or file is missing, or a pinned hash does not match."""


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
        extra[url] = PinnedContext(url, document, digest, f"extra: {directory / name}")
    return extra


@dataclass(frozen=True, slots=True)
class ContextStore:
    """An offline pyld document loader over pinned contexts; unknown URLs raise ContextNotAllowed."""

    contexts: Mapping[str, PinnedContext]

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
        """pyld's documentLoader(url, options) contract: a RemoteDocument with the pinned context."""
        return {"contextUrl": None, "documentUrl": url, "document": self.document(url)}


def canonicalize(document: Mapping[str, Any], contexts: ContextStore) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0) §4.4 of a JSON-LD document: canonical N-Quads, UTF-8 text."""
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": contexts,
        "base": None,
        "rdfDirection": "i18n-datatype",
    }
    result: str = pyld_jsonld.normalize(dict(document), options)
    return result
