"""Database fixtures: tests that need a database run once on SQLite and once on PostgreSQL.

Without CREDSTACK_TEST_POSTGRES_URL the PostgreSQL cases fail under CI=true and are skipped (with the reason
shown) elsewhere. `database_url` is an empty database with the schema created from the models;
`empty_database_url` has no tables at all (for migration tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from issuer.db import create_database_engine, session_factory
from issuer.models import metadata
from support.clock import FakeClock
from support.databases import (
    POSTGRES_URL_ENV,
    PostgresServer,
    configured_postgres_url,
    describe_postgres,
    in_ci,
)

DATABASES = ("sqlite", "postgres")


def pytest_report_header() -> str:
    return describe_postgres()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, at the end, whether the PostgreSQL cases ran (`-q` hides the header)."""
    terminalreporter.write_line(describe_postgres())


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = configured_postgres_url()
    if url is None:
        if in_ci():
            pytest.fail(f"{POSTGRES_URL_ENV} is not set: CI must run the PostgreSQL tests (.ci/run starts a server)")
        pytest.skip(f"PostgreSQL not configured: export {POSTGRES_URL_ENV}=$(.ci/postgres) to run these cases")
    server = PostgresServer(url)
    try:
        server.check()
    except Exception as exc:  # any connection failure: the configured server must work, so fail loudly
        server.dispose()
        pytest.fail(f"cannot reach PostgreSQL at {POSTGRES_URL_ENV}: {exc}")
    yield server
    server.dispose()


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'credstack.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.fresh_schema() as url:
        yield url


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    engine = create_database_engine(empty_database_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    return empty_database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
