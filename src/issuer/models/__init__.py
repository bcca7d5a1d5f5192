"""The issuer's SQLAlchemy 2 models; `metadata` is what alembic migrations are checked against."""

from __future__ import annotations

from issuer.models.achievements import Achievement, AchievementVersion
from issuer.models.audit import AuditEntry
from issuer.models.base import Base
from issuer.models.issuers import DID_METHODS, KEY_STATES, Issuer, IssuerKey
from issuer.models.organizations import AccessToken, ApiClient, Organization
from issuer.models.types import NaiveDatetimeError, UTCDateTime

metadata = Base.metadata

__all__ = [
    "DID_METHODS",
    "KEY_STATES",
    "AccessToken",
    "Achievement",
    "AchievementVersion",
    "ApiClient",
    "AuditEntry",
    "Base",
    "Issuer",
    "IssuerKey",
    "NaiveDatetimeError",
    "Organization",
    "UTCDateTime",
    "metadata",
]
