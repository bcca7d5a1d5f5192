"""Issue 6: `POST /api/v1/credentials` hands the LMS the learner's claim link; reads and retries show it again.

SQLite and PostgreSQL. The link is stored as a hash only, so "shown again" means recomputed from the link's id.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from issuer.models import ClaimLink
from support.api import bearer
from support.clock import FakeClock
from support.issuance import CREDENTIALS, issue, issuing
from support.tenancy import Tenants

BASE = "http://127.0.0.1:8000"


def _links(sessions: sessionmaker[Session], row_id: str) -> list[ClaimLink]:
    with sessions() as session:
        query = select(ClaimLink).where(ClaimLink.credential_row_id == uuid.UUID(row_id)).order_by(ClaimLink.created_at)
        return list(session.scalars(query))


def test_issuing_returns_a_claim_link_stored_only_as_a_hash(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a)
    body = issue(client, setup).json()
    url: str = body["claim_url"]
    assert url.startswith(f"{BASE}/claim/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43, "at least 256 bits, base64url"
    (link,) = _links(sessions, body["id"])
    assert link.token_hash != token and token not in link.token_hash
    assert link.expires_at == clock() + timedelta(days=30)
    assert body["claim_expires_at"].startswith(link.expires_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_reading_the_credential_shows_the_same_link_and_no_claims_yet(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    issued = issue(client, setup).json()
    resource = client.get(f"{CREDENTIALS}/{issued['id']}", headers=setup.headers).json()
    assert resource["claim_url"] == issued["claim_url"]
    assert resource["claim_expires_at"] == issued["claim_expires_at"]
    assert resource["claims"] == []


def test_each_credential_gets_its_own_link(client: TestClient, tenants: Tenants) -> None:
    setup = issuing(client, tenants.a)
    first, second = issue(client, setup).json(), issue(client, setup).json()
    assert first["claim_url"] != second["claim_url"]


def test_an_idempotent_retry_returns_the_same_link(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session]
) -> None:
    setup = issuing(client, tenants.a)
    first = issue(client, setup, key="lms-retry-1").json()
    again = issue(client, setup, key="lms-retry-1", expect=200).json()
    assert again["claim_url"] == first["claim_url"]
    assert len(_links(sessions, first["id"])) == 1


def test_a_retry_after_the_link_expired_gets_a_new_one(
    client: TestClient, tenants: Tenants, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    setup = issuing(client, tenants.a)
    first = issue(client, setup, key="lms-retry-2").json()
    clock.advance(days=31)
    setup = dataclasses.replace(setup, headers=bearer(client, tenants.a))
    again = issue(client, setup, key="lms-retry-2", expect=200).json()
    assert again["claim_url"] != first["claim_url"]
    old, new = _links(sessions, first["id"])
    assert old.superseded_at is not None and new.superseded_at is None
    resource = client.get(f"{CREDENTIALS}/{first['id']}", headers=setup.headers).json()
    assert resource["claim_url"] == again["claim_url"]


def test_an_expired_link_is_not_shown(client: TestClient, tenants: Tenants, clock: FakeClock) -> None:
    setup = issuing(client, tenants.a)
    issued = issue(client, setup).json()
    clock.advance(days=30, seconds=1)
    resource = client.get(f"{CREDENTIALS}/{issued['id']}", headers=bearer(client, tenants.a)).json()
    assert resource["claim_url"] is None and resource["claim_expires_at"] is None
