"""JSON-LD 1.1 API §4.1 expand(), §8.2 toRdf() and RDFC-1.0 §4.4 canonicalization: the public entry points."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from credentials import rdfc
from credentials.jsonld.errors import InputLimitExceeded
from credentials.jsonld.expansion import _run_expansion
from credentials.jsonld.limits import DEFAULT_LIMITS, Limits, _prepare
from credentials.jsonld.node_map import _BlankIssuer, _NodeMap
from credentials.jsonld.rdf_writer import _RdfWriter
from credentials.jsonld.store import ContextStore

__all__ = ["canonicalize", "expand", "to_rdf"]


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
