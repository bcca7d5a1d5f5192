"""JSON-LD 1.1 §4.1 keywords and the jsonld.js syntax checks safe mode relies on (VC-DI 1.0 §2.4 data loss)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

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
