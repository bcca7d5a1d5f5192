"""`credstack db upgrade` creates the whole schema on empty SQLite and PostgreSQL databases, matching the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from credstack.cli import main
from credstack.db import alembic_config, upgrade
from credstack.settings import Settings
from issuer.db import create_database_engine
from issuer.models import metadata

TABLES = {
    "organizations",
    "api_clients",
    "access_tokens",
    "issuers",
    "issuer_keys",
    "achievements",
    "achievement_versions",
    "audit_log",
    "status_lists",
    "credentials",
    "credential_status_changes",
    "jobs",
    "job_items",
    "competencies",
    "pathways",
    "pathway_versions",
    "awards",
    "claim_links",
    "public_pages",
    "wallet_offers",
    "credential_copies",
    "wallet_nonces",
}


@pytest.fixture
def cli_env(empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("CREDSTACK_DATA_DIR", str(tmp_path / "var"))
    return empty_database_url


def _tables(url: str) -> set[str]:
    engine = create_database_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_define_the_expected_tables() -> None:
    assert set(metadata.tables) == TABLES


def test_db_upgrade_creates_every_table(cli_env: str) -> None:
    assert _tables(cli_env) == set()
    assert main(["db", "upgrade"]) == 0
    assert _tables(cli_env) == TABLES | {"alembic_version"}
    engine = create_database_engine(cli_env)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0006"
    finally:
        engine.dispose()
    assert main(["db", "upgrade"]) == 0, "upgrading an up-to-date database is a no-op"


def test_migrations_match_the_models(empty_database_url: str, tmp_path: Path) -> None:
    """The hand-written migrations and the models describe the same schema (no drift either way)."""
    upgrade(Settings(data_dir=tmp_path, database_url=empty_database_url))
    engine = create_database_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(empty_database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=empty_database_url)
    upgrade(settings)
    command.downgrade(alembic_config(settings), "base")
    assert _tables(empty_database_url) == {"alembic_version"}
    upgrade(settings)
    assert _tables(empty_database_url) == TABLES | {"alembic_version"}


def test_sqlite_database_is_in_wal_mode(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    upgrade(settings)
    engine = create_database_engine(settings.effective_database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000
    finally:
        engine.dispose()
