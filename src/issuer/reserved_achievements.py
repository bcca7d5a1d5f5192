"""The per-issuer achievement record that VC-API credentials are stored under (README "VC-API", "Storage").

`credentials.achievement_version_id` is NOT NULL, and a VC-API credential awards no achievement of ours: its
content is whatever the caller sent. Until that column may be NULL, each VC-API issuer gets one visible, plainly
named achievement ("VC-API credentials"), created on first use with an id derived from the issuer's
(`vcapi_achievement_id`), and every VC-API credential of that issuer is stored against its version 1. It is
reserved: OB issuance from it and new versions of it are refused (AchievementReserved), so it never appears in a
credential's content.
"""

from __future__ import annotations

import uuid
from typing import Final

from issuer.errors import Conflict

# uuid5 namespace of the reserved records; fixed forever (the ids of existing records derive from it).
VCAPI_ACHIEVEMENT_NAMESPACE: Final = uuid.UUID("5f0c2a8e-3b1d-5c7a-9e42-6d8f1b0a7c35")


class AchievementReserved(Conflict):
    """The achievement is the record VC-API credentials are stored under; it cannot be issued from or edited."""

    code = "ACHIEVEMENT_RESERVED"
    title = "The achievement is reserved for VC-API credentials"


def vcapi_achievement_id(issuer_id: uuid.UUID) -> uuid.UUID:
    """The id of issuer `issuer_id`'s VC-API record: the same in every process, so creation needs no lookup table."""
    return uuid.uuid5(VCAPI_ACHIEVEMENT_NAMESPACE, f"vc-api:{issuer_id}")


def check_not_reserved(achievement_id: uuid.UUID, issuer_id: uuid.UUID) -> None:
    """AchievementReserved (409) when `achievement_id` is issuer `issuer_id`'s VC-API record."""
    if achievement_id == vcapi_achievement_id(issuer_id):
        raise AchievementReserved(
            "this achievement only records the issuer's VC-API credentials (POST /credentials/issue); "
            "create an achievement of your own to issue Open Badges"
        )
