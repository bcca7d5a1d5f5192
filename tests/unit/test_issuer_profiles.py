"""Issuer profiles (OB 3.0 §B.1 Profile) and did:web identifiers from the base URL: pure functions, no database."""

from __future__ import annotations

import copy
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from credentials.did import did_web_to_url
from credentials.jsonld import ContextStore
from credentials.proofs import rdf_canonical_form
from issuer.did_web import InvalidBaseUrl, PublicBase
from issuer.issuable import validate_issuable
from issuer.profiles import editable_fields, merge_patch, profile_document, public_profile
from schemas.ob import OB_CONTEXT
from schemas.profile import IssuerCreate, ProfileFields

ISSUER_ID = uuid.UUID("6f1c1f8e-3f5a-4b4e-9a59-0c2f5d1e7a10")
DID = f"did:web:badges.example.edu:issuers:{ISSUER_ID}"
PNG_DATA_URI = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
FIXTURE = Path(__file__).parents[1] / "interop" / "fixtures" / "ob3-vcdm2.json"

FULL_PROFILE: dict[str, Any] = {
    "name": "Faculty of Examples",
    "url": "https://examples.example.edu",
    "email": "badges@examples.example.edu",
    "phone": "+1 (555) 010-2030",
    "description": "Awards micro-credentials in *examples*.",
    "image": {"id": PNG_DATA_URI, "caption": "Faculty logo"},
    "address": {
        "addressCountry": "Exampleland",
        "addressCountryCode": "EX",
        "addressRegion": "North",
        "addressLocality": "Sampleton",
        "streetAddress": "1 Example Way",
        "postOfficeBoxNumber": "42",
        "postalCode": "12345",
        "geo": {"latitude": 52.52, "longitude": 13.405},
    },
    "parentOrg": {
        "id": "https://example.edu",
        "name": "Example University",
        "url": "https://example.edu",
        "email": "info@example.edu",
        "image": "https://example.edu/logo.png",
    },
    "official": "Dr. Ada Example, Dean",
    "otherIdentifier": [{"identifier": "EX-0042", "identifierType": "sourcedId"}],
}


@cache
def contexts() -> ContextStore:
    return ContextStore.load()


# did:web identifiers from the base URL


@pytest.mark.parametrize(
    ("base_url", "prefix", "url"),
    [
        ("https://badges.example.edu", "did:web:badges.example.edu", "https://badges.example.edu"),
        ("https://badges.example.edu/", "did:web:badges.example.edu", "https://badges.example.edu"),
        ("https://Badges.Example.EDU:443", "did:web:badges.example.edu", "https://badges.example.edu"),
        ("https://example.edu:8443", "did:web:example.edu%3A8443", "https://example.edu:8443"),
        ("https://example.edu/badges/v1/", "did:web:example.edu:badges:v1", "https://example.edu/badges/v1"),
        ("https://example.edu/a%20b", "did:web:example.edu:a%20b", "https://example.edu/a%20b"),
        ("https://bücher.example", "did:web:xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000", "http://127.0.0.1:8000"),
        ("http://localhost", "did:web:localhost", "http://localhost"),
    ],
)
def test_did_web_prefix_follows_the_base_url(base_url: str, prefix: str, url: str) -> None:
    base = PublicBase.parse(base_url)
    assert (base.did_prefix, base.url) == (prefix, url)
    assert base.issuer_did(ISSUER_ID) == f"{prefix}:issuers:{ISSUER_ID}"
    assert base.did_document_url(ISSUER_ID) == f"{url}/issuers/{ISSUER_ID}/did.json"


@pytest.mark.parametrize(
    "base_url", ["https://badges.example.edu", "https://example.edu:8443/badges/v1", "https://bücher.example/x"]
)
def test_did_web_resolution_of_an_issuer_did_is_where_the_service_serves_it(base_url: str) -> None:
    """did:web §3.2 steps 1-5, as any resolver applies them, lead back to our own did.json route."""
    base = PublicBase.parse(base_url)
    assert did_web_to_url(base.issuer_did(ISSUER_ID)) == base.did_document_url(ISSUER_ID)


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://example.edu",
        "example.edu",
        "https://",
        "https://[::1]:8000",
        "https://user:pw@example.edu",
        "https://example.edu/?x=1",
        "https://example.edu/#top",
        "https://example.edu:99999",
        "https://example.edu/../up",
        "https://-bad-.example",
        "https://a..b",
    ],
)
def test_base_urls_that_cannot_carry_did_web_are_refused(base_url: str) -> None:
    with pytest.raises(InvalidBaseUrl):
        PublicBase.parse(base_url)


# Profile documents


def test_profile_document_is_ob_profile_json() -> None:
    document = profile_document(DID, ProfileFields.model_validate(FULL_PROFILE))
    assert document["id"] == DID
    assert document["type"] == ["Profile"]
    assert document["image"] == {"id": PNG_DATA_URI, "type": "Image", "caption": "Faculty logo"}
    assert document["address"]["type"] == ["Address"]
    assert document["address"]["geo"] == {"type": "GeoCoordinates", "latitude": 52.52, "longitude": 13.405}
    assert document["parentOrg"] == {
        "id": "https://example.edu",
        "type": ["Profile"],
        "name": "Example University",
        "url": "https://example.edu",
        "email": "info@example.edu",
        "image": {"id": "https://example.edu/logo.png", "type": "Image"},
    }
    assert document["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "EX-0042", "identifierType": "sourcedId"}
    ]
    minimal = profile_document(DID, ProfileFields(name="Only a name"))
    assert minimal == {"id": DID, "type": ["Profile"], "name": "Only a name"}, "no nulls, no empty arrays"


