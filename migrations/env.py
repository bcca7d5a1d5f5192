"""Alembic environment: migrations run against the URL the CLI configured; SQLite uses WAL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, event

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""


def _sqlite_wal(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def run_migrations_online() -> None:
    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_wal)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
