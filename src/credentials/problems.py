"""RFC 9457 §3.1 problem details for verdicts about input, each spec error code mapped to its defining URI.

A `Problem` carries a stable `code` (never parse `title` or `detail`). Its `type` URI is the defining spec's
base followed by the code:

VC Data Integrity 1.0 §4.7 Processing Errors, base ``https://w3id.org/security#``
    PROOF_GENERATION_ERROR, PROOF_VERIFICATION_ERROR, PROOF_TRANSFORMATION_ERROR, INVALID_DOMAIN_ERROR,
    INVALID_CHALLENGE_ERROR; and DATA_LOSS_DETECTION_ERROR, which VC-DI 1.0 §2.4 (securing data losslessly)
    names for JSON-LD processing that drops data (the §4.7 list omits it; the base is the same).
Controlled Identifiers 1.0 §3.3 Retrieve Verification Method, base ``https://w3id.org/security#``
    INVALID_VERIFICATION_METHOD_URL, INVALID_CONTROLLED_IDENTIFIER_DOCUMENT,
    INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID, INVALID_VERIFICATION_METHOD,
    INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD.
VC Data Model 2.0 §7.1 Verification (problem details), base ``https://www.w3.org/TR/vc-data-model#``
    PARSING_ERROR (-64), CRYPTOGRAPHIC_SECURITY_ERROR (-65), MALFORMED_VALUE_ERROR (-66), RANGE_ERROR (-67).
Bitstring Status List 1.0 §3.5 Processing Errors, base ``https://www.w3.org/ns/credentials/status-list#``
    STATUS_RETRIEVAL_ERROR (-128), STATUS_VERIFICATION_ERROR (-129), STATUS_LIST_LENGTH_ERROR (-130).
Credstack's own codes (defined by no spec), base ``urn:credstack:problem:``
    e.g. CONTEXT_NOT_ALLOWED; the same base `verifier.problems` uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

VC_DATA_INTEGRITY_BASE: Final = "https://w3id.org/security#"
VC_DATA_MODEL_BASE: Final = "https://www.w3.org/TR/vc-data-model#"
STATUS_LIST_BASE: Final = "https://www.w3.org/ns/credentials/status-list#"
CREDSTACK_BASE: Final = "urn:credstack:problem:"

PROOF_GENERATION_ERROR: Final = "PROOF_GENERATION_ERROR"
PROOF_VERIFICATION_ERROR: Final = "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR: Final = "PROOF_TRANSFORMATION_ERROR"
INVALID_DOMAIN_ERROR: Final = "INVALID_DOMAIN_ERROR"
INVALID_CHALLENGE_ERROR: Final = "INVALID_CHALLENGE_ERROR"
DATA_LOSS_DETECTION_ERROR: Final = "DATA_LOSS_DETECTION_ERROR"
INVALID_VERIFICATION_METHOD_URL: Final = "INVALID_VERIFICATION_METHOD_URL"
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT: Final = "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT"
INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID: Final = "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID"
INVALID_VERIFICATION_METHOD: Final = "INVALID_VERIFICATION_METHOD"
INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD: Final = "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"
PARSING_ERROR: Final = "PARSING_ERROR"
CRYPTOGRAPHIC_SECURITY_ERROR: Final = "CRYPTOGRAPHIC_SECURITY_ERROR"
MALFORMED_VALUE_ERROR: Final = "MALFORMED_VALUE_ERROR"
RANGE_ERROR: Final = "RANGE_ERROR"
STATUS_RETRIEVAL_ERROR: Final = "STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR: Final = "STATUS_VERIFICATION_ERROR"
STATUS_LIST_LENGTH_ERROR: Final = "STATUS_LIST_LENGTH_ERROR"

_BASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(
            (
                PROOF_GENERATION_ERROR,
                PROOF_VERIFICATION_ERROR,
                PROOF_TRANSFORMATION_ERROR,
                INVALID_DOMAIN_ERROR,
                INVALID_CHALLENGE_ERROR,
                DATA_LOSS_DETECTION_ERROR,
                INVALID_VERIFICATION_METHOD_URL,
                INVALID_CONTROLLED_IDENTIFIER_DOCUMENT,
                INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID,
                INVALID_VERIFICATION_METHOD,
                INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD,
            ),
            VC_DATA_INTEGRITY_BASE,
        ),
        **dict.fromkeys(
            (PARSING_ERROR, CRYPTOGRAPHIC_SECURITY_ERROR, MALFORMED_VALUE_ERROR, RANGE_ERROR),
            VC_DATA_MODEL_BASE,
        ),
        **dict.fromkeys(
            (STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR, STATUS_LIST_LENGTH_ERROR), STATUS_LIST_BASE
        ),
    }
)


def type_uri(code: str) -> str:
    """RFC 9457 §3.1.1 `type`: the defining spec's base URI + code; codes no spec defines get ours."""
    return _BASES.get(code, CREDSTACK_BASE) + code


@dataclass(frozen=True, slots=True)
class Problem:
    """RFC 9457 §3.1 problem details: a stable `code`, a short `title`, a longer human-readable `detail`."""

    code: str
    title: str
    detail: str

    @property
    def type(self) -> str:
        return type_uri(self.code)

    def as_dict(self) -> dict[str, str]:
        """The RFC 9457 members plus `code`, ready for a JSON response."""
        return {"type": self.type, "code": self.code, "title": self.title, "detail": self.detail}
