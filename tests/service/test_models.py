"""Model behaviour both databases must share: UTC timestamps, UUIDs, JSON documents, constraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from issuer.errors import Conflict, InvalidInput
from issuer.models import Issuer, NaiveDatetimeError, Organization
from issuer.repositories.achievements import AchievementRepository
from issuer.repositories.issuers import IssuerRepository, NewIssuerKey
from issuer.repositories.organizations import get_or_create_organization
from support.clock import FakeClock
from support.tenancy import Tenants

DOCUMENT = {"type": ["Achievement"], "name": "Ünïcødé ✓", "criteria": {"narrative": "x"}, "n": [1, 2.5, None]}


def test_timestamps_come_back_as_aware_utc(sessions: sessionmaker[Session]) -> None:
    plus_two = datetime(2025, 6, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with sessions() as session:
        org, _ = get_or_create_organization(session, "Zoned", now=plus_two)
        session.commit()
    with sessions() as session:
        stored = session.scalars(select(Organization)).one()
        assert stored.created_at == datetime(2025, 6, 1, 12, 30, 15, 123456, tzinfo=UTC)
        assert stored.created_at.tzinfo is UTC
        assert stored.id == org.id


def test_naive_timestamps_are_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, pytest.raises(StatementError) as raised:
        get_or_create_organization(session, "Naive", now=datetime(2025, 1, 1))
    assert isinstance(raised.value.orig, NaiveDatetimeError)


def test_get_or_create_organization_is_idempotent(sessions: sessionmaker[Session], clock: FakeClock) -> None:
    with sessions() as session:
        first, created = get_or_create_organization(session, " Example ", now=clock())
        again, created_again = get_or_create_organization(session, "Example", now=clock())
        assert (created, created_again) == (True, False)
        assert first.id == again.id
        with pytest.raises(InvalidInput):
            get_or_create_organization(session, "", now=clock())


def test_achievement_versions_and_json_documents(
    sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock
) -> None:
    with sessions() as session:
        issuer = IssuerRepository(session, tenants.a.organization_id).add(
            did="did:key:z6MkExample", did_method="key", profile={"name": "I"}, now=clock()
        )
        repository = AchievementRepository(session, tenants.a.organization_id)
        achievement = repository.create(issuer_id=issuer.id, document=DOCUMENT, now=clock())
        repository.add_version(achievement.id, {**DOCUMENT, "name": "v2"}, now=clock())
        session.commit()
        achievement_id = achievement.id
    with sessions() as session:
        repository = AchievementRepository(session, tenants.a.organization_id)
        assert repository.get(achievement_id).current_version == 2
        assert repository.version(achievement_id, 1).document == DOCUMENT
        assert repository.version(achievement_id).document["name"] == "v2"


def test_issuer_constraints(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> None:
    with sessions() as session:
        repository = IssuerRepository(session, tenants.a.organization_id)
        issuer = repository.add(did="did:web:example.edu", did_method="web", profile={}, now=clock())
        assert issuer.suspension_enabled is False
        with pytest.raises(Conflict):
            IssuerRepository(session, tenants.b.organization_id).add(
                did="did:web:example.edu", did_method="web", profile={}, now=clock()
            )
        with pytest.raises(InvalidInput):
            repository.add(did="did:ion:x", did_method="ion", profile={}, now=clock())
        session.commit()
    with sessions() as session, pytest.raises(IntegrityError):
        session.add(
            Issuer(
                organization_id=tenants.a.organization_id,
                did="did:x:1",
                did_method="ion",
                profile={},
                created_at=clock(),
            )
        )
        session.flush()


def test_one_active_key_per_issuer(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> None:
    def key(key_id: str) -> NewIssuerKey:
        return NewIssuerKey(key_id, "z6Mk" + key_id, b"\x00\xff" * 24, b"\x01" * 12, "A256GCM", "master-1")

    with sessions() as session:
        repository = IssuerRepository(session, tenants.a.organization_id)
        issuer = repository.add(did="did:web:keys.example", did_method="web", profile={}, now=clock())
        repository.add_key(issuer.id, key("k1"), now=clock())
        with pytest.raises(Conflict):
            repository.add_key(issuer.id, key("k2"), now=clock())
        repository.set_key_state(issuer.id, "k1", "rotated", now=clock())
        repository.add_key(issuer.id, key("k2"), now=clock())
        retired = repository.set_key_state(issuer.id, "k1", "retired", now=clock())
        session.commit()
        assert retired.retired_at == clock()
    with sessions() as session:
        keys = IssuerRepository(session, tenants.a.organization_id).keys(issuer.id)
        assert [(k.key_id, k.state) for k in keys] == [("k1", "retired"), ("k2", "active")]
        assert keys[0].encrypted_private_key == b"\x00\xff" * 24
