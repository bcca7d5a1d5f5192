"""Tenancy checks shared by repository tests now and API tests later.

Two organizations, each with an API client holding every scope. A `TenancyProbe` says how a tenant reads,
lists and changes one kind of row; today probes call repositories, later ones call HTTP endpoints with each
tenant's token (a 404 is "not visible"). `assert_isolated` then checks, for one row owned by `owner`:
the intruder cannot read it, does not see it listed, cannot change it, and the owner's view is unchanged;
finally the owner's own change succeeds, so the probe is known to reach the row at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from issuer.api_clients import register_api_client
from issuer.scopes import ALL_SCOPES


@dataclass(frozen=True)
class Tenant:
    name: str
    organization_id: uuid.UUID
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Tenants:
    a: Tenant
    b: Tenant


def create_tenant(sessions: sessionmaker[Session], name: str, *, now: datetime) -> Tenant:
    with sessions() as session:
        registered = register_api_client(session, organization=name, scopes=ALL_SCOPES, now=now)
    return Tenant(name, registered.organization_id, registered.client_id, registered.client_secret)


def two_tenants(sessions: sessionmaker[Session], *, now: datetime) -> Tenants:
    return Tenants(a=create_tenant(sessions, "Org A", now=now), b=create_tenant(sessions, "Org B", now=now))


class TenancyProbe(Protocol):
    def read(self, tenant: Tenant, row_id: Hashable) -> object | None:
        """A comparable snapshot of the row as `tenant` sees it, or None when it is not visible."""

    def listed(self, tenant: Tenant) -> Collection[Hashable]:
        """The ids `tenant` sees when listing this kind of row."""

    def try_change(self, tenant: Tenant, row_id: Hashable) -> bool:
        """Attempt a change as `tenant`; False when it was refused as not found."""


def assert_isolated(probe: TenancyProbe, *, owner: Tenant, intruder: Tenant, row_id: Hashable) -> None:
    before = probe.read(owner, row_id)
    assert before is not None, "the owner must see its own row"
    assert row_id in probe.listed(owner)
    assert probe.read(intruder, row_id) is None, f"{intruder.name} can read {owner.name}'s row"
    assert row_id not in probe.listed(intruder), f"{intruder.name} sees {owner.name}'s row listed"
    assert not probe.try_change(intruder, row_id), f"{intruder.name} changed {owner.name}'s row"
    assert probe.read(owner, row_id) == before, f"{owner.name}'s row changed after {intruder.name}'s attempt"
    assert probe.try_change(owner, row_id), "the owner's own change must succeed (else the probe proves nothing)"
    assert probe.read(owner, row_id) != before
