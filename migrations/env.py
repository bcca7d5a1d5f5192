"""Alembic environment: migrations run against the URL the CLI configured; SQLite uses WAL.

Only the models' metadata is imported (for `alembic check` / autogenerate comparisons); migrations themselves
are written by hand, one per change.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, event

from issuer.models import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""


def _sqlite_wal(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def run_migrations_online() -> None:
    engine = create_engine(url)
    sqlite = url.startswith("sqlite")
    if sqlite:
        event.listen(engine, "connect", _sqlite_wal)
    try:
        with engine.connect() as connection:
            # SQLite cannot ALTER most things; batch mode lets later migrations rebuild tables instead.
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=sqlite)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
