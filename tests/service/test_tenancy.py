"""Tenancy at the repository level: nothing of one organization is visible to, or changeable by, another."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from issuer.errors import NotFound
from issuer.models import Achievement
from issuer.oauth.request import TokenRequest
from issuer.oauth.tokens import authenticate_bearer, client_credentials_grant
from issuer.repositories.achievements import AchievementRepository
from issuer.repositories.audit import AuditRepository
from issuer.repositories.clients import list_api_clients
from issuer.repositories.issuers import IssuerRepository, NewIssuerKey
from issuer.runtime import ACCESS_TOKEN_LIFETIME
from support.clock import FakeClock
from support.tenancy import Tenant, Tenants, assert_isolated

PROFILE = {"type": ["Profile"], "name": "Faculty of Examples"}
ACHIEVEMENT = {"type": ["Achievement"], "name": "Intro to Testing", "criteria": {"narrative": "Pass."}}


def _key(key_id: str) -> NewIssuerKey:
    return NewIssuerKey(key_id, "z6Mk" + key_id, b"ciphertext", b"nonce-12byte", "A256GCM", "master-1")


def _make_issuer(sessions: sessionmaker[Session], tenant: Tenant, now: datetime, did: str) -> uuid.UUID:
    with sessions() as session:
        issuer = IssuerRepository(session, tenant.organization_id).add(
            did=did, did_method="web", profile=PROFILE, now=now
        )
        session.commit()
        return issuer.id


def _make_achievement(
    sessions: sessionmaker[Session], tenant: Tenant, issuer_id: uuid.UUID, now: datetime
) -> uuid.UUID:
    with sessions() as session:
        achievement = AchievementRepository(session, tenant.organization_id).create(
            issuer_id=issuer_id, document=ACHIEVEMENT, now=now
        )
        session.commit()
        return achievement.id


@dataclass
class IssuerProbe:
    sessions: sessionmaker[Session]

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        with self.sessions() as session:
            try:
                issuer = IssuerRepository(session, tenant.organization_id).get(uuid.UUID(str(row_id)))
            except NotFound:
                return None
            return (issuer.did, dict(issuer.profile), issuer.suspension_enabled)

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        with self.sessions() as session:
            return [issuer.id for issuer in IssuerRepository(session, tenant.organization_id).all()]

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        with self.sessions() as session:
            try:
                IssuerRepository(session, tenant.organization_id).update_profile(
                    uuid.UUID(str(row_id)), {**PROFILE, "name": f"renamed by {tenant.name}"}
                )
            except NotFound:
                return False
            session.commit()
            return True


@dataclass
class IssuerKeyProbe:
    sessions: sessionmaker[Session]
    now: datetime

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        with self.sessions() as session:
            try:
                keys = IssuerRepository(session, tenant.organization_id).keys(uuid.UUID(str(row_id)))
            except NotFound:
                return None
            return sorted((key.key_id, key.state) for key in keys)

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        with self.sessions() as session:
            return [issuer.id for issuer in IssuerRepository(session, tenant.organization_id).all()]

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        with self.sessions() as session:
            repository = IssuerRepository(session, tenant.organization_id)
            try:
                repository.set_key_state(uuid.UUID(str(row_id)), "key-1", "rotated", now=self.now)
                repository.add_key(uuid.UUID(str(row_id)), _key(f"key-by-{tenant.name}"), now=self.now)
            except NotFound:
                return False
            session.commit()
            return True


@dataclass
class AchievementProbe:
    sessions: sessionmaker[Session]
    now: datetime

    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        with self.sessions() as session:
            try:
                version = AchievementRepository(session, tenant.organization_id).version(uuid.UUID(str(row_id)))
            except NotFound:
                return None
            return (version.version, dict(version.document))

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        with self.sessions() as session:
            return [a.id for a in AchievementRepository(session, tenant.organization_id).all()]

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        with self.sessions() as session:
            try:
                AchievementRepository(session, tenant.organization_id).add_version(
                    uuid.UUID(str(row_id)), {**ACHIEVEMENT, "name": f"edited by {tenant.name}"}, now=self.now
                )
            except NotFound:
                return False
            session.commit()
            return True


def test_issuers_are_isolated(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> None:
    issuer_a = _make_issuer(sessions, tenants.a, clock(), "did:web:example.edu:a")
    _make_issuer(sessions, tenants.b, clock(), "did:web:example.edu:b")
    assert_isolated(IssuerProbe(sessions), owner=tenants.a, intruder=tenants.b, row_id=issuer_a)


def test_issuer_keys_are_isolated(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> None:
    issuer_a = _make_issuer(sessions, tenants.a, clock(), "did:web:example.edu:a")
    with sessions() as session:
        IssuerRepository(session, tenants.a.organization_id).add_key(issuer_a, _key("key-1"), now=clock())
        session.commit()
    assert_isolated(IssuerKeyProbe(sessions, clock()), owner=tenants.a, intruder=tenants.b, row_id=issuer_a)


def test_achievements_are_isolated(sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock) -> None:
    issuer_a = _make_issuer(sessions, tenants.a, clock(), "did:web:example.edu:a")
    achievement_a = _make_achievement(sessions, tenants.a, issuer_a, clock())
    issuer_b = _make_issuer(sessions, tenants.b, clock(), "did:web:example.edu:b")
    _make_achievement(sessions, tenants.b, issuer_b, clock())
    probe = AchievementProbe(sessions, clock())
    assert_isolated(probe, owner=tenants.a, intruder=tenants.b, row_id=achievement_a)


def test_cannot_create_an_achievement_for_another_organizations_issuer(
    sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock
) -> None:
    issuer_a = _make_issuer(sessions, tenants.a, clock(), "did:web:example.edu:a")
    with sessions() as session, pytest.raises(NotFound):
        AchievementRepository(session, tenants.b.organization_id).create(
            issuer_id=issuer_a, document=ACHIEVEMENT, now=clock()
        )


def test_database_refuses_a_cross_tenant_achievement(
    sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock
) -> None:
    """Below the repositories, the composite foreign key ties an achievement to its own organization's issuer."""
    issuer_a = _make_issuer(sessions, tenants.a, clock(), "did:web:example.edu:a")
    with sessions() as session, pytest.raises(IntegrityError):
        session.add(Achievement(organization_id=tenants.b.organization_id, issuer_id=issuer_a, created_at=clock()))
        session.flush()


def test_clients_and_audit_entries_are_per_organization(sessions: sessionmaker[Session], tenants: Tenants) -> None:
    with sessions() as session:
        assert [c.client_id for c in list_api_clients(session, tenants.a.organization_id)] == [tenants.a.client_id]
        entries: list[Any] = AuditRepository(session, tenants.b.organization_id).entries()
        assert {entry.organization_id for entry in entries} == {tenants.b.organization_id}
        # Both entries share one timestamp, so only the set is defined.
        assert sorted(entry.action for entry in entries) == ["api_client.create", "organization.create"]


def test_a_token_authenticates_as_its_own_organization(
    sessions: sessionmaker[Session], tenants: Tenants, clock: FakeClock
) -> None:
    with sessions() as session:
        for tenant in (tenants.a, tenants.b):
            request = TokenRequest(tenant.client_id, tenant.client_secret, None, used_basic=False)
            issued = client_credentials_grant(session, request, now=clock(), lifetime=ACCESS_TOKEN_LIFETIME)
            principal = authenticate_bearer(session, issued.access_token, now=clock())
            assert principal is not None
            assert (principal.organization_id, principal.client_id) == (tenant.organization_id, tenant.client_id)
