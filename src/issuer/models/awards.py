"""Composite awards (issue 5 "Evaluate and award"): which credential awarded a pathway version to which learner.

One award per learner per pathway version: the unique (pathway_version_id, recipient_key) decides between two
concurrent requests, so a composite credential is never issued twice. `recipient_key` is the credentials' lookup
key of the learner (issuer.repositories.credentials.recipient_key), which already encodes the kind (email or DID)
and the organization. `evaluation` is the evaluation the award was made on, returned again when it is asked for again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from issuer.models.base import Base


class Award(Base):
    """A composite credential issued because one pathway version was satisfied for one learner."""

    __tablename__ = "awards"
    __table_args__ = (
        UniqueConstraint("pathway_version_id", "recipient_key"),
        # Composite key: the pathway is the award's own organization's.
        ForeignKeyConstraint(["pathway_id", "organization_id"], ["pathways.id", "pathways.organization_id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    pathway_id: Mapped[uuid.UUID] = mapped_column(index=True)
    pathway_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pathway_versions.id"))
    recipient_key: Mapped[str] = mapped_column(String(64))
    credential_row_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credentials.id"), unique=True)
    evaluation: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
