"""`GET /achievements/{uuid}`: the dereferenceable OB 3.0 Achievement id, without authentication, with ETags."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credentials.jsonld import ContextStore, expand
from support.achievements import API, BASE_URL, FULL_TEMPLATE, created, make_issuer, template
from support.api import assert_problem, bearer
from support.clock import FakeClock
from support.tenancy import Tenants

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture
def achievement(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> dict[str, Any]:
    """An achievement of organization A, with every OB member."""
    return created(client, bearer(client, tenants.a), make_issuer(sessions, tenants.a, now=clock()), FULL_TEMPLATE)


def _path(resource: dict[str, Any], suffix: str = "") -> str:
    return resource["id"].removeprefix(BASE_URL) + suffix


def test_public_url_serves_the_ob_json_without_authentication(client: TestClient, achievement: dict[str, Any]) -> None:
    assert achievement["id"] == f"{BASE_URL}/achievements/{achievement['uuid']}"
    response = client.get(_path(achievement))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert list(document)[:3] == ["@context", "id", "type"]
    assert document["@context"] == [OB_CONTEXT]
    assert (document["id"], document["type"]) == (achievement["id"], ["Achievement"])
    assert document["creator"]["type"] == ["Profile"]
    assert document["creator"]["id"].startswith("did:web:")
    assert {key: value for key, value in document.items() if key != "@context"} == achievement["achievement"]
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["vary"] == "Accept"
    assert response.headers["access-control-allow-origin"] == "*"


def test_public_document_is_json_ld_without_data_loss(client: TestClient, achievement: dict[str, Any]) -> None:
    """Every member maps to an IRI under the OB 3.0 context alone (safe mode refuses anything dropped)."""
    expanded = expand(client.get(_path(achievement)).json(), ContextStore.load(), safe=True)
    assert expanded[0]["@id"] == achievement["id"]
    assert expanded[0]["@type"] == ["https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement"]


def test_etag_and_if_none_match(client: TestClient, achievement: dict[str, Any], tenants: Tenants) -> None:
    first = client.get(_path(achievement))
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert client.get(_path(achievement)).headers["etag"] == etag, "the same representation has the same ETag"
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        not_modified = client.get(_path(achievement), headers={"If-None-Match": header})
        assert not_modified.status_code == 304, header
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        assert not_modified.headers["cache-control"] == "public, max-age=300"
    assert client.get(_path(achievement), headers={"If-None-Match": '"other"'}).status_code == 200

    headers = bearer(client, tenants.a)
    client.put(f"{API}/{achievement['uuid']}", json=FULL_TEMPLATE | {"name": "Renamed"}, headers=headers)
    changed = client.get(_path(achievement), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Renamed"
    assert changed.headers["etag"] != etag


def test_versions_have_their_own_immutable_urls(
    client: TestClient, achievement: dict[str, Any], tenants: Tenants
) -> None:
    before = client.get(_path(achievement, "/versions/1"))
    assert before.status_code == 200
    assert before.headers["cache-control"] == "public, max-age=31536000, immutable"
    client.put(
        f"{API}/{achievement['uuid']}", json=FULL_TEMPLATE | {"name": "Renamed"}, headers=bearer(client, tenants.a)
    )
    after = client.get(_path(achievement, "/versions/1"))
    assert (after.content, after.headers["etag"]) == (before.content, before.headers["etag"])
    assert client.get(_path(achievement, "/versions/2")).json()["name"] == "Renamed"
    assert client.get(_path(achievement)).content == client.get(_path(achievement, "/versions/2")).content
    assert before.json()["id"] == achievement["id"], "a version's document keeps the achievement's id"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("application/ld+json", "application/ld+json"),
        ('application/ld+json;profile="https://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
        ("application/ld+json, application/json;q=0.5", "application/ld+json"),
        ("application/*;q=0.8, application/json;q=0.1", "application/ld+json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"),
    ],
)
def test_content_negotiation(
    client: TestClient, achievement: dict[str, Any], accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(_path(achievement), headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.json()["id"] == achievement["id"]


def test_each_media_type_has_its_own_etag(client: TestClient, achievement: dict[str, Any]) -> None:
    as_json = client.get(_path(achievement), headers={"Accept": "application/json"})
    as_ld = client.get(_path(achievement), headers={"Accept": "application/ld+json"})
    assert as_json.content == as_ld.content
    assert as_json.headers["etag"] != as_ld.headers["etag"]


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml, text/*", "application/json;q=0, application/ld+json;q=0"]
)
def test_unacceptable_media_type_is_406(client: TestClient, achievement: dict[str, Any], accept: str) -> None:
    assert_problem(client.get(_path(achievement), headers={"Accept": accept}), 406, "NOT_ACCEPTABLE")


@pytest.mark.parametrize(
    "suffix",
    [
        "/achievements/7d3a9c1e-2b4f-4e8a-a6d5-1c0f9b3e2d48",
        "/achievements/not-a-uuid",
        "/achievements/{upper}",
        "/achievements/{plain}",
        "/achievements/{uuid}/versions/2",
        "/achievements/{uuid}/versions/0",
        "/achievements/{uuid}/versions/01",
        "/achievements/{uuid}/versions/-1",
        "/achievements/{uuid}/versions/one",
        "/achievements/{uuid}/versions/" + "9" * 5000,
        "/achievements/{uuid}/versions/4294967296",
        "/achievements/{uuid}/versions/١",
    ],
)
def test_what_does_not_exist_is_404(client: TestClient, achievement: dict[str, Any], suffix: str) -> None:
    name = achievement["uuid"]
    path = suffix.format(uuid=name, upper=name.upper(), plain=name.replace("-", ""))
    assert_problem(client.get(path), 404, "NOT_FOUND")


def test_public_url_reads_any_organizations_achievement(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    """Public by design: the id of an achievement in a credential must resolve for every verifier."""
    theirs = created(client, bearer(client, tenants.b), make_issuer(sessions, tenants.b, now=clock()), template())
    response = client.get(_path(theirs), headers=bearer(client, tenants.a))
    assert response.status_code == 200
    assert response.json()["id"] == theirs["id"]
