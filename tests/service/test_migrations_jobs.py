"""Migration 0003 (jobs, job items) applies over 0002 data and downgrades to 0002 alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from credstack.db import alembic_config, upgrade
from credstack.settings import Settings
from issuer.db import create_database_engine

ADDED = {"jobs", "job_items"}


def _state(url: str) -> tuple[set[str], str, int]:
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            organizations = connection.execute(text("SELECT count(*) FROM organizations")).scalar_one()
            return tables, version, organizations
    finally:
        engine.dispose()


def test_0003_upgrades_over_existing_data_and_downgrades_to_0002(empty_database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=empty_database_url)
    upgrade(settings, "0002")
    engine = create_database_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO organizations (id, name, created_at) VALUES (:id, 'Org', :at)"),
                {"id": uuid.uuid4().hex, "at": datetime(2025, 1, 1, tzinfo=UTC)},
            )
    finally:
        engine.dispose()
    upgrade(settings, "0003")
    tables, version, organizations = _state(empty_database_url)
    assert (tables >= ADDED, version, organizations) == (True, "0003", 1)
    command.downgrade(alembic_config(settings), "0002")
    tables, version, organizations = _state(empty_database_url)
    assert (tables & ADDED, version, organizations) == (set(), "0002", 1)
    upgrade(settings, "0003")
    assert _state(empty_database_url)[1] == "0003"
