"""RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation 2024) §4: canonical N-Quads of an RDF dataset.

The output is byte-identical to rdf-canonize 5 (the JavaScript implementation @digitalbazaar/vc 7.3.0 signs with):

* terms are serialized exactly as rdf-canonize's `NQuads.serializeQuadComponents` does (§4.3 / N-Quads canonical
  form): in literals `\\`, `"`, `\\b \\t \\n \\f \\r` get ECHAR escapes and every other U+0000-U+001F and U+007F
  becomes `\\u00XX` with upper-case hex; in IRIs U+0000-U+0020 and `<>"{}|^\\`` become `\\u00XX`;
* lists are sorted by UTF-16 code units (JavaScript `Array.prototype.sort`), not by code points, which differs
  only when a string holds a character above U+FFFF;
* Hash Related Blank Node (§4.7) uses the unescaped predicate IRI, as rdf-canonize does;
* the poison-dataset guard is rdf-canonize's: at most `len(non-unique blank nodes) ** max_work_factor` calls of
  Hash N-Degree Quads (§4.8), `max_work_factor` defaulting to 1.

A quad is a tuple `(subject, predicate, object, graph)` of serialized terms (`named_node`, `blank_node`,
`literal`); `graph` is `""` for the default graph. Building terms once and comparing strings keeps this hot path
(every proof creation and verification) cheap.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence

Quad = tuple[str, str, str, str]

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class CanonicalizationError(Exception):
    """RDFC-1.0 could not produce a canonical form; VC-DI calls this a PROOF_TRANSFORMATION_ERROR."""

    code = "PROOF_TRANSFORMATION_ERROR"


class CanonicalizationLimitExceeded(CanonicalizationError):
    """RDFC-1.0 §4.4 note on poison datasets: the work bound (deep iterations, time, blank nodes) was hit."""


def _escape_table(specials: str, echars: dict[str, str]) -> dict[int, str]:
    table = {ord(ch): f"\\u{ord(ch):04X}" for ch in specials}
    table.update({ord(ch): escaped for ch, escaped in echars.items()})
    return table


_CONTROL = "".join(chr(n) for n in range(0x20)) + "\x7f"
_LITERAL_ESCAPES = _escape_table(
    _CONTROL + '"\\',
    {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"},
)
_IRI_ESCAPES = _escape_table("".join(chr(n) for n in range(0x21)) + '<>"{}|^`\\', {})
_NEEDS_LITERAL_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_NEEDS_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_UCHAR = re.compile(r"\\u([0-9A-F]{4})")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def escape_literal(value: str) -> str:
    """RDFC-1.0 §4.3 (canonical N-Quads): escape a literal's lexical form the way rdf-canonize does."""
    if _NEEDS_LITERAL_ESCAPE.search(value) is None:
        return value
    return value.translate(_LITERAL_ESCAPES)


def escape_iri(iri: str) -> str:
    """RDFC-1.0 §4.3 (canonical N-Quads): rdf-canonize writes the characters N-Quads forbids in IRIs as UCHARs."""
    if _NEEDS_IRI_ESCAPE.search(iri) is None:
        return iri
    return iri.translate(_IRI_ESCAPES)


def named_node(iri: str) -> str:
    """RDF 1.1 Concepts §3.2: an IRI term, serialized `<iri>`."""
    return f"<{escape_iri(iri)}>"


def blank_node(label: str) -> str:
    """RDF 1.1 Concepts §3.4: a blank node term `_:label`; the label itself is never part of the canonical form."""
    return f"_:{label}"


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """RDF 1.1 Concepts §3.3: a literal term; xsd:string is implicit, a language only goes with rdf:langString."""
    lexical = f'"{escape_literal(value)}"'
    if datatype == RDF_LANGSTRING:
        return f"{lexical}@{language}" if language else lexical
    if datatype != XSD_STRING:
        return f"{lexical}^^<{escape_iri(datatype)}>"
    return lexical


