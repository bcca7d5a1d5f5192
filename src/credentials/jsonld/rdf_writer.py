"""JSON-LD 1.1 API §8.2 Deserialize JSON-LD to RDF (port of jsonld.js toRdf.js)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

from credentials import rdfc
from credentials.jsonld.errors import DataLossError, InputLimitExceeded
from credentials.jsonld.js_numbers import _canonical_double, _js_float, _js_is_double, _js_to_fixed0
from credentials.jsonld.limits import Limits
from credentials.jsonld.node_map import _BlankIssuer, _NodeMap
from credentials.jsonld.syntax import _BCP47, _KEYWORDS, _is_absolute

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


def _resource(identifier: str) -> str:
    return identifier if identifier.startswith("_:") else rdfc.named_node(identifier)
