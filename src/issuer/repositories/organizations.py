"""Organizations, the tenants: found by name, created once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.errors import InvalidInput
from issuer.models import Organization

MAX_NAME_LENGTH = 200


def find_organization(session: Session, name: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.name == name))


def get_or_create_organization(session: Session, name: str, *, now: datetime) -> tuple[Organization, bool]:
    """The organization called `name` and whether this call created it; safe against a concurrent creator."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"an organization name has 1 to {MAX_NAME_LENGTH} characters")
    existing = find_organization(session, name)
    if existing is not None:
        return existing, False
    organization = Organization(name=name, created_at=now)
    try:
        with session.begin_nested():
            session.add(organization)
    except IntegrityError:
        # Another transaction created the same name between our read and our insert: use theirs.
        existing = find_organization(session, name)
        if existing is None:
            raise
        return existing, False
    return organization, True
