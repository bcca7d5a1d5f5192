"""Settings come from the environment (README "Configuration")."""

from __future__ import annotations

from pathlib import Path

import pytest

from credstack.settings import Settings


def test_defaults_use_embedded_sqlite_under_data_dir() -> None:
    settings = Settings.from_env({})
    assert settings.data_dir == Path("./var")
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("/var/credstack.db")


def test_environment_overrides() -> None:
    settings = Settings.from_env(
        {
            "CREDSTACK_DATA_DIR": "/srv/credstack",
            "CREDSTACK_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "CREDSTACK_BASE_URL": "https://badges.example.edu/",
            "CREDSTACK_FETCH_ALLOW_HOSTS": "127.0.0.1, Status.Example ",
            "CREDSTACK_EXTRA_CONTEXTS": "/etc/credstack/contexts",
        }
    )
    assert settings.effective_database_url == "postgresql+psycopg://u@h/db"
    assert settings.base_url == "https://badges.example.edu"
    assert settings.fetch_allow_hosts == frozenset({"127.0.0.1", "status.example"})
    assert settings.extra_contexts == Path("/etc/credstack/contexts")


def test_bare_postgresql_url_means_psycopg() -> None:
    for url in ("postgresql://u@h/db", "postgres://u@h/db"):
        assert Settings(database_url=url).effective_database_url == "postgresql+psycopg://u@h/db"


def test_vcapi_settings() -> None:
    assert (Settings.from_env({}).vcapi_issuer, Settings.from_env({}).vcapi_open) == (None, False)
    issuer = "5f0c2a8e-3b1d-4c7a-9e42-6d8f1b0a7c35"
    settings = Settings.from_env({"CREDSTACK_VCAPI_ISSUER": f" {issuer} ", "CREDSTACK_VCAPI_OPEN": "1"})
    assert (str(settings.vcapi_issuer), settings.vcapi_open) == (issuer, True)
    assert Settings.from_env({"CREDSTACK_VCAPI_ISSUER": "", "CREDSTACK_VCAPI_OPEN": "no"}).vcapi_open is False


def test_a_malformed_vcapi_issuer_stops_start_up() -> None:
    with pytest.raises(ValueError):
        Settings.from_env({"CREDSTACK_VCAPI_ISSUER": "issuer-1"})
