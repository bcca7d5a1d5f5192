"""RDFC-1.0 canonicalization (credentials.jsonld.canonicalize) against the live JavaScript reference.

The reference is @digitalbazaar/eddsa-rdfc-2022-cryptosuite 1.3.0 canonize (jsonld 9.0.0 + rdf-canonize 5.0.0, base
null, safe mode, rdfDirection i18n-datatype), run through tests/interop/jsref.py. Outputs must be byte-identical,
and both sides must refuse the same documents (data loss: the same jsonld.js safe-mode event).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsref import JsReference, JsReferenceError

from credentials.jsonld import ContextStore, DataLossError, InputLimitExceeded, JsonLdProcessingError, canonicalize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "canonicalization"
CASE_NAMES = sorted(path.stem for path in (FIXTURES / "cases").glob("*.json"))
REFUSALS: dict[str, dict[str, Any]] = json.loads((FIXTURES / "refusals.json").read_text(encoding="utf-8"))
V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STORE = ContextStore.load()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def js_canonize(js: JsReference, document: dict[str, Any]) -> str:
    return js.canonize(document, safe=True, canonizer="eddsa-rdfc-2022")


def assert_same_outcome(js: JsReference, document: dict[str, Any]) -> None:
    """Byte-identical N-Quads, or both refuse.

    A random document often has several problems and the two sides may meet a different one first (jsonld.js
    reports relative types while expanding, we while converting to RDF), so the events are compared only on the
    single-problem documents of refusals.json.
    """
    try:
        reference = js_canonize(js, document)
    except JsReferenceError:
        with pytest.raises(JsonLdProcessingError):
            canonicalize(document, STORE)
        return
    assert canonicalize(document, STORE) == reference


@pytest.mark.parametrize("name", CASE_NAMES)
def test_fixture_cases_match_live_reference(name: str, js_reference: JsReference) -> None:
    document = json.loads((FIXTURES / "cases" / f"{name}.json").read_text(encoding="utf-8"))
    reference = js_canonize(js_reference, document)
    assert reference == (FIXTURES / "cases" / f"{name}.nq").read_text(encoding="utf-8"), "fixture is stale"
    assert canonicalize(document, STORE) == reference


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_both_refuse(name: str, js_reference: JsReference) -> None:
    entry = REFUSALS[name]
    with pytest.raises(JsReferenceError) as refused:
        js_canonize(js_reference, entry["document"])
    expected_error = InputLimitExceeded if entry["kind"] == "limit" else DataLossError
    with pytest.raises(expected_error) as ours:
        canonicalize(entry["document"], STORE)
    if isinstance(ours.value, DataLossError):
        assert ours.value.event == refused.value.code


# Text with what breaks serializers: controls, quotes, backslashes, non-BMP and private-use characters.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from([*map(chr, range(0x20)), "\x7f", '"', "\\", "\ufffd", "\uffff", "😀", "\u202e", "\u2028"]),
    ),
    max_size=40,
)
NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, 2.5, 3.0, 1e21, 1e-7, -1e-7, 0.000001, 5e-324, 1234567890123456.5, -0.0]),
)
LANGUAGE = st.sampled_from(["en", "en-US", "AR", "zh-Hant-TW", "en_US", "", "x-private"])
LANGUAGE_OBJECT = st.builds(
    lambda value, language, direction: {
        "@value": value,
        **({"@language": language} if language is not None else {}),
        **({"@direction": direction} if direction is not None else {}),
    },
    TEXT,
    st.none() | LANGUAGE,
    st.none() | st.sampled_from(["ltr", "rtl"]),
)


@SETTINGS
@given(
    name=st.one_of(TEXT, LANGUAGE_OBJECT, st.lists(st.one_of(TEXT, LANGUAGE_OBJECT), max_size=3)),
    description=TEXT,
    credits=st.lists(NUMBER, min_size=1, max_size=3),
    extra=st.dictionaries(st.sampled_from(["score", "flag", "note", "level"]), st.one_of(NUMBER, st.booleans(), TEXT)),
)
def test_random_text_and_numbers_match(
    js_reference: JsReference, name: Any, description: str, credits: list[Any], extra: dict[str, Any]
) -> None:
    document = {
        "@context": [V2, OB, EXAMPLES],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000099",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": description},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": name,
        "description": description,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "creditsEarned": credits,
            "achievement": {
                "id": "urn:uuid:00000000-0000-4000-8000-0000000000aa",
                "type": ["Achievement"],
                "name": description,
                "criteria": {"narrative": description},
                "creditsAvailable": credits[0],
            },
            **extra,
        },
    }
    assert_same_outcome(js_reference, document)


# Random structure over defined and undefined terms and good, relative and reserved identifiers.
KEYS = st.sampled_from(["id", "type", "name", "description", "issuer", "alumniOf", "foo", "@id", "@type", "@value"])
IDENTIFIER = st.sampled_from(
    ["urn:x", "did:example:1", "foo", "urn:a b", "@reserved", "_:b1", "_:b2", "", "https://x/{y}"]
)
SCALAR = st.one_of(IDENTIFIER, st.sampled_from(["text", "VerifiableCredential", "1EdTechRevocationList"]), NUMBER)
NODE = st.recursive(
    st.one_of(SCALAR, st.none(), st.booleans()),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=12,
)


@SETTINGS
@given(
    context=st.sampled_from([[V2], [V2, EXAMPLES], [V2, OB]]),
    body=st.dictionaries(KEYS, NODE, max_size=5),
    subject=st.dictionaries(KEYS, NODE, max_size=4),
)
def test_random_structures_refused_or_accepted_alike(
    js_reference: JsReference, context: list[str], body: dict[str, Any], subject: dict[str, Any]
) -> None:
    document = {"@context": context, "type": ["VerifiableCredential"], **body, "credentialSubject": subject}
    assert_same_outcome(js_reference, document)