def test_did_method_is_not_part_of_the_profile() -> None:
    request = IssuerCreate.model_validate({"name": "K", "did_method": "key"})
    assert profile_document("did:key:z6Mk", request) == {"id": "did:key:z6Mk", "type": ["Profile"], "name": "K"}


def test_public_profile_is_json_ld_that_canonicalizes_without_data_loss() -> None:
    """Every member maps to an IRI through the OB context (strict canonicalization refuses undefined terms)."""
    document = public_profile(DID, profile_document(DID, ProfileFields.model_validate(FULL_PROFILE)))
    assert list(document)[:3] == ["@context", "id", "type"]
    assert document["@context"] == [OB_CONTEXT]
    nquads = rdf_canonical_form(document, contexts())
    assert '<https://schema.org/email> "badges@examples.example.edu"' in nquads
    assert '<https://schema.org/postalCode> "12345"' in nquads


def test_profile_embedded_as_issuer_passes_the_issuance_gate() -> None:
    """The stored Profile is what credentials carry as `issuer`: the 1EdTech schema and strict JSON-LD accept it."""
    credential = json.loads(FIXTURE.read_text())
    credential["issuer"] = profile_document(DID, ProfileFields.model_validate(FULL_PROFILE))
    validate_issuable(credential, contexts())


def test_editable_fields_round_trip() -> None:
    fields = ProfileFields.model_validate(FULL_PROFILE)
    document = profile_document(DID, fields)
    again = ProfileFields.model_validate(editable_fields(document))
    assert profile_document(DID, again) == document


# Validation of the API fields


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"email": "not an email"}, ("email",)),
        ({"email": "a@b@c.example"}, ("email",)),
        ({"url": "ftp://example.edu"}, ("url",)),
        ({"url": "https://exa mple.edu"}, ("url",)),
        ({"image": "javascript:alert(1)"}, ("image",)),
        ({"image": "data:text/html,<b>hi</b>"}, ("image",)),
        ({"image": "data:image/png;base64,not base64!"}, ("image",)),
        ({"image": "data:image/png,\x00"}, ("image",)),
        ({"image": "data:image/svg+xml,<svg/>"}, ("image",)),
        ({"image": {"id": "https://example.edu/logo.png", "type": "Image"}}, ("image",)),
        ({"phone": "call me"}, ("phone",)),
        ({"address": {}}, ("address",)),
        ({"address": {"addressCountryCode": "ex"}}, ("address", "addressCountryCode")),
        ({"address": {"geo": {"latitude": 91, "longitude": 0}}}, ("address", "geo", "latitude")),
        ({"parentOrg": {"name": "no id"}}, ("parentOrg", "id")),
        ({"otherIdentifier": [{"identifier": "x", "identifierType": "shoeSize"}]}, ("otherIdentifier", 0)),
        ({"otherIdentifier": []}, ("otherIdentifier",)),
        ({"name": "   "}, ("name",)),
        ({"name": "nul\x00byte"}, ("name",)),
        ({"id": "did:example:me"}, ("id",)),
        ({"type": ["Profile"]}, ("type",)),
        ({"endorsement": []}, ("endorsement",)),
        ({"nmae": "typo"}, ("nmae",)),
    ],
)
def test_invalid_profile_fields_are_refused(change: dict[str, Any], where: tuple[str | int, ...]) -> None:
    with pytest.raises(ValidationError) as refused:
        ProfileFields.model_validate({**FULL_PROFILE, **change})
    locations = [error["loc"] for error in refused.value.errors()]
    assert any(loc[: len(where)] == where for loc in locations), locations


@pytest.mark.parametrize(
    "image",
    [
        "https://example.edu/logo.png",
        "http://example.edu/logo.svg",
        PNG_DATA_URI,
        "data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E",
        {"id": PNG_DATA_URI},
        {"id": "https://example.edu/logo.png", "caption": "Logo"},
    ],
)
def test_image_is_a_url_or_data_uri_alone_or_as_an_object(image: str | dict[str, str]) -> None:
    fields = ProfileFields.model_validate({"name": "X", "image": image})
    rendered = profile_document(DID, fields)["image"]
    expected_id = image if isinstance(image, str) else image["id"]
    assert rendered["id"] == expected_id
    assert rendered["type"] == "Image"


def test_did_method_must_be_web_or_key() -> None:
    assert IssuerCreate(name="X").did_method == "web"
    with pytest.raises(ValidationError):
        IssuerCreate.model_validate({"name": "X", "did_method": "jwk"})


# RFC 7396 JSON Merge Patch


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [  # RFC 7396 Appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7396(target: Any, patch: Any, result: Any) -> None:
    before = copy.deepcopy(target)
    assert merge_patch(target, patch) == result
    assert target == before, "the target is not modified"


def test_merge_patch_depth_is_bounded() -> None:
    patch: dict[str, Any] = {}
    deep = patch
    for _ in range(5000):
        deep["a"] = {}
        deep = deep["a"]
    merged = merge_patch({}, patch)
    assert isinstance(merged, dict)
