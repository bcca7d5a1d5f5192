"""Issue 6 LMS API at the wire: claim links (`POST /api/v1/credentials/{id}/claim-link`) and wallet offers
(`POST /api/v1/credentials/{id}/offers`, WALLETS.md §2.5, §3.2, §3.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from schemas.achievement import StrictModel

DAY = 86_400
DEFAULT_CLAIM_LINK_SECONDS = 30 * DAY
MAX_CLAIM_LINK_SECONDS = 366 * DAY
DEFAULT_OFFER_SECONDS = 600
MAX_OFFER_SECONDS = 7 * DAY
CONFIGURATION_IDS = ("OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json")

ConfigurationId = Literal["OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"]


class ClaimLinkRequest(StrictModel):
    """A new claim link; it supersedes the credential's earlier links."""

    expires_in: int = Field(
        default=DEFAULT_CLAIM_LINK_SECONDS,
        ge=1,
        le=MAX_CLAIM_LINK_SECONDS,
        strict=True,
        description="seconds until the link expires (default 30 days, at most 366 days)",
    )


class ClaimLinkResponse(StrictModel):
    claim_url: str = Field(description="the learner's claim page: give or email it to the learner")
    expires_at: datetime


class OfferRequest(StrictModel):
    """One offer of the credential to one wallet."""

    protocol: Literal["oid4vci", "lcw", "vcapi"] = Field(
        description="oid4vci: OpenID4VCI pre-authorized code offer; lcw: the Learner Credential Wallet's deep link; "
        "vcapi: a VCALM interaction URL"
    )
    tx_code: bool = Field(
        default=False, strict=True, description="oid4vci only: protect the offer with a 6-digit transaction code"
    )
    holder_binding: bool = Field(
        default=True,
        strict=True,
        description="vcapi only: ask the wallet for DIDAuth and bind the copy to its DID (false: the credential as "
        "issued, offered without DIDAuth)",
    )
    configuration_ids: list[ConfigurationId] | None = Field(
        default=None,
        min_length=1,
        max_length=len(CONFIGURATION_IDS),
        description="oid4vci and vcapi: the credential configurations offered (default: both)",
    )
    expires_in: int = Field(
        default=DEFAULT_OFFER_SECONDS,
        ge=1,
        le=MAX_OFFER_SECONDS,
        strict=True,
        description="seconds until the offer expires (default 10 minutes, at most 7 days)",
    )

    @model_validator(mode="after")
    def _fits_protocol(self) -> OfferRequest:
        if self.tx_code and self.protocol != "oid4vci":
            raise ValueError("tx_code is part of OpenID4VCI offers only (protocol oid4vci)")
        if not self.holder_binding and self.protocol != "vcapi":
            raise ValueError("holder_binding can be turned off for VC-API exchanges only (protocol vcapi)")
        if self.configuration_ids is not None and self.protocol == "lcw":
            raise ValueError("configuration_ids apply to oid4vci and vcapi offers, not to the lcw deep link")
        return self


class OfferResponse(StrictModel):
    offer_uri: str = Field(
        description="what the wallet scans or opens: openid-credential-offer://, the LCW deep "
        "link, or the VCALM interaction URL"
    )
    qr_svg: str = Field(description="`offer_uri` as a QR code: one <svg> element, inline-able in HTML")
    expires_at: datetime
    tx_code: str | None = Field(
        default=None, description="only when asked for: deliver it to the learner apart from the offer"
    )
    offer_by_value_uri: str | None = Field(
        default=None, description="oid4vci: the same offer carried by value (OpenID4VCI 1.0 §4.1.2)"
    )
