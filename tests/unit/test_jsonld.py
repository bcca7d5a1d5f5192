"""RDFC-1.0 canonicalization of JSON-LD (credentials.jsonld) against outputs of the JavaScript reference.

The expected N-Quads in tests/fixtures/canonicalization were produced by @digitalbazaar/eddsa-rdfc-2022-cryptosuite
1.3.0 (jsonld 9.0.0 + rdf-canonize 5.0.0); see the README there. Each stock-pyld difference we fix has a test
that shows pyld's output (or silence) differs from the reference while ours matches it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld_jsonld

from credentials import jsonld
from credentials.jsonld import (
    DEFAULT_CONTEXTS_DIR,
    ContextNotAllowed,
    ContextStore,
    ContextStoreError,
    DataLossError,
    InputLimitExceeded,
    JsonLdProcessingError,
    Limits,
    canonicalize,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "canonicalization"
CASE_NAMES = sorted(path.stem for path in (FIXTURES / "cases").glob("*.json"))
REFUSALS: dict[str, dict[str, Any]] = json.loads((FIXTURES / "refusals.json").read_text(encoding="utf-8"))
V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture(scope="module")
def store() -> ContextStore:
    return ContextStore.load()


def case(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / "cases" / f"{name}.json").read_text(encoding="utf-8"))
    return document


def expected(name: str) -> str:
    return (FIXTURES / "cases" / f"{name}.nq").read_text(encoding="utf-8")


def stock_pyld(document: dict[str, Any], store: ContextStore, **options: Any) -> str:
    result: str = pyld_jsonld.normalize(
        copy.deepcopy(document), {"format": "application/n-quads", "documentLoader": store, **options}
    )
    return result


# -- byte equality with the reference ---------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_NAMES)
def test_canonical_form_matches_javascript_reference(name: str, store: ContextStore) -> None:
    assert canonicalize(case(name), store) == expected(name)


@pytest.mark.parametrize("name", ["ob3-vector", "clr2-vector"])
def test_1edtech_vectors_match_published_canonical_documents(name: str, store: ContextStore) -> None:
    published = (FIXTURES / "cases" / f"{name}.published.nq").read_text(encoding="utf-8")
    assert canonicalize(case(name), store) == published


def test_w3c_eddsa_rdfc_2022_example_hash(store: ContextStore) -> None:
    canonical = canonicalize(case("w3c-alumni"), store)
    assert hashlib.sha256(canonical.encode()).hexdigest() == (
        "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
    )


def test_canonicalize_does_not_modify_its_input(store: ContextStore) -> None:
    document = case("ob-evidence-results-alignment")
    before = copy.deepcopy(document)
    canonicalize(document, store)
    assert document == before


# -- the stock-pyld differences, each against the reference -------------------------------------------


@pytest.mark.parametrize("name", ["blank-subject", "proof-set"])
def test_difference_1_rdfc_not_urgna2012(name: str, store: ContextStore) -> None:
    # pyld normalize() defaults to URGNA2012, whose blank node labels differ from RDFC-1.0.
    assert stock_pyld(case(name), store, base=None) != expected(name)
    assert canonicalize(case(name), store) == expected(name)


def test_difference_2_relative_iris_are_refused_not_resolved_or_dropped(store: ContextStore) -> None:
    document = REFUSALS["relative-id"]["document"]
    resolved = stock_pyld(document, store, algorithm="URDNA2015")  # pyld's default base
    assert "<http" in resolved.split(" ", 1)[0] and "foo" in resolved.split(" ", 1)[0]
    dropped = stock_pyld(document, store, algorithm="URDNA2015", base=None)
    assert "foo" not in dropped
    with pytest.raises(DataLossError, match="'foo'") as raised:
        canonicalize(document, store)
    assert raised.value.code == "DATA_LOSS_DETECTION_ERROR"
    assert raised.value.event == REFUSALS["relative-id"]["jsEvent"] == "relative @id reference"


def test_difference_2_type_without_extensions_context_is_refused(store: ContextStore) -> None:
    entry = REFUSALS["relative-type-without-extensions"]
    silent = stock_pyld(entry["document"], store, algorithm="URDNA2015", base=None)
    assert "1EdTechRevocationList" not in silent
    with pytest.raises(DataLossError, match="1EdTechRevocationList"):
        canonicalize(entry["document"], store)
    assert canonicalize(case("ob-extensions-status"), store) == expected("ob-extensions-status")


def test_difference_3_undefined_terms_are_refused(store: ContextStore) -> None:
    entry = REFUSALS["undefined-top-level-term"]
    silent = stock_pyld(entry["document"], store, algorithm="URDNA2015", base=None)
    assert "foo" not in silent and "bar" not in silent
    with pytest.raises(DataLossError, match="'foo'") as raised:
        canonicalize(entry["document"], store)
    assert raised.value.event == "invalid property"


@pytest.mark.parametrize("name", ["control-characters", "iri-escaping", "unicode-blank-sort"])
def test_difference_4_canonical_escaping_and_sorting(name: str, store: ContextStore) -> None:
    stock = stock_pyld(case(name), store, algorithm="URDNA2015", base=None, rdfDirection="i18n-datatype")
    assert stock != expected(name)
    assert canonicalize(case(name), store) == expected(name)


def test_difference_4_control_character_line_is_exact(store: ContextStore) -> None:
    lines = canonicalize(case("control-characters"), store).splitlines()
    name_line = next(line for line in lines if "schema.org/name" in line)
    assert name_line == (
        "<urn:uuid:00000000-0000-4000-8000-000000000001> <https://schema.org/name> "
        '"all controls:\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000B\\f\\r'
        "\\u000E\\u000F\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001A\\u001B"
        '\\u001C\\u001D\\u001E\\u001F\\u007F" .'
    )


def test_difference_5_direction_uses_i18n_datatype(store: ContextStore) -> None:
    assert stock_pyld(case("direction"), store, algorithm="URDNA2015", base=None) != expected("direction")
    canonical = canonicalize(case("direction"), store)
    assert canonical == expected("direction")
    assert '"شهادة الخريجين"^^<https://www.w3.org/ns/i18n#ar_rtl>' in canonical
    assert '"Left to right"^^<https://www.w3.org/ns/i18n#en-us_ltr>' in canonical
    assert '"no language"^^<https://www.w3.org/ns/i18n#_rtl>' in canonical


@pytest.mark.parametrize("name", ["ob-float-credits", "numbers-untyped"])
def test_difference_5_numbers_follow_javascript(name: str, store: ContextStore) -> None:
    stock = stock_pyld(case(name), store, algorithm="URDNA2015", base=None, rdfDirection="i18n-datatype")
    assert stock != expected(name)
    assert canonicalize(case(name), store) == expected(name)


def test_float_term_values(store: ContextStore) -> None:
    canonical = canonicalize(case("ob-float-credits"), store)
    values = {line.split('"')[1] for line in canonical.splitlines() if "creditsAvailable" in line}
    # 3 and 3.0 are one JavaScript number; 1e-7 prints without a '.', so jsonld.js writes it as an integer.
    assert values == {"3", "2.5E0", "1.0E21", "1.0E-1", "0", "1.234567890123457E23", "3.0E-1"}


# -- data loss (safe mode) ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refused_like_javascript_safe_mode(name: str, store: ContextStore) -> None:
    entry = REFUSALS[name]
    if entry["kind"] == "limit":
        with pytest.raises(InputLimitExceeded):
            canonicalize(entry["document"], store)
        return
    with pytest.raises(DataLossError) as raised:
        canonicalize(entry["document"], store)
    assert raised.value.event == entry["jsEvent"]
    assert entry["term"].lower() in str(raised.value).lower()


def test_unsafe_mode_drops_silently_like_jsonld_js(store: ContextStore) -> None:
    document = REFUSALS["relative-issuer"]["document"]
    canonical = canonicalize(document, store, safe=False)
    assert "issuer-1" not in canonical and "credentials#issuer" not in canonical


def test_expand_reports_data_loss_too(store: ContextStore) -> None:
    with pytest.raises(DataLossError):
        jsonld.expand(REFUSALS["undefined-nested-term"]["document"], store)
    assert jsonld.expand(case("w3c-alumni"), store)[0]["@id"] == case("w3c-alumni")["id"]


def test_to_rdf_returns_quads(store: ContextStore) -> None:
    quads = jsonld.to_rdf(case("w3c-alumni"), store)
    assert len(quads) == 8 and all(len(quad) == 4 for quad in quads)


# -- contexts -------------------------------------------------------------------------------------------


def test_unknown_context_url_is_not_allowed(store: ContextStore) -> None:
    document = case("w3c-alumni")
    document["@context"] = [*document["@context"], "https://example.org/unknown-context"]
    with pytest.raises(ContextNotAllowed) as raised:
        canonicalize(document, store)
    assert raised.value.url == "https://example.org/unknown-context"
    nested = case("w3c-alumni")
    nested["credentialSubject"]["@context"] = "https://example.org/nested"
    with pytest.raises(ContextNotAllowed):
        canonicalize(nested, store)


def test_pinned_contexts_are_safe_mode_clean(store: ContextStore) -> None:
    for url in store.contexts:
        document = store.document(url)
        assert jsonld._context_problems(document.get("@context"), url) == []


def _copy_contexts(tmp_path: Path) -> Path:
    directory = tmp_path / "contexts"
    shutil.copytree(DEFAULT_CONTEXTS_DIR, directory)
    return directory


def test_store_refuses_a_manifest_whose_hash_does_not_match(tmp_path: Path) -> None:
    directory = _copy_contexts(tmp_path)
    manifest = json.loads((directory / "manifest.json").read_text())
    target = directory / manifest[V2]["file"]
    tampered = json.loads(target.read_text())
    tampered["@context"]["extraTerm"] = "https://example.org/extra"
    target.write_text(json.dumps(tampered))
    with pytest.raises(ContextStoreError, match="sha256"):
        ContextStore.load(directory)


def _extra_dir(tmp_path: Path, name: str, url: str, document: Any) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "ctx.json").write_text(json.dumps(document))
    (directory / "manifest.json").write_text(json.dumps({url: "ctx.json"}))
    return directory


def test_store_refuses_an_extra_context_that_replaces_a_pinned_one(tmp_path: Path, store: ContextStore) -> None:
    changed = store.document(V2)
    changed["@context"]["extraTerm"] = "https://example.org/extra"
    with pytest.raises(ContextStoreError, match="differs from the pinned copy"):
        ContextStore.load(extra_dir=_extra_dir(tmp_path, "changed", V2, changed))
    identical = _extra_dir(tmp_path, "identical", V2, json.loads(json.dumps(store.document(V2))))
    assert V2 in ContextStore.load(extra_dir=identical)


def test_store_refuses_an_extra_context_safe_mode_would_reject(tmp_path: Path) -> None:
    bad = {"@context": {"@reserved": "https://example.org/r"}}
    with pytest.raises(ContextStoreError, match="reserved"):
        ContextStore.load(extra_dir=_extra_dir(tmp_path, "bad", "https://example.org/bad", bad))


def test_each_store_has_its_own_resolved_context_cache(tmp_path: Path) -> None:
    url = "https://example.org/institution/v1"
    first = ContextStore.load(
        extra_dir=_extra_dir(tmp_path, "a", url, {"@context": {"level": "https://a.example/level"}})
    )
    second = ContextStore.load(
        extra_dir=_extra_dir(tmp_path, "b", url, {"@context": {"level": "https://b.example/level"}})
    )
    document = {"@context": [V2, url], "id": "urn:x", "level": "1"}
    for _ in range(2):  # the second round is served from each store's cache
        assert "a.example" in canonicalize(document, first) and "b.example" not in canonicalize(document, first)
        assert "b.example" in canonicalize(document, second)
    assert pyld_jsonld._resolved_context_cache.get(url) is None  # never pyld's process-wide cache


# -- limits and malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "name", "message"),
    [
        (Limits(max_document_bytes=500), "ob3-vector", "larger than"),
        (Limits(max_depth=3), "ob3-vector", "nested deeper"),
        (Limits(max_quads=10), "ob3-vector", "more than 10 quads"),
        (Limits(max_blank_nodes=2), "blank-subject", "blank nodes"),
        (Limits(max_work_factor=0), "symmetric-blank-nodes", "work limit"),
        (Limits(max_seconds=-1), "ob3-vector", "time limit"),
    ],
)
def test_limits_trip(limits: Limits, name: str, message: str, store: ContextStore) -> None:
    with pytest.raises(InputLimitExceeded, match=message) as raised:
        canonicalize(case(name), store, limits=limits)
    assert raised.value.code == "PROOF_TRANSFORMATION_ERROR"


@pytest.mark.parametrize("value", ["\ud800 lone surrogate", float("nan"), float("inf"), b"bytes", 10**400], ids=repr)
def test_values_javascript_cannot_represent_are_refused(value: Any, store: ContextStore) -> None:
    document = case("w3c-alumni")
    document["description"] = value
    with pytest.raises(JsonLdProcessingError):
        canonicalize(document, store)


def test_invalid_json_ld_is_a_processing_error(store: ContextStore) -> None:
    document = case("w3c-alumni")
    document["id"] = 42
    with pytest.raises(JsonLdProcessingError, match="@id"):
        canonicalize(document, store)


# -- properties ------------------------------------------------------------------------------------------

SET_CASES = ["w3c-alumni", "ob-evidence-results-alignment", "symmetric-blank-nodes", "proof-set", "blank-subject"]


LIST_TERMS = {"@context", "allowedValue"}  # order matters: the @context array and OB's one @list term


def _shuffled(value: Any, rnd: random.Random, arrays: bool) -> Any:
    """The same JSON-LD document with object keys (and, for sets, array items) in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {key: item if key in LIST_TERMS else _shuffled(item, rnd, arrays) for key, item in items}
    if isinstance(value, list):
        items = [_shuffled(item, rnd, arrays) for item in value]
        if arrays:
            rnd.shuffle(items)
        return items
    return value


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(CASE_NAMES), st.randoms(use_true_random=False))
def test_invariant_under_key_order(name: str, rnd: random.Random) -> None:
    store = ContextStore.load()
    assert canonicalize(_shuffled(case(name), rnd, arrays=False), store) == expected(name)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SET_CASES), st.randoms(use_true_random=False))
def test_invariant_under_set_order_and_blank_node_labels(name: str, rnd: random.Random) -> None:
    store = ContextStore.load()
    document = _shuffled(case(name), rnd, arrays=True)
    labels = iter(rnd.sample(range(10_000), 200))

    def label_blank_nodes(value: Any) -> Any:
        # Give every node object without an id an explicit, random blank node label.
        if isinstance(value, dict):
            labelled = {key: item if key == "@context" else label_blank_nodes(item) for key, item in value.items()}
            if "@value" not in labelled and "id" not in labelled and labelled and rnd.random() < 0.7:
                labelled["id"] = f"_:r{next(labels)}"
            return labelled
        if isinstance(value, list):
            return [label_blank_nodes(item) for item in value]
        return value

    document["credentialSubject"] = label_blank_nodes(document["credentialSubject"])
    assert canonicalize(document, store) == expected(name)


def test_one_store_shared_by_threads() -> None:
    store = ContextStore.load()
    names = CASE_NAMES * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda name: canonicalize(case(name), store), names))
    assert results == [expected(name) for name in names]
