"""A full database dump holds no client secret and no access token in the clear (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from issuer.client_secrets import hash_access_token
from issuer.models import AccessToken, ApiClient
from support.api import request_token
from support.dump import dump_database
from support.tenancy import Tenants


def test_dump_contains_no_secret_or_token(
    client: TestClient, tenants: Tenants, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    token = request_token(client, tenants.a).json()["access_token"]
    dump = dump_database(engine)
    assert tenants.a.client_id in dump, "the dump must actually contain the clients"
    for secret in (tenants.a.client_secret, tenants.b.client_secret, token):
        assert secret not in dump
    with sessions() as session:
        hashes = session.scalars(select(ApiClient.secret_hash)).all()
        assert all(value.startswith("scrypt$12$8$1$") for value in hashes)
        assert session.scalars(select(AccessToken.token_hash)).all() == [hash_access_token(token)]
