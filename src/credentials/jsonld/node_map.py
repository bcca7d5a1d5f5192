"""JSON-LD 1.1 API §7.2 node map generation (port of jsonld.js nodeMap.js)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials.jsonld.errors import JsonLdProcessingError
from credentials.jsonld.syntax import _KEYWORDS


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
