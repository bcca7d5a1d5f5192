"""Test databases: a fresh SQLite file per test, and a fresh PostgreSQL schema per test.

PostgreSQL comes from CREDSTACK_TEST_POSTGRES_URL (`.ci/run` sets it with `.ci/postgres`). Each test gets its
own schema, reached through the URL's `options=-csearch_path=<schema>`, so the code under test (and alembic)
sees an empty database without knowing about schemas; the schema is dropped afterwards. Creating a schema is
much cheaper than creating a database, which keeps the suite fast.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, make_url, text

POSTGRES_URL_ENV = "CREDSTACK_TEST_POSTGRES_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def configured_postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


def describe_postgres() -> str:
    url = configured_postgres_url()
    if url is None:
        consequence = "the PostgreSQL cases FAIL (CI=true)" if in_ci() else "the PostgreSQL cases are skipped"
        return f"postgres: {POSTGRES_URL_ENV} is not set, {consequence}; see README 'Tests on PostgreSQL'"
    return f"postgres: {make_url(url).render_as_string(hide_password=True)}"


class PostgresServer:
    """The configured server; hands out empty schemas and drops them again."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin: Engine = create_engine(self.url, pool_size=1, max_overflow=0)

    def check(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text("SELECT 1"))

    @contextmanager
    def fresh_schema(self) -> Iterator[str]:
        """Yield a URL whose connections see only a new, empty schema."""
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = self.url.update_query_dict({"options": f"-csearch_path={schema}", "application_name": schema})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            self._drop(schema)

    def _drop(self, schema: str) -> None:
        with self.admin.begin() as connection:
            # A connection the test leaked would hold locks that block DROP: end it first.
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": schema},
            )
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    def dispose(self) -> None:
        self.admin.dispose()
