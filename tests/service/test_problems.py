"""RFC 9457 problem+json for every error the API returns; bad input never yields a 500; body size limit (413)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, field_validator

from credstack.app import create_app
from credstack.settings import Settings
from issuer.errors import Conflict, NotFound
from support.api import assert_problem

LIMIT = 1_000


class Thing(BaseModel):
    name: str
    count: int

    @field_validator("name")
    @classmethod
    def not_reserved(cls, value: str) -> str:
        # The ValueError lands in the error's `ctx`, which the default handler would have to serialise.
        if value == "reserved":
            raise ValueError("reserved name")
        return value


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """No database needed: these routes never touch it."""
    app: FastAPI = create_app(Settings(data_dir=tmp_path, max_json_bytes=LIMIT))

    def create_thing(thing: Thing) -> dict[str, str]:
        return {"name": thing.name}

    def missing() -> None:
        raise NotFound("no thing 42")

    def conflict() -> None:
        raise Conflict("already there")

    def broken() -> None:
        raise RuntimeError("internal detail that must not leak")

    app.add_api_route("/test/things", create_thing, methods=["POST"])
    app.add_api_route("/test/missing", missing)
    app.add_api_route("/test/conflict", conflict)
    app.add_api_route("/test/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_unknown_path_is_404(client: TestClient) -> None:
    assert_problem(client.get("/no/such/path"), 404, "NOT_FOUND")


def test_wrong_method_is_405_with_allow(client: TestClient) -> None:
    response = client.delete("/healthz")
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"name": "x"}',
        b'{"name": 1, "count": "many"}',
        b'{"name": "reserved", "count": 1}',
        b"[]",
        b"\xff\xfe",
    ],
    ids=["malformed", "missing-field", "wrong-types", "validator-error", "not-object", "not-utf8"],
)
def test_invalid_bodies_are_422_problems(client: TestClient, content: bytes) -> None:
    response = client.post("/test/things", content=content, headers={"Content-Type": "application/json"})
    body = assert_problem(response, 422, "VALIDATION_ERROR")
    assert body["errors"]
    for error in body["errors"]:
        assert set(error) == {"loc", "msg", "type"}


def test_validation_errors_do_not_echo_the_input(client: TestClient) -> None:
    secret = "s3cr3t-value-that-must-not-come-back"
    response = client.post("/test/things", json={"name": secret, "count": secret})
    assert response.status_code == 422
    assert secret not in response.text


def test_domain_errors_become_problems(client: TestClient) -> None:
    assert assert_problem(client.get("/test/missing"), 404, "NOT_FOUND")["detail"] == "no thing 42"
    assert_problem(client.get("/test/conflict"), 409, "CONFLICT")


def test_unexpected_errors_are_500_problems_without_internals(client: TestClient) -> None:
    response = client.get("/test/broken")
    assert_problem(response, 500, "INTERNAL_ERROR")
    assert "internal detail" not in response.text


def test_declared_oversize_body_is_413(client: TestClient) -> None:
    response = client.post("/test/things", content=b"x" * (LIMIT + 1), headers={"Content-Type": "application/json"})
    assert_problem(response, 413, "REQUEST_TOO_LARGE")


def test_streamed_oversize_body_is_413(client: TestClient) -> None:
    chunks = iter([b'{"name": "', b"x" * LIMIT, b'", "count": 1}'])
    response = client.post("/test/things", content=chunks, headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "REQUEST_TOO_LARGE")


def test_body_at_the_limit_is_accepted(client: TestClient) -> None:
    prefix, suffix = b'{"count": 1, "name": "', b'"}'
    content = prefix + b"x" * (LIMIT - len(prefix) - len(suffix)) + suffix
    assert len(content) == LIMIT
    response = client.post("/test/things", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 200


def test_token_endpoint_is_size_limited_too(client: TestClient) -> None:
    response = client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "x" * LIMIT})
    assert_problem(response, 413, "REQUEST_TOO_LARGE")
