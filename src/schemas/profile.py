"""OB 3.0 §B.1 Profile, as the API input of an issuer profile (the Profile minus `id` and `type`), and the issuer API's
responses.

Member names are OB's own (camelCase); `did_method` is the API's own choice of identifier. Unknown members are
refused everywhere (422 naming them). The service assigns `id` (the issuer DID) and every `type`
(issuer.profiles), so a client never writes JSON-LD types. Endorsements of the issuer are not accepted here: they
are credentials signed by others and need their own verification.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from schemas.achievement import (
    IMAGE_URI_MAX,
    LIST_MAX,
    HttpUrl,
    IdentifierEntry,
    Markdown,
    ShortText,
    StrictModel,
    Uri,
)

# HTML Living Standard §4.10.5.1.5 "valid email address": what browsers accept in <input type=email>.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
# OB 3.0 §B.2 PhoneNumber has no syntax of its own; digits with the usual separators and an optional leading '+'.
_PHONE = re.compile(r"\+?[0-9][0-9 ().\-/]{2,38}[0-9]")
_HTTP_IMAGE_URL = re.compile(r"(?i:https?)://[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")
# RFC 2397 data URL of an image: data:image/<subtype>[;<parameter>]*[;base64],<data>, the data being RFC 3986
# URI characters (anything else percent-encoded), so no control character or NUL ever reaches storage.
_DATA_IMAGE_URI = re.compile(
    r"(?i:data):image/[A-Za-z0-9.+\-]+(?:;[A-Za-z0-9.+\-]+=[A-Za-z0-9.+\-]+)*(?P<base64>;base64)?,"
    r"(?P<data>[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)"
)
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
# ISO 3166-1 alpha-2, as OB 3.0 §B.2 CountryCode requires.
_COUNTRY_CODE = r"^[A-Z]{2}$"
EMAIL_MAX = 254

DidMethod = Literal["web", "key"]
KeyState = Literal["active", "rotated", "retired"]


def _email(value: str) -> str:
    if _EMAIL.fullmatch(value) is None:
        raise ValueError("must be an email address (name@domain, HTML 'valid email address')")
    return value


def _phone(value: str) -> str:
    if _PHONE.fullmatch(value) is None:
        raise ValueError("must be a phone number: digits, spaces and ( ) . - /, optionally starting with +")
    return value


def _image_uri(value: str) -> str:
    """OB 3.0 §B.1 Image `id`: "the URI or Data URI of the image"; only http(s) URLs and data: image URLs here."""
    if _HTTP_IMAGE_URL.fullmatch(value):
        return value
    data = _DATA_IMAGE_URI.fullmatch(value)
    if data is None:
        raise ValueError("must be an http(s) URL or a data: URL of an image (data:image/<type>[;base64],...)")
    if data.group("base64") and _BASE64.fullmatch(data.group("data")) is None:
        raise ValueError("the data: URL says ;base64 but its data is not base64")
    return value


Email = Annotated[str, Field(max_length=EMAIL_MAX), AfterValidator(_email)]
Phone = Annotated[str, Field(max_length=40), AfterValidator(_phone)]
ImageUri = Annotated[str, Field(max_length=IMAGE_URI_MAX), AfterValidator(_image_uri)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class ImageObject(StrictModel):
    """OB 3.0 §B.1 Image (the service adds `type`)."""

    id: ImageUri
    caption: ShortText | None = None


ImageValue = ImageUri | ImageObject
"""An image as its URL (or data: URL) alone, or as an object with a caption; stored as an OB Image object."""


class GeoCoordinates(StrictModel):
    """OB 3.0 §B.1 GeoCoordinates (WGS84 degrees)."""

    latitude: Latitude
    longitude: Longitude


class Address(StrictModel):
    """OB 3.0 §B.1 Address; at least one member."""

    addressCountry: ShortText | None = None
    addressCountryCode: Annotated[str, Field(pattern=_COUNTRY_CODE)] | None = None
    addressRegion: ShortText | None = None
    addressLocality: ShortText | None = None
    streetAddress: ShortText | None = None
    postOfficeBoxNumber: ShortText | None = None
    postalCode: ShortText | None = None
    geo: GeoCoordinates | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Address:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("an address needs at least one member")
        return self


class ParentOrg(StrictModel):
    """OB 3.0 §B.1 Profile as `parentOrg`: the organization this issuer belongs to, named by its own `id`."""

    id: Uri
    name: ShortText | None = None
    url: HttpUrl | None = None
    email: Email | None = None
    phone: Phone | None = None
    description: Markdown | None = None
    image: ImageValue | None = None


class ProfileFields(StrictModel):
    """OB 3.0 §B.1 Profile members an issuer sets about itself; `name` is required (wallets display it)."""

    name: ShortText
    url: HttpUrl | None = None
    email: Email | None = None
    phone: Phone | None = None
    description: Markdown | None = None
    image: ImageValue | None = None
    address: Address | None = None
    parentOrg: ParentOrg | None = None
    official: ShortText | None = None
    otherIdentifier: Annotated[list[IdentifierEntry], Field(min_length=1, max_length=LIST_MAX)] | None = None
    familyName: ShortText | None = None
    givenName: ShortText | None = None
    additionalName: ShortText | None = None
    patronymicName: ShortText | None = None
    honorificPrefix: ShortText | None = None
    honorificSuffix: ShortText | None = None
    familyNamePrefix: ShortText | None = None


SUSPENSION_ENABLED_DESCRIPTION = (
    "credentials issued from now on carry a suspension status entry too, so they can be suspended and reinstated "
    "(Bitstring Status List v1.0 §2.1); their credentialStatus is then an array of two entries"
)


LINKEDIN_ORGANIZATION_ID_DESCRIPTION = (
    "the numeric id of the issuer's LinkedIn organization page: learners' 'Add to profile' links then name it "
    "(organizationId) instead of the issuer's name as free text (issue 6)"
)
WALLET_PROOF_MODE_DESCRIPTION = (
    "how OpenID4VCI proofs of possession are checked: compat tolerates the known deviations of real wallet "
    "clients (no typ, no iat; each one logged), strict follows OpenID4VCI 1.0 Appendix F.4 to the letter"
)
LinkedInOrganizationId = Annotated[
    str, Field(pattern=r"^[0-9]{1,20}$", description=LINKEDIN_ORGANIZATION_ID_DESCRIPTION)
]
WalletProofMode = Literal["compat", "strict"]


class IssuerCreate(ProfileFields):
    """`POST /api/v1/issuers`: the profile and how the issuer is identified (did:web by default, or did:key)."""

    did_method: DidMethod = "web"
    suspension_enabled: bool = Field(default=False, description=SUSPENSION_ENABLED_DESCRIPTION)
    linkedin_organization_id: LinkedInOrganizationId | None = None
    wallet_proof_mode: WalletProofMode = Field(default="compat", description=WALLET_PROOF_MODE_DESCRIPTION)


class IssuerReplace(ProfileFields):
    """`PUT /api/v1/issuers/{id}`: the whole profile; a setting left out (or null) leaves that setting as it is."""

    suspension_enabled: bool | None = Field(default=None, description=SUSPENSION_ENABLED_DESCRIPTION)
    linkedin_organization_id: LinkedInOrganizationId | None = None
    wallet_proof_mode: WalletProofMode | None = Field(default=None, description=WALLET_PROOF_MODE_DESCRIPTION)


class IssuerSettingsPatch(StrictModel):
    """The settings members of an issuer PATCH (RFC 7396): not Profile members. Present members change."""

    suspension_enabled: bool | None = None
    linkedin_organization_id: LinkedInOrganizationId | None = None
    wallet_proof_mode: WalletProofMode | None = None


class RetireKeyRequest(StrictModel):
    """`POST .../keys/{key_id}/retire`: why, for the audit log (e.g. "private key exposed in a backup")."""

    reason: Annotated[ShortText, Field(max_length=500)] | None = None


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True)


class IssuerResponse(_Response):
    """An issuer: its id in this API, its DID, where its DID document is served, and its OB Profile JSON-LD."""

    id: uuid.UUID
    did: str
    did_method: DidMethod
    did_document_url: str
    profile_url: str
    profile: dict[str, Any] = Field(description="OB 3.0 Profile JSON-LD; `id` is the issuer DID")
    suspension_enabled: bool = Field(description=SUSPENSION_ENABLED_DESCRIPTION)
    linkedin_organization_id: str | None = Field(description=LINKEDIN_ORGANIZATION_ID_DESCRIPTION)
    wallet_proof_mode: WalletProofMode = Field(description=WALLET_PROOF_MODE_DESCRIPTION)
    created_at: datetime


class IssuerListResponse(_Response):
    issuers: list[IssuerResponse]


class IssuerKeyResponse(_Response):
    """A public key of an issuer (CID 1.0 Multikey) and its state: `active` signs, `rotated` still verifies earlier
    credentials, `retired` is withdrawn from the DID document and its private key destroyed."""

    key_id: str
    verification_method: str
    type: Literal["Multikey"] = "Multikey"
    public_key_multibase: str
    state: KeyState
    created_at: datetime
    retired_at: datetime | None = None


class IssuerKeyListResponse(_Response):
    keys: list[IssuerKeyResponse]
