"""Open Badges 3.0 §5.3 Baked Badge: the errors of baking and extraction, each with a stable `code`."""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AlreadyBaked",
    "BakingError",
    "DamagedImage",
    "InvalidPayload",
    "MultipleCredentials",
    "NoCredentialInImage",
    "NotAnImage",
    "OpenBadges2Image",
    "UnsafeSvg",
    "UnsupportedEncoding",
]


class BakingError(Exception):
    """Base error for Open Badges 3.0 §5.3 baking and extraction."""

    code: ClassVar[str] = "BAKING_ERROR"


class NotAnImage(BakingError):
    """The bytes are neither a PNG nor an SVG image (§5.3 allows only those two formats)."""

    code: ClassVar[str] = "NOT_AN_IMAGE"


class DamagedImage(BakingError):
    """The image is structurally broken: bad PNG chunks or CRCs, or malformed XML."""

    code: ClassVar[str] = "DAMAGED_IMAGE"


class UnsafeSvg(BakingError):
    """The SVG uses a DTD, entity or external reference, which is refused outright."""

    code: ClassVar[str] = "UNSAFE_SVG"


class UnsupportedEncoding(BakingError):
    """The SVG is not UTF-8, so bytes cannot be spliced into it safely."""

    code: ClassVar[str] = "UNSUPPORTED_ENCODING"


class NoCredentialInImage(BakingError):
    """The image holds no (non-empty) Open Badges 3.0 credential."""

    code: ClassVar[str] = "NO_CREDENTIAL_IN_IMAGE"


class MultipleCredentials(BakingError):
    """The image holds more than one credential, which §5.3.1 and §5.3.2 forbid."""

    code: ClassVar[str] = "MULTIPLE_CREDENTIALS"


class OpenBadges2Image(BakingError):
    """The image is an Open Badges 2.0 baked badge (``openbadges`` keyword or namespace)."""

    code: ClassVar[str] = "OPEN_BADGES_2_IMAGE"


class AlreadyBaked(BakingError):
    """The image already holds a credential and ``replace`` was not requested."""

    code: ClassVar[str] = "ALREADY_BAKED"


class InvalidPayload(BakingError):
    """The payload is neither a compact JWS nor a JSON object, or cannot be stored losslessly."""

    code: ClassVar[str] = "INVALID_PAYLOAD"
