"""JSON-LD 1.1 API §9.4.2 (JsonLdErrorCode) as reported here: the errors of JSON-LD processing and the store.

Each processing error carries the stable `code` reports use (VC-DI 1.0 §2.4 DATA_LOSS_DETECTION_ERROR, ...).
"""

from __future__ import annotations

__all__ = ["ContextNotAllowed", "ContextStoreError", "DataLossError", "InputLimitExceeded", "JsonLdProcessingError"]


class JsonLdProcessingError(Exception):
    """Base of the JSON-LD errors; `code` is the stable identifier reports carry."""

    code = "MALFORMED_VALUE_ERROR"


class ContextNotAllowed(JsonLdProcessingError):
    """A document named a context URL outside the pinned and configured set (VC-DI §4.6 context validation)."""

    code = "CONTEXT_NOT_ALLOWED"

    def __init__(self, url: str) -> None:
        super().__init__(
            f"context {url!r} is not one of the pinned contexts; contexts are never fetched from the network"
        )
        self.url = url


class DataLossError(JsonLdProcessingError):
    """VC-DI 1.0 §2.4 / §4.x: JSON-LD processing would drop or leave relative part of the document."""

    code = "DATA_LOSS_DETECTION_ERROR"

    def __init__(self, event: str, detail: str) -> None:
        super().__init__(f"{detail} (jsonld.js safe mode: {event!r})")
        self.event = event


class InputLimitExceeded(JsonLdProcessingError):
    """An untrusted document exceeds a `Limits` bound; reported as a PROOF_TRANSFORMATION_ERROR."""

    code = "PROOF_TRANSFORMATION_ERROR"


class ContextStoreError(Exception):
    """The store itself is misconfigured: a manifest or file is missing, or a pinned hash does not match."""
