"""The app factory serves /healthz and the OpenAPI docs."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from credstack.app import create_app
from credstack.settings import Settings


def test_healthz_and_openapi(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert client.get("/openapi.json").json()["info"]["title"] == "Credstack"
        assert client.get("/docs").status_code == 200
