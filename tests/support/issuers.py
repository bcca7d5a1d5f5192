"""Issuers through the API, for tests of issuers and of what builds on them (achievements, issuance)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from issuer.keystore import MasterKey
from issuer.runtime import IssuerContext

ISSUERS = "/api/v1/issuers"
PROFILE = {"name": "Faculty of Examples", "url": "https://examples.example.edu", "email": "badges@example.edu"}


def create_issuer(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """POST /api/v1/issuers with PROFILE plus `body`; the 201 response body."""
    response = client.post(ISSUERS, json={**PROFILE, **body}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def issuer_context(app: FastAPI) -> IssuerContext:
    context = app.state.issuer_context
    assert isinstance(context, IssuerContext)
    return context


def master_key(app: FastAPI) -> MasterKey:
    """The master key the running app loaded (the app's lifespan must have started)."""
    master = issuer_context(app).master_key
    assert master is not None
    return master
