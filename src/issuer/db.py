"""Engine and session factory for the issuer's database: embedded SQLite (WAL) or PostgreSQL (psycopg 3).

Write transactions on SQLite. A plain (deferred) BEGIN takes the database write lock only at the first write; if
the transaction has read before that and another connection committed in between, SQLite cannot upgrade the lock
and fails at once with "database is locked" (SQLITE_BUSY, which the busy timeout does not wait out, since waiting
could not help a snapshot that is already stale). Sessions from `write_session` therefore begin with BEGIN
IMMEDIATE, which takes the write lock first and so waits (up to the busy timeout) for a concurrent writer to
finish instead of failing. Readers are unaffected (WAL). On PostgreSQL the option changes nothing: row locks and
READ COMMITTED re-reads (see issuer.repositories.status_lists) already serialise the writes that conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5_000
WRITE_OPTION = "credstack_write"
"""Execution option of a connection whose transactions will write: SQLite begins them with BEGIN IMMEDIATE."""


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """Connection pool for PostgreSQL; SQLite uses SQLAlchemy's default pool for file databases."""

    size: int = 5
    max_overflow: int = 10
    timeout_seconds: float = 30.0
    # Recycle before common server/proxy idle cut-offs; pre-ping replaces connections a restart broke.
    recycle_seconds: int = 1_800


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    """Per connection: WAL so readers never block the writer, enforced foreign keys, wait on locks."""
    # pysqlite's own implicit BEGIN breaks SAVEPOINT; SQLAlchemy emits BEGIN instead (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """SQLite §"BEGIN TRANSACTION": IMMEDIATE on write connections (module docstring), DEFERRED otherwise."""
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_database_engine(url: str, *, pool: PoolSettings | None = None) -> Engine:
    """An engine for `url`; SQLite files get the pragmas above, PostgreSQL a bounded, pre-pinged pool."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Sessions move between the event loop's worker threads; the pool hands a connection to one at a time.
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    pool = pool or PoolSettings()
    return create_engine(
        parsed,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout_seconds,
        pool_recycle=pool.recycle_seconds,
        pool_pre_ping=True,
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions keep loaded rows usable after commit: services return them to routers after committing."""
    return sessionmaker(engine, expire_on_commit=False)


def write_session(sessions: sessionmaker[Session]) -> Session:
    """A session whose every transaction is a write transaction (BEGIN IMMEDIATE on SQLite, module docstring).

    Use it for requests that write, from their first statement on: a read in the same transaction before the
    first write is exactly what makes a deferred SQLite transaction fail under concurrency.
    """
    bind = sessions.kw.get("bind")
    if not isinstance(bind, Engine):
        raise RuntimeError("write_session needs a sessionmaker bound to an Engine (issuer.db.session_factory)")
    return sessions(bind=bind.execution_options(**{WRITE_OPTION: True}))
