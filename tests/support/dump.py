"""A textual dump of a whole test database: SQLite's iterdump, or every row of every table on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData


def dump_database(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            return "\n".join(raw.driver_connection.iterdump())  # type: ignore[union-attr]
        finally:
            raw.close()
    reflected = MetaData()
    reflected.reflect(engine)
    lines: list[str] = []
    with engine.connect() as connection:
        for table in reflected.sorted_tables:
            lines.append(f"-- {table.name}")
            for row in connection.execute(table.select()):
                lines.append(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)))
    return "\n".join(lines)