def serialize_quad(quad: Quad) -> str:
    """RDFC-1.0 §4.3: one canonical N-Quads line, terminated by `\\n`."""
    subject, predicate, obj, graph = quad
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


def _utf16_key(text: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly like JavaScript compares strings (by code unit).
    return text.encode("utf-16-be", "surrogatepass")


class _Issuer:
    """RDFC-1.0 §4.5 Issue Identifier: maps existing labels to `prefix + counter` in issue order."""

    __slots__ = ("counter", "existing", "prefix")

    def __init__(self, prefix: str, existing: dict[str, str] | None = None, counter: int = 0) -> None:
        self.prefix = prefix
        self.existing: dict[str, str] = {} if existing is None else existing
        self.counter = counter

    def issue(self, old: str) -> str:
        issued = self.existing.get(old)
        if issued is None:
            issued = f"{self.prefix}{self.counter}"
            self.counter += 1
            self.existing[old] = issued
        return issued

    def clone(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.existing), self.counter)


def _permutations(items: list[str], key: Callable[[str], bytes] | None) -> Iterator[list[str]]:
    """All permutations in rdf-canonize's Permuter order (Steinhaus-Johnson-Trotter over the sorted list)."""
    current = sorted(items, key=key)
    left = dict.fromkeys(current, True)
    length = len(current)
    while True:
        yield current[:]
        mobile: str | None = None
        pos = 0
        for i, element in enumerate(current):
            if (mobile is None or element > mobile) and (
                (left[element] and i > 0 and element > current[i - 1])
                or (not left[element] and i < length - 1 and element > current[i + 1])
            ):
                mobile, pos = element, i
        if mobile is None:
            return
        swap = pos - 1 if left[mobile] else pos + 1
        current[pos], current[swap] = current[swap], mobile
        for element in current:
            if element > mobile:
                left[element] = not left[element]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Canonicalizer:
    """RDFC-1.0 §4.4 state: blank node to quads map, first-degree hashes and the canonical issuer."""

    def __init__(self, quads: Sequence[Quad], deadline: float | None) -> None:
        self.quads = quads
        self.deadline = deadline
        self.canonical = _Issuer("_:c14n")
        self.quads_of: dict[str, list[Quad]] = {}
        self.first_hash: dict[str, str] = {}
        self.remaining: float = 0
        self.related_predicate: dict[str, str] = {}
        self.sort_key = _utf16_key if any(_ASTRAL.search(t) for q in quads for t in q if not t.isascii()) else None

    def index_blank_nodes(self) -> None:
        # §4.4.3 step 2; a quad naming one blank node twice is listed once (rdf-canonize keeps a Set).
        for quad in self.quads:
            subject, _, obj, graph = quad
            for term in (subject, obj, graph):
                if term.startswith("_:"):
                    listed = self.quads_of.setdefault(term, [])
                    if not listed or listed[-1] is not quad:
                        listed.append(quad)

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise CanonicalizationLimitExceeded("canonicalization took longer than the configured time limit")

    def hash_first_degree(self, node: str) -> str:
        """RDFC-1.0 §4.6 Hash First Degree Quads: the reference node becomes _:a, every other blank node _:z."""
        lines = []
        for subject, predicate, obj, graph in self.quads_of[node]:
            if subject.startswith("_:"):
                subject = "_:a" if subject == node else "_:z"
            if obj.startswith("_:"):
                obj = "_:a" if obj == node else "_:z"
            if graph.startswith("_:"):
                graph = "_:a" if graph == node else "_:z"
            lines.append(serialize_quad((subject, predicate, obj, graph)))
        lines.sort(key=self.sort_key)
        digest = _sha256("".join(lines))
        self.first_hash[node] = digest
        return digest

    def _predicate_for_related(self, predicate: str) -> str:
        # rdf-canonize hashes `<` + the raw IRI + `>`, so UCHAR escapes of the serialized term are undone.
        cached = self.related_predicate.get(predicate)
        if cached is None:
            cached = _IRI_UCHAR.sub(lambda m: chr(int(m.group(1), 16)), predicate)
            self.related_predicate[predicate] = cached
        return cached

    def hash_related(self, related: str, predicate: str, issuer: _Issuer, position: str) -> str:
        """RDFC-1.0 §4.7 Hash Related Blank Node."""
        identifier = self.canonical.existing.get(related) or issuer.existing.get(related)
        if identifier is None:
            identifier = self.first_hash[related]
        if position == "g":
            return _sha256(f"g{identifier}")
        return _sha256(f"{position}{self._predicate_for_related(predicate)}{identifier}")

    def hash_to_related(self, node: str, issuer: _Issuer) -> dict[str, list[str]]:
        """RDFC-1.0 §4.8 steps 1-3: group the blank nodes related to `node` by their related hash."""
        groups: dict[str, list[str]] = {}
        for subject, predicate, obj, graph in self.quads_of[node]:
            for term, position in ((subject, "s"), (obj, "o"), (graph, "g")):
                if term != node and term.startswith("_:"):
                    groups.setdefault(self.hash_related(term, predicate, issuer, position), []).append(term)
        return groups

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """RDFC-1.0 §4.8 Hash N-Degree Quads, bounded like rdf-canonize's maxDeepIterations."""
        if self.remaining <= 0:
            raise CanonicalizationLimitExceeded(
                "RDFC-1.0 Hash N-Degree Quads work limit exceeded (poison dataset guard)"
            )
        self.remaining -= 1
        self.check_deadline()
        digest = hashlib.sha256()
        groups = self.hash_to_related(node, issuer)
        for related_hash in sorted(groups):
            digest.update(related_hash.encode())
            chosen_path, chosen_issuer = self._choose_path(groups[related_hash], issuer)
            digest.update(chosen_path.encode("utf-8"))
            issuer = chosen_issuer
        return digest.hexdigest(), issuer

    def _choose_path(self, related_nodes: list[str], issuer: _Issuer) -> tuple[str, _Issuer]:
        """RDFC-1.0 §4.8 step 5.4: the lexicographically least path over all permutations of one group."""
        chosen_path = ""
        chosen_issuer = issuer
        for count, permutation in enumerate(_permutations(related_nodes, self.sort_key), start=1):
            if count % 3 == 0:
                self.check_deadline()
            candidate = self._permutation_path(permutation, issuer, chosen_path)
            if candidate is not None and (not chosen_path or candidate[0] < chosen_path):
                chosen_path, chosen_issuer = candidate
        return chosen_path, chosen_issuer

    def _permutation_path(
        self, permutation: list[str], issuer: _Issuer, chosen_path: str
    ) -> tuple[str, _Issuer] | None:
        # §4.8 steps 5.4.1-5.4.5; None when the path can no longer beat `chosen_path`.
        issuer_copy = issuer.clone()
        path = ""
        recursion: list[str] = []
        for related in permutation:
            canonical = self.canonical.existing.get(related)
            if canonical is not None:
                path += canonical
            else:
                if related not in issuer_copy.existing:
                    recursion.append(related)
                path += issuer_copy.issue(related)
            if chosen_path and path > chosen_path:
                return None
        for related in recursion:
            result_hash, result_issuer = self.hash_n_degree(related, issuer_copy)
            path += f"{issuer_copy.issue(related)}<{result_hash}>"
            issuer_copy = result_issuer
            if chosen_path and path > chosen_path:
                return None
        return path, issuer_copy

    def issue_canonical_labels(self, max_work_factor: float, max_deep_iterations: int | None) -> None:
        """RDFC-1.0 §4.4.3 steps 2-6: issue `_:c14nN` to every blank node."""
        self.index_blank_nodes()
        by_hash: dict[str, list[str]] = {}
        for node in self.quads_of:
            by_hash.setdefault(self.hash_first_degree(node), []).append(node)
        non_unique: list[list[str]] = []
        for first in sorted(by_hash):
            nodes = by_hash[first]
            if len(nodes) > 1:
                non_unique.append(nodes)
            else:
                self.canonical.issue(nodes[0])
        self.remaining = _deep_iteration_budget(
            sum(len(nodes) for nodes in non_unique), max_work_factor, max_deep_iterations
        )
        for nodes in non_unique:
            results = []
            for node in nodes:
                if node in self.canonical.existing:
                    continue
                temporary = _Issuer("_:b")
                temporary.issue(node)
                results.append(self.hash_n_degree(node, temporary))
            results.sort(key=lambda result: result[0])
            for _, result_issuer in results:
                for old in result_issuer.existing:
                    self.canonical.issue(old)

    def relabelled(self) -> list[str]:
        """RDFC-1.0 §4.4.3 step 7: every quad with canonical labels, as sorted N-Quads lines."""
        issued = self.canonical.existing
        lines = []
        for subject, predicate, obj, graph in self.quads:
            lines.append(
                serialize_quad(
                    (
                        issued.get(subject, subject),
                        predicate,
                        issued.get(obj, obj) if obj.startswith("_:") else obj,
                        issued.get(graph, graph),
                    )
                )
            )
        lines.sort(key=self.sort_key)
        return lines


