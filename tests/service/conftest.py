"""The app on a per-test database (SQLite and PostgreSQL), a fake clock and two tenants."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from credstack.settings import Settings
from support.apps import service_app
from support.clock import FakeClock
from support.tenancy import Tenants, two_tenants


@pytest.fixture
def tenants(sessions: sessionmaker[Session], clock: FakeClock) -> Tenants:
    return two_tenants(sessions, now=clock())


@pytest.fixture
def app(database_url: str, tmp_path: Path, clock: FakeClock) -> FastAPI:
    return service_app(Settings(data_dir=tmp_path, database_url=database_url), clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
