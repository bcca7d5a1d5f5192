"""The app for the verification API tests: SQLite with the schema, a fake clock, no network, no job worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from credstack.settings import Settings
from issuer.db import create_database_engine
from issuer.models import metadata
from support.apps import service_app
from support.clock import FakeClock

AppFactory = Callable[..., FastAPI]


def _no_network(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"the test reached for the network: {request.url}", request=request)


@pytest.fixture
def verify_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'credstack.db'}"
    engine = create_database_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def make_verify_app(tmp_path: Path, verify_database: str) -> AppFactory:
    """An app on the test database; keyword arguments override Settings (e.g. smaller size caps)."""

    def make(clock: FakeClock | None = None, **settings: Any) -> FastAPI:
        configured = Settings(data_dir=tmp_path, database_url=verify_database, job_worker=False, **settings)
        transport = httpx.MockTransport(_no_network)
        return service_app(configured, clock=clock or FakeClock(), verifier_transport=transport)

    return make


@pytest.fixture
def verify_app(make_verify_app: AppFactory) -> FastAPI:
    return make_verify_app()


@pytest.fixture
def verify_client(verify_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(verify_app) as client:
        yield client
