"""RDFC-1.0 (W3C Recommendation 2024) §4: credentials.rdfc on hand-built datasets."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import rdfc
from credentials.rdfc import Quad, blank_node, canonical_labels, canonicalize_quads, literal, named_node

P = named_node("https://example.org/p")
Q = named_node("https://example.org/q")
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"

# rdf-canonize 5 NQuads.js: ECHARs for \b \t \n \f \r " \, UCHAR with upper-case hex for the other controls.
EXPECTED_CONTROL_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    **{n: f"\\u{n:04X}" for n in [*range(0x08), 0x0B, *range(0x0E, 0x20), 0x7F]},
}


def test_literal_escaping_of_every_control_character() -> None:
    for code, escaped in EXPECTED_CONTROL_ESCAPES.items():
        assert rdfc.escape_literal(f"a{chr(code)}b") == f"a{escaped}b"
    assert len(EXPECTED_CONTROL_ESCAPES) == 33
    assert rdfc.escape_literal("\x7f") == "\\u007F"
    assert rdfc.escape_literal('say "hi" \\ bye') == 'say \\"hi\\" \\\\ bye'


def test_literal_escaping_leaves_everything_else_alone() -> None:
    text = "Café 😀 \u0080\u2028\ufffd\U0010ffff <>{}|^`"
    assert rdfc.escape_literal(text) == text


def test_iri_escaping_matches_rdf_canonize() -> None:
    assert (
        rdfc.escape_iri('urn:x{y}|z^`\\<>" a\n')
        == "urn:x\\u007By\\u007D\\u007Cz\\u005E\\u0060\\u005C\\u003C\\u003E\\u0022\\u0020a\\u000A"
    )
    assert rdfc.escape_iri("https://example.org/é?q=1#f") == "https://example.org/é?q=1#f"


def test_terms() -> None:
    assert literal("x") == '"x"'
    assert literal("x", rdfc.RDF_LANGSTRING, "en-us") == '"x"@en-us'
    assert literal("3", XSD_INT) == f'"3"^^<{XSD_INT}>'
    assert named_node("urn:a b") == "<urn:a\\u0020b>"
    assert blank_node("b0") == "_:b0"


def test_single_blank_node() -> None:
    quads: list[Quad] = [("_:x", P, literal("v"), ""), ("_:x", Q, named_node("urn:o"), "<urn:g>")]
    assert canonicalize_quads(quads) == (
        '_:c14n0 <https://example.org/p> "v" .\n_:c14n0 <https://example.org/q> <urn:o> <urn:g> .\n'
    )


def test_lines_sort_by_utf16_code_units_like_javascript() -> None:
    # U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFD in JavaScript (not in code points).
    quads: list[Quad] = [("<urn:s>", P, literal("\ufffd"), ""), ("<urn:s>", P, literal("😀"), "")]
    assert canonicalize_quads(quads).splitlines() == [
        '<urn:s> <https://example.org/p> "😀" .',
        '<urn:s> <https://example.org/p> "\ufffd" .',
    ]


def test_hash_related_uses_the_raw_predicate_iri() -> None:
    # Two blank nodes told apart only through a predicate that needs escaping: exercises §4.7 hashing.
    odd = named_node("https://example.org/{odd}")
    quads: list[Quad] = [("_:a", odd, "_:b", ""), ("_:b", odd, "_:a", "")]
    assert canonicalize_quads(quads, max_work_factor=2) == (
        "_:c14n0 <https://example.org/\\u007Bodd\\u007D> _:c14n1 .\n"
        "_:c14n1 <https://example.org/\\u007Bodd\\u007D> _:c14n0 .\n"
    )


def _ring(size: int) -> list[Quad]:
    return [(f"_:n{i}", P, f"_:n{(i + 1) % size}", "") for i in range(size)]


def test_symmetric_graph_needs_n_degree_hashing() -> None:
    # Two isomorphic components: first-degree hashes all collide.
    quads = [*_ring(2), ("_:m0", P, "_:m1", ""), ("_:m1", P, "_:m0", "")]
    assert canonicalize_quads(quads, max_work_factor=2).count("_:c14n") == 8


def test_poison_dataset_guard_matches_rdf_canonize_default() -> None:
    # rdf-canonize refuses a 3-ring with the default maxWorkFactor 1 ("Maximum deep iterations exceeded (3)").
    with pytest.raises(rdfc.CanonicalizationLimitExceeded):
        canonicalize_quads(_ring(3))
    assert canonicalize_quads(_ring(3), max_work_factor=2).count("_:c14n") == 6
    with pytest.raises(rdfc.CanonicalizationLimitExceeded):
        canonicalize_quads(_ring(2), max_work_factor=0)
    # Even a 2-cycle needs 4 Hash N-Degree Quads calls: rdf-canonize refuses it too ("... exceeded (2)").
    with pytest.raises(rdfc.CanonicalizationLimitExceeded):
        canonicalize_quads(_ring(2))


def test_deadline_and_blank_node_limits() -> None:
    with pytest.raises(rdfc.CanonicalizationLimitExceeded, match="time limit"):
        canonicalize_quads(_ring(4), max_work_factor=3, deadline=0.0)
    with pytest.raises(rdfc.CanonicalizationLimitExceeded, match="blank nodes"):
        canonicalize_quads(_ring(4), max_blank_nodes=3)


def test_deep_symmetric_chain_is_a_limit_not_a_crash() -> None:
    with pytest.raises(rdfc.CanonicalizationLimitExceeded, match="nested too deeply"):
        canonicalize_quads(_ring(5000), max_work_factor=float("inf"))


def test_canonical_labels_map_every_blank_node() -> None:
    labels = canonical_labels([("_:x", P, "_:y", ""), ("_:y", Q, literal("v"), "")])
    assert sorted(labels) == ["_:x", "_:y"]
    assert sorted(labels.values()) == ["_:c14n0", "_:c14n1"]


def test_input_labels_that_look_canonical_are_relabelled() -> None:
    # rdf-canonize leaves input labels starting with "c14n" untouched; we relabel every blank node.
    assert canonicalize_quads([("_:c14n5", P, literal("v"), "")]) == '_:c14n0 <https://example.org/p> "v" .\n'


@st.composite
def datasets(draw: st.DrawFn) -> list[Quad]:
    """Small random datasets over few blank nodes, predicates and literals (many collisions on purpose)."""
    nodes = [f"_:n{i}" for i in range(draw(st.integers(1, 5)))]
    resource = st.sampled_from([*nodes, "<urn:a>", "<urn:b>"])
    obj = st.one_of(resource, st.sampled_from([literal("x"), literal("y"), literal("😀")]))
    graph = st.sampled_from(["", "", "<urn:g>", nodes[0]])
    quads = draw(st.lists(st.tuples(resource, st.sampled_from([P, Q]), obj, graph), min_size=1, max_size=10))
    return list(dict.fromkeys(quads))


@settings(max_examples=150, deadline=None)
@given(datasets(), st.randoms(use_true_random=False))
def test_canonical_form_ignores_labels_and_quad_order(quads: list[Quad], rnd: random.Random) -> None:
    try:
        expected = canonicalize_quads(quads, max_work_factor=float("inf"))
    except rdfc.CanonicalizationLimitExceeded:
        return
    names = sorted({t for q in quads for t in (q[0], q[2], q[3]) if t.startswith("_:")})
    renamed = dict(zip(names, rnd.sample([f"_:r{i}" for i in range(len(names) * 3)], len(names)), strict=True))
    relabelled = [tuple(renamed.get(t, t) for t in q) for q in quads]
    rnd.shuffle(relabelled)
    assert canonicalize_quads(relabelled, max_work_factor=float("inf")) == expected  # type: ignore[arg-type]