def _deep_iteration_budget(non_unique: int, max_work_factor: float, max_deep_iterations: int | None) -> float:
    # rdf-canonize: explicit maxDeepIterations wins, else (number of non-unique blank nodes) ** maxWorkFactor.
    if max_deep_iterations is not None and max_deep_iterations >= 0:
        return max_deep_iterations
    if max_work_factor == 0:
        return 0
    if math.isinf(max_work_factor):
        return math.inf
    budget = float(non_unique) ** max_work_factor
    return math.inf if budget > 2**53 - 1 else budget


def _run(
    quads: Sequence[Quad],
    max_work_factor: float,
    max_deep_iterations: int | None,
    max_blank_nodes: int | None,
    deadline: float | None,
) -> _Canonicalizer:
    state = _Canonicalizer(quads, deadline)
    try:
        if max_blank_nodes is not None:
            state.index_blank_nodes()
            if len(state.quads_of) > max_blank_nodes:
                raise CanonicalizationLimitExceeded(
                    f"dataset has {len(state.quads_of)} blank nodes, the limit is {max_blank_nodes}"
                )
            state.quads_of.clear()
        state.issue_canonical_labels(max_work_factor, max_deep_iterations)
    except RecursionError as exc:
        # Hash N-Degree Quads recurses once per blank node on a symmetric chain; Python's stack is the bound.
        raise CanonicalizationLimitExceeded("blank node structure is nested too deeply to canonicalize") from exc
    return state


def canonicalize_quads(
    quads: Sequence[Quad],
    *,
    max_work_factor: float = 1,
    max_deep_iterations: int | None = None,
    max_blank_nodes: int | None = None,
    deadline: float | None = None,
) -> str:
    """RDFC-1.0 §4.4 Canonicalization Algorithm: the canonical N-Quads document (sorted lines, `\\n` each).

    `deadline` is a `time.monotonic()` value; exceeding it or the Hash N-Degree Quads budget raises
    CanonicalizationLimitExceeded.
    """
    state = _run(quads, max_work_factor, max_deep_iterations, max_blank_nodes, deadline)
    return "".join(state.relabelled())


def canonical_labels(
    quads: Sequence[Quad],
    *,
    max_work_factor: float = 1,
    max_deep_iterations: int | None = None,
    deadline: float | None = None,
) -> dict[str, str]:
    """RDFC-1.0 §4.4.3 (issued identifiers map): input blank node term -> canonical `_:c14nN` term."""
    state = _run(quads, max_work_factor, max_deep_iterations, None, deadline)
    return dict(state.canonical.existing)
