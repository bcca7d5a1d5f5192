"""Problem details for reports (RFC 9457 §3.1), with each spec error code mapped to its defining URI."""

from __future__ import annotations

from schemas.report import CheckResult, CheckStatus, ProblemDetails

_VCDM = "https://www.w3.org/TR/vc-data-model#"
_SECURITY = "https://w3id.org/security#"
_STATUS = "https://www.w3.org/ns/credentials/status-list#"
_CREDSTACK = "urn:credstack:problem:"

_BASES: dict[str, str] = {
    "PARSING_ERROR": _VCDM,
    "CRYPTOGRAPHIC_SECURITY_ERROR": _VCDM,
    "MALFORMED_VALUE_ERROR": _VCDM,
    "RANGE_ERROR": _VCDM,
    "PROOF_GENERATION_ERROR": _SECURITY,
    "PROOF_VERIFICATION_ERROR": _SECURITY,
    "PROOF_TRANSFORMATION_ERROR": _SECURITY,
    "INVALID_DOMAIN_ERROR": _SECURITY,
    "INVALID_CHALLENGE_ERROR": _SECURITY,
    "DATA_LOSS_DETECTION_ERROR": _SECURITY,
    "INVALID_VERIFICATION_METHOD_URL": _SECURITY,
    "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT": _SECURITY,
    "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID": _SECURITY,
    "INVALID_VERIFICATION_METHOD": _SECURITY,
    "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD": _SECURITY,
    "STATUS_RETRIEVAL_ERROR": _STATUS,
    "STATUS_VERIFICATION_ERROR": _STATUS,
    "STATUS_LIST_LENGTH_ERROR": _STATUS,
}


def type_uri(code: str) -> str:
    """The problem `type` URI: the defining spec's, else ours (documented in the README)."""
    return _BASES.get(code, _CREDSTACK) + code


def problem(code: str, title: str, detail: str = "") -> ProblemDetails:
    return ProblemDetails(type=type_uri(code), code=code, title=title, detail=detail)


def passed(check_id: str, explanation: str, **info: object) -> CheckResult:
    return CheckResult(id=check_id, status=CheckStatus.PASSED, explanation=explanation, info=dict(info))


def failed(check_id: str, problems: list[ProblemDetails], explanation: str = "") -> CheckResult:
    return CheckResult(id=check_id, status=CheckStatus.FAILED, problems=problems, explanation=explanation)


def errored(check_id: str, problems: list[ProblemDetails], explanation: str = "") -> CheckResult:
    return CheckResult(id=check_id, status=CheckStatus.ERROR, problems=problems, explanation=explanation)


def skipped(check_id: str, reason: str, *, required: bool = True) -> CheckResult:
    return CheckResult(id=check_id, status=CheckStatus.SKIPPED, required=required, explanation=reason)
