"""The issuer's SQLAlchemy 2 models; `metadata` is what alembic migrations are checked against."""

from __future__ import annotations

from issuer.models.achievements import Achievement, AchievementVersion
from issuer.models.audit import AuditEntry
from issuer.models.awards import Award
from issuer.models.base import Base
from issuer.models.competencies import Competency
from issuer.models.credentials import (
    CREDENTIAL_FORMATS,
    CREDENTIAL_STATUSES,
    RECIPIENT_KINDS,
    STATUS_ACTIONS,
    Credential,
    CredentialStatusChange,
)
from issuer.models.issuers import DID_METHODS, KEY_STATES, Issuer, IssuerKey
from issuer.models.jobs import JOB_ITEM_STATUSES, JOB_KINDS, JOB_STATUSES, Job, JobItem
from issuer.models.organizations import AccessToken, ApiClient, Organization
from issuer.models.pathways import Pathway, PathwayVersion
from issuer.models.status_lists import STATUS_PURPOSES, StatusList
from issuer.models.types import NaiveDatetimeError, UTCDateTime
from issuer.models.wallets import (
    OFFER_STATES,
    WALLET_PROTOCOLS,
    ClaimLink,
    CredentialCopy,
    PublicPage,
    WalletNonce,
    WalletOffer,
)

metadata = Base.metadata

__all__ = [
    "CREDENTIAL_FORMATS",
    "CREDENTIAL_STATUSES",
    "DID_METHODS",
    "JOB_ITEM_STATUSES",
    "JOB_KINDS",
    "JOB_STATUSES",
    "KEY_STATES",
    "OFFER_STATES",
    "RECIPIENT_KINDS",
    "STATUS_ACTIONS",
    "STATUS_PURPOSES",
    "WALLET_PROTOCOLS",
    "AccessToken",
    "Achievement",
    "AchievementVersion",
    "ApiClient",
    "AuditEntry",
    "Award",
    "Base",
    "ClaimLink",
    "Competency",
    "Credential",
    "CredentialCopy",
    "CredentialStatusChange",
    "Issuer",
    "IssuerKey",
    "Job",
    "JobItem",
    "NaiveDatetimeError",
    "Organization",
    "Pathway",
    "PathwayVersion",
    "PublicPage",
    "StatusList",
    "UTCDateTime",
    "WalletNonce",
    "WalletOffer",
    "metadata",
]
