"""`credstack clients create|revoke` on SQLite and PostgreSQL: JSON output, the organization created once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from credstack.app import create_app
from credstack.cli import main
from credstack.settings import Settings
from issuer.db import create_database_engine, session_factory
from issuer.models import ApiClient, AuditEntry, Organization


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDSTACK_DATA_DIR", str(tmp_path / "var"))
    return database_url


def _create(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    assert main(["clients", "create", *args]) == 0
    output: dict[str, str] = json.loads(capsys.readouterr().out)
    return output


def _count(url: str, model: type[Organization] | type[ApiClient] | type[AuditEntry]) -> int:
    engine = create_database_engine(url)
    try:
        with session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_create_prints_credentials_and_reuses_the_organization(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _create(capsys, "--org", "Example University", "--scopes", "issuers:write", "credentials:issue")
    assert set(first) == {"client_id", "client_secret"}
    assert len(first["client_secret"]) >= 43
    second = _create(capsys, "--org", "Example University", "--scopes", "credentials:read", "--name", "LMS")
    assert second["client_id"] != first["client_id"]
    assert _count(cli_env, Organization) == 1
    assert _count(cli_env, ApiClient) == 2
    # organization.create once, api_client.create twice
    assert _count(cli_env, AuditEntry) == 3


def test_created_client_gets_a_token(cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    created = _create(capsys, "--org", "Example University", "--scopes", "credentials:read")
    app = create_app(Settings(data_dir=tmp_path, database_url=cli_env))
    with TestClient(app) as client:
        response = client.post("/oauth/token", data={"grant_type": "client_credentials", **created})
    assert response.status_code == 200
    assert response.json()["scope"] == "credentials:read"


def test_revoke(cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    created = _create(capsys, "--org", "Example University", "--scopes", "credentials:read")
    assert main(["clients", "revoke", created["client_id"], "--reason", "rotated"]) == 0
    assert json.loads(capsys.readouterr().out)["client_id"] == created["client_id"]
    app = create_app(Settings(data_dir=tmp_path, database_url=cli_env))
    with TestClient(app) as client:
        response = client.post("/oauth/token", data={"grant_type": "client_credentials", **created})
    assert response.json()["error"] == "invalid_grant"
    assert main(["clients", "revoke", "no-such-client"]) == 2
    assert "no API client" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["--org", "X", "--scopes", "awards:write"],
        ["--org", "X"],
        ["--scopes", "issuers:write"],
        ["--org", "   ", "--scopes", "issuers:write"],
    ],
    ids=["unknown-scope", "no-scopes", "no-org", "blank-org"],
)
def test_bad_arguments_exit_2(cli_env: str, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = main(["clients", "create", *args])
        raise SystemExit(code)
    assert exit_info.value.code == 2
    assert capsys.readouterr().out == ""
    assert _count(cli_env, ApiClient) == 0


def test_unmigrated_database_is_a_clear_error(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("CREDSTACK_DATA_DIR", str(tmp_path))
    assert main(["clients", "create", "--org", "X", "--scopes", "issuers:write"]) == 2
    assert "credstack db upgrade" in capsys.readouterr().err
