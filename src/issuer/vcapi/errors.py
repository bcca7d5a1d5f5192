"""VC-API problem types (RFC 9457, `urn:credstack:problem:<code>`): what `/credentials/issue` and
`/credentials/status` answer besides the service-wide ones (README "VC-API")."""

from __future__ import annotations

from issuer.achievements import FieldError
from issuer.errors import Conflict, IssuerError, NotFound


class InvalidCredential(FieldError):
    """VC-API §"Issue Credential" 400: the credential or the options break a VCDM or VC-API rule; `errors` say where.

    Locations start with `credential` or `options` (or name the missing member); types are the rule's name or the
    VC Data Integrity code (DATA_LOSS_DETECTION_ERROR, ...).
    """

    code = "INVALID_CREDENTIAL"
    status = 400
    title = "The credential cannot be issued as sent"


class IssuerMismatch(IssuerError):
    """VC-API §"Issue Credential" 400: "the provided value of 'issuer' does not match the expected configuration"."""

    code = "ISSUER_MISMATCH"
    status = 400
    title = "The credential's issuer is not this service's VC-API issuer"


class InvalidStatusRequest(FieldError):
    """VC-API §"Update Status" 400: the status update request is malformed or asks for something unsupported."""

    code = "INVALID_STATUS_REQUEST"
    status = 400
    title = "The status update request is not valid"


class VcApiNotConfigured(NotFound):
    """CREDSTACK_VCAPI_ISSUER is unset, or names no issuer: there is nobody to sign VC-API requests."""

    code = "VCAPI_NOT_CONFIGURED"
    title = "VC-API issuing is not configured"


class VcApiForbidden(IssuerError):
    """The access token is valid, but its organization does not own the VC-API issuer."""

    code = "FORBIDDEN"
    status = 403
    title = "Not allowed for this organization"


class StatusEntryNotEmbedded(Conflict):
    """The credential carries no status entry of this service for the purpose (it was issued with its own
    `credentialStatus`, or without that purpose): changing the bit would change nothing a verifier reads."""

    code = "STATUS_ENTRY_NOT_EMBEDDED"
    title = "The credential has no status entry for this purpose"
