"""Migration 0002 (status lists, credentials, status history) applies over 0001 data and downgrades to 0001 alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from credstack.db import alembic_config, upgrade
from credstack.settings import Settings
from issuer.db import create_database_engine

ADDED = {"status_lists", "credentials", "credential_status_changes"}


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


def test_0002_upgrades_over_existing_data_and_downgrades_to_0001(empty_database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=empty_database_url)
    upgrade(settings, "0001")
    engine = create_database_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO organizations (id, name, created_at) VALUES (:id, 'Org', :at)"),
                {"id": uuid.uuid4().hex, "at": datetime(2025, 1, 1, tzinfo=UTC)},
            )
    finally:
        engine.dispose()
    upgrade(settings, "0002")
    tables, version, organizations = _state(empty_database_url)
    assert (tables >= ADDED, version, organizations) == (True, "0002", 1)
    command.downgrade(alembic_config(settings), "0001")
    tables, version, organizations = _state(empty_database_url)
    assert (tables & ADDED, version, organizations) == (set(), "0001", 1)
    upgrade(settings, "0002")
    assert _state(empty_database_url)[1] == "0002"
