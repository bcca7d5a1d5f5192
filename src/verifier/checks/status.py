"""Bitstring Status List v1.0 §3.2 Validate Algorithm, StatusList2021 (W3C CCG) and 1EdTech VCRL 1.0: `status`.

Each credentialStatus entry is checked on its own and the results combine: any FAILED makes the check FAILED,
else any ERROR makes it ERROR, else it PASSED. A status that could not be determined (list unreachable, list
signature not checkable right now, unsupported status type) is ERROR and never PASSED; defects in the
credential's entry or in the issuer's list are FAILED. Proof and issuer checks of the list credential belong to
the pipeline, which injects them as `verify_list`. Nothing here raises for bad input: the check returns a result.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from credentials.status.bitstring import DEFAULT_MINIMUM_ENTRIES, StatusList, StatusListError, parse_status_list_index
from credentials.status.fetch import StatusListFetcher, StatusRetrievalError, strip_fragment
from schemas.report import CheckResult, CheckStatus, ProblemDetails
from verifier.checks.conformance import as_list, is_date_time_stamp, is_uri, shown
from verifier.checks.proof_purpose import issuer_id
from verifier.checks.validity import parse_date_time
from verifier.problems import problem

__all__ = ["CHECK_ID", "MAX_STATUS_ENTRIES", "MAX_STATUS_SIZE", "ListVerdict", "ListVerifier", "check_status"]

CHECK_ID = "status"
# Each entry may cost a network round trip; a credential has no reason to carry more than a handful.
MAX_STATUS_ENTRIES: Final = 8
# statusSize > 1 needs 2**statusSize messages in the credential, so larger sizes cannot be expressed sensibly.
MAX_STATUS_SIZE: Final = 16
DEFAULT_SKEW: Final = timedelta(minutes=5)
REVOCATION_LIST_TYPE: Final = "1EdTechRevocationList"
_HEX_STATUS: Final = re.compile(r"0x[0-9A-Fa-f]{1,8}")

_MALFORMED: Final = "MALFORMED_VALUE_ERROR"
_RETRIEVAL: Final = "STATUS_RETRIEVAL_ERROR"
_VERIFICATION: Final = "STATUS_VERIFICATION_ERROR"

_LIST_NOUNS: Final = {"revocation": "revocation list", "suspension": "suspension list"}
_UNKNOWNS: Final = {
    "revocation": "whether the credential is revoked",
    "suspension": "whether the credential is suspended",
    "refresh": "whether a refresh is available",
    "message": "its status message",
}
_BAD_ENTRY: Final = "The credential's status entry is malformed, so its status cannot be checked."
_BAD_LIST: Final = "The issuer's status list is malformed."
_EXPIRED_LIST: Final = "The issuer's status list has expired, so it cannot be relied on."
_EARLY_LIST: Final = "The issuer's status list is not valid yet, so it cannot be relied on."
_REVOKED: Final = "The issuer has revoked this credential."
_CODEC_EXPLANATIONS: Final = {
    "STATUS_LIST_LENGTH_ERROR": "The issuer's status list is shorter than the 131,072 entries required for privacy.",
    "RANGE_ERROR": "The credential's status index lies outside the issuer's status list.",
    _MALFORMED: "The issuer's status list cannot be decoded.",
}


@dataclass(frozen=True, slots=True)
class ListVerdict:
    """The pipeline's verdict on a status list credential: proof verified and issuer bound (BSL §3.2 step 2).

    `transient` marks a verdict that could not be reached for now (e.g. the list issuer's DID did not resolve).
    """

    verified: bool
    transient: bool = False
    problems: tuple[ProblemDetails, ...] = ()
    issuer: str | None = None


ListVerifier = Callable[[dict[str, Any]], Awaitable[ListVerdict]]
"""Verifies a status list credential's proof and issuer binding; injected by the pipeline."""


@dataclass(frozen=True, slots=True)
class _Flavour:
    """What differs between Bitstring Status List v1.0 and its predecessor StatusList2021."""

    list_type: str
    subject_type: str
    legacy: bool


# StatusList2021 predates multibase and statusSize; in the wild its lists often lack an id, its indexes are
# sometimes JSON integers and its purposes capitalised ("Revocation"), so it is read leniently.
_FLAVOURS: Final = {
    "BitstringStatusListEntry": _Flavour("BitstringStatusListCredential", "BitstringStatusList", legacy=False),
    "StatusList2021Entry": _Flavour("StatusList2021Credential", "StatusList2021", legacy=True),
}


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    purpose: str
    index: int
    url: str
    size: int
    messages: Mapping[int, str]


@dataclass(frozen=True, slots=True)
class _Context:
    fetcher: StatusListFetcher
    verify_list: ListVerifier
    now: datetime
    skew: timedelta
    credential_id: object
    issuer: str | None


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: CheckStatus
    problems: tuple[ProblemDetails, ...]
    explanation: str
    info: Mapping[str, Any]


class _Stop(Exception):
    """Ends one entry's check early with a verdict; never leaves this module."""

    def __init__(self, status: CheckStatus, problems: tuple[ProblemDetails, ...], explanation: str) -> None:
        super().__init__(explanation)
        self.status = status
        self.problems = problems
        self.explanation = explanation


def _fail(code: str, title: str, detail: str, explanation: str) -> _Stop:
    return _Stop(CheckStatus.FAILED, (problem(code, title, detail),), explanation)


def _shown(value: Any) -> str:
    """A bounded rendering for problem details: the value comes from the credential or the network."""
    return shown(value)


def _date_time(value: Any) -> datetime | None:
    """XML Schema dateTimeStamp as an aware datetime, or None; the pattern alone admits e.g. month 13."""
    if not is_date_time_stamp(value):
        return None
    try:
        return parse_date_time(value)
    except ValueError:
        return None


async def check_status(
    credential: Mapping[str, Any],
    *,
    fetcher: StatusListFetcher | None,
    verify_list: ListVerifier,
    now: datetime | None = None,
    skew: timedelta = DEFAULT_SKEW,
) -> CheckResult:
    """Bitstring Status List v1.0 §3.2: validate every credentialStatus entry; `fetcher=None` means offline."""
    entries = as_list(credential.get("credentialStatus"))
    if not entries:
        return _skipped("The credential has no status entry, so there is no revocation or suspension to check.")
    if len(entries) > MAX_STATUS_ENTRIES:
        detail = f"{len(entries)} entries; at most {MAX_STATUS_ENTRIES} are checked"
        return CheckResult(
            id=CHECK_ID,
            status=CheckStatus.FAILED,
            problems=[problem(_MALFORMED, "Too many credentialStatus entries", detail)],
            explanation="The credential lists more status entries than Credstack will check.",
        )
    if fetcher is None:
        # --offline is the user's explicit choice, so it does not fail verification; the report still says so.
        return _skipped("Offline: status lists were not fetched, so revocation and suspension were NOT checked.")
    context = _Context(
        fetcher, verify_list, now or datetime.now(UTC), skew, credential.get("id"), issuer_id(credential)
    )
    outcomes = await asyncio.gather(*(_check_entry(entry, context) for entry in entries))
    return _combine(outcomes, context.now)


def _skipped(reason: str) -> CheckResult:
    return CheckResult(id=CHECK_ID, status=CheckStatus.SKIPPED, required=False, explanation=reason)


def _combine(outcomes: list[_Outcome], now: datetime) -> CheckResult:
    failures = [o for o in outcomes if o.status is CheckStatus.FAILED]
    errors = [o for o in outcomes if o.status is CheckStatus.ERROR]
    if failures:
        status, chosen = CheckStatus.FAILED, failures
    elif errors:
        status, chosen = CheckStatus.ERROR, errors
    else:
        status, chosen = CheckStatus.PASSED, outcomes
    return CheckResult(
        id=CHECK_ID,
        status=status,
        problems=[p for o in outcomes for p in o.problems],
        # dict.fromkeys: two entries with the same finding read better as one sentence.
        explanation=" ".join(dict.fromkeys(o.explanation for o in chosen)),
        info={"entries": [dict(o.info) for o in outcomes], "checked_at": now.isoformat()},
    )


async def _check_entry(entry: Any, context: _Context) -> _Outcome:
    """VCDM 2.0 §4.10 Status: dispatch one credentialStatus entry on its type."""
    info: dict[str, Any] = {}
    try:
        if not isinstance(entry, Mapping):
            raise _fail(_MALFORMED, "A credentialStatus entry must be an object", _shown(entry), _BAD_ENTRY)
        kinds = [k for k in as_list(entry.get("type")) if isinstance(k, str)]
        info["type"] = kinds[0] if len(kinds) == 1 else kinds
        if kind := next((k for k in kinds if k in _FLAVOURS), None):
            info["type"] = kind
            return await _check_bitstring(_parse_entry(entry, kind, info), context, info)
        if REVOCATION_LIST_TYPE in kinds:
            info["type"] = REVOCATION_LIST_TYPE
            return await _check_revocation_list(entry, context, info)
        raise _unsupported_type(kinds)
    except _Stop as stop:
        return _Outcome(stop.status, stop.problems, stop.explanation, info)


def _unsupported_type(kinds: list[str]) -> _Stop:
    named = ", ".join(kinds) or "no type"
    return _Stop(
        CheckStatus.ERROR,
        (problem("UNSUPPORTED_STATUS_TYPE", "Unsupported credentialStatus type", named),),
        f"Credstack cannot check status entries of type {named}, so the credential's status is unknown.",
    )


def _parse_entry(entry: Mapping[str, Any], kind: str, info: dict[str, Any]) -> _Entry:
    """Bitstring Status List v1.0 §2.1 BitstringStatusListEntry (and StatusList2021Entry) properties."""
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise _fail(_MALFORMED, "statusPurpose must be a non-empty string", _shown(purpose), _BAD_ENTRY)
    info["purpose"] = purpose
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not is_uri(url):
        raise _fail(_MALFORMED, "statusListCredential must be a URL", _shown(url), _BAD_ENTRY)
    info["list"] = url
    try:
        index = parse_status_list_index(entry.get("statusListIndex"), allow_int=_FLAVOURS[kind].legacy)
    except StatusListError as exc:
        raise _fail(exc.code, "statusListIndex is not usable", str(exc), _BAD_ENTRY) from exc
    info["index"] = index
    size = 1 if _FLAVOURS[kind].legacy else _status_size(entry)
    return _Entry(kind, purpose, index, url, size, _status_messages(entry.get("statusMessage"), size))


def _status_size(entry: Mapping[str, Any]) -> int:
    """Bitstring Status List v1.0 §2.1 statusSize: an integer greater than zero, 1 when absent."""
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise _fail(_MALFORMED, "statusSize must be an integer greater than zero", _shown(size), _BAD_ENTRY)
    if size > MAX_STATUS_SIZE:
        detail = f"statusSize {size} exceeds the supported {MAX_STATUS_SIZE}"
        raise _fail(_MALFORMED, "statusSize is too large", detail, _BAD_ENTRY)
    return size


def _status_messages(value: Any, size: int) -> dict[int, str]:
    """Bitstring Status List v1.0 §2.1 statusMessage: one {status: "0x…", message} per possible value."""
    if value is None:
        if size > 1:
            raise _fail(_MALFORMED, "statusMessage is required when statusSize > 1", f"statusSize {size}", _BAD_ENTRY)
        return {}
    if not isinstance(value, list) or len(value) != 1 << size:
        detail = f"expected {1 << size} entries for statusSize {size}"
        raise _fail(_MALFORMED, "statusMessage must list every possible status value", detail, _BAD_ENTRY)
    messages: dict[int, str] = {}
    for item in value:
        status = item.get("status") if isinstance(item, Mapping) else None
        text = item.get("message") if isinstance(item, Mapping) else None
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status) or not isinstance(text, str):
            raise _fail(_MALFORMED, "statusMessage entries need a hex status and a message", _shown(item), _BAD_ENTRY)
        messages[int(status, 16)] = text
    return messages


async def _check_bitstring(entry: _Entry, context: _Context, info: dict[str, Any]) -> _Outcome:
    """Bitstring Status List v1.0 §3.2 Validate Algorithm steps 2–12 for one parsed entry."""
    flavour = _FLAVOURS[entry.kind]
    list_credential = await _fetch(context.fetcher, entry.url, entry.purpose, info)
    issuer = await _verify_list(context, list_credential, entry)
    if issuer is not None:
        info["list_issuer"] = issuer
    subject = _list_subject(list_credential, flavour, entry)
    _check_list_window(list_credential, context.now, context.skew)
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise _fail(_MALFORMED, "The status list has no encodedList string", _shown(encoded), _BAD_LIST)
    try:
        status_list = StatusList.decode(encoded, entry.size, DEFAULT_MINIMUM_ENTRIES, allow_unprefixed=flavour.legacy)
        value = status_list.get(entry.index)
    except StatusListError as exc:
        raise _fail(
            exc.code, "The status list could not be used", str(exc), _CODEC_EXPLANATIONS.get(exc.code, _BAD_LIST)
        ) from exc
    info["value"] = value
    return _interpret(entry, value, info)


async def _fetch(fetcher: StatusListFetcher, url: str, purpose: str, info: dict[str, Any]) -> dict[str, Any]:
    """Bitstring Status List v1.0 §3.2 step 2: a failed dereference is STATUS_RETRIEVAL_ERROR (ERROR, not PASSED)."""
    try:
        return await fetcher.fetch(url)
    except StatusRetrievalError as exc:
        info["retrieval_error"] = exc.reason
        noun = _LIST_NOUNS.get(purpose, "status list")
        raise _Stop(
            CheckStatus.ERROR,
            (problem(_RETRIEVAL, "The status list could not be retrieved", str(exc)),),
            f"The {noun} could not be fetched ({exc.summary}), so {_UNKNOWNS.get(purpose, 'its status')} is unknown.",
        ) from exc


async def _verify_list(context: _Context, list_credential: dict[str, Any], entry: _Entry) -> str | None:
    """Bitstring Status List v1.0 §3.2 step 2: every proof on the list verifies, else STATUS_VERIFICATION_ERROR."""
    verdict = await context.verify_list(list_credential)
    if verdict.verified:
        return verdict.issuer
    first = problem(_VERIFICATION, "The status list credential did not verify", entry.url)
    if verdict.transient:
        unknown = _UNKNOWNS.get(entry.purpose, "its status")
        explanation = f"The status list's signature could not be checked now, so {unknown} is unknown."
        raise _Stop(CheckStatus.ERROR, (first, *verdict.problems), explanation)
    if verdict.issuer is not None and context.issuer is not None and verdict.issuer != context.issuer:
        # Only the credential's own issuer may say whether it is revoked; a stranger's valid list proves nothing.
        explanation = (
            f"The status list at {entry.url} was issued by {verdict.issuer}, not by the credential's issuer, "
            "so it cannot vouch for this credential."
        )
    else:
        explanation = "The status list is not verifiably the issuer's (its proof failed), so it cannot be trusted."
    raise _Stop(CheckStatus.FAILED, (first, *verdict.problems), explanation)


def _list_subject(list_credential: Mapping[str, Any], flavour: _Flavour, entry: _Entry) -> Mapping[str, Any]:
    """Bitstring Status List v1.0 §2.2 list credential shape and §3.2 step 3 purpose match."""
    if flavour.list_type not in as_list(list_credential.get("type")):
        raise _list_mismatch(f"the list credential's type does not include {flavour.list_type}")
    # §2.2: the list credential's id MUST match statusListCredential (a fragment on either side is not compared).
    list_id = list_credential.get("id")
    if not flavour.legacy and (not isinstance(list_id, str) or strip_fragment(list_id) != strip_fragment(entry.url)):
        raise _list_mismatch(f"the list credential's id {_shown(list_id)} is not {entry.url}")
    subjects = [
        s
        for s in as_list(list_credential.get("credentialSubject"))
        if isinstance(s, Mapping) and flavour.subject_type in as_list(s.get("type"))
    ]
    if not subjects:
        raise _list_mismatch(f"the list credential has no {flavour.subject_type} subject")
    purposes = [p for p in as_list(subjects[0].get("statusPurpose")) if isinstance(p, str)]
    fold = str.casefold if flavour.legacy else str
    if fold(entry.purpose) not in {fold(p) for p in purposes}:
        raise _list_mismatch(
            f"the entry's statusPurpose {entry.purpose} is not one of the list's ({', '.join(purposes) or 'none'})"
        )
    return subjects[0]


def _list_mismatch(detail: str) -> _Stop:
    return _fail(
        _VERIFICATION,
        "The status list does not match the credential's status entry",
        detail,
        "The issuer's status list does not match the credential's status entry.",
    )


def _check_list_window(list_credential: Mapping[str, Any], now: datetime, skew: timedelta) -> None:
    """VCDM 2.0 §4.9 (and 1.1 §4.6/§4.7) applied to the list credential: it must be valid at `now`."""
    for name in ("validFrom", "issuanceDate", "validUntil", "expirationDate"):
        value = list_credential.get(name)
        if value is None:
            continue
        moment = _date_time(value)
        if moment is None:
            raise _fail(_MALFORMED, f"The status list's {name} is not a date-time", _shown(value), _BAD_LIST)
        if name in ("validUntil", "expirationDate") and now - skew > moment:
            raise _fail(_VERIFICATION, "The status list has expired", f"{name} was {value}", _EXPIRED_LIST)
        if name in ("validFrom", "issuanceDate") and now + skew < moment:
            raise _fail(_VERIFICATION, "The status list is not yet valid", f"{name} is {value}", _EARLY_LIST)


def _interpret(entry: _Entry, value: int, info: dict[str, Any]) -> _Outcome:
    """Bitstring Status List v1.0 §2.1 statusPurpose: what the value at the index means for this credential."""
    message = entry.messages.get(value)
    if message is not None:
        info["message"] = message
    if entry.purpose == "message":
        text = message if message is not None else f"status {value:#x}"
        return _Outcome(CheckStatus.PASSED, (), f"The issuer's status message for this credential: {text}.", info)
    if value == 0:
        return _Outcome(CheckStatus.PASSED, (), _clear_explanation(entry), info)
    if entry.purpose == "revocation":
        return _Outcome(CheckStatus.FAILED, (_set_problem("CREDENTIAL_REVOKED", entry),), _REVOKED, info)
    if entry.purpose == "suspension":
        explanation = "The issuer has suspended this credential."
        return _Outcome(CheckStatus.FAILED, (_set_problem("CREDENTIAL_SUSPENDED", entry),), explanation, info)
    if entry.purpose == "refresh":
        return _Outcome(CheckStatus.PASSED, (), "The issuer has a refreshed version of this credential.", info)
    detail = f"statusPurpose {entry.purpose} has value {value:#x}"
    explanation = f'The credential has a status of purpose "{entry.purpose}" that Credstack cannot interpret.'
    return _Outcome(
        CheckStatus.ERROR, (problem("UNSUPPORTED_STATUS_PURPOSE", "Unknown status purpose", detail),), explanation, info
    )


def _set_problem(code: str, entry: _Entry) -> ProblemDetails:
    title = "The credential has been revoked" if code == "CREDENTIAL_REVOKED" else "The credential is suspended"
    return problem(code, title, f"index {entry.index} is set in {entry.url}")


def _clear_explanation(entry: _Entry) -> str:
    if entry.purpose == "revocation":
        return f"Not revoked: checked against the issuer's revocation list at {entry.url}."
    if entry.purpose == "suspension":
        return f"Not suspended: checked against the issuer's suspension list at {entry.url}."
    if entry.purpose == "refresh":
        return "No refresh of this credential is pending."
    return f'The credential\'s "{entry.purpose}" status is not set.'


async def _check_revocation_list(entry: Mapping[str, Any], context: _Context, info: dict[str, Any]) -> _Outcome:
    """1EdTech Revocation List Status Method 1.0: is the credential's id on the issuer's revocation list?"""
    url = entry.get("id")
    if not isinstance(url, str) or not is_uri(url):
        raise _fail(_MALFORMED, "A 1EdTechRevocationList entry's id must be the list's URL", _shown(url), _BAD_ENTRY)
    info.update(purpose="revocation", list=url)
    credential_id = context.credential_id
    if not isinstance(credential_id, str) or not credential_id:
        detail = "a revocation list names credentials by id"
        raise _fail(_MALFORMED, "The credential has no id to look up", detail, _BAD_ENTRY)
    document = await _fetch(context.fetcher, url, "revocation", info)
    revoked, reason = _find_revocation(document, credential_id)
    info["value"] = int(revoked)
    if not revoked:
        explanation = f"Not revoked: the credential is not on the issuer's revocation list at {url}."
        return _Outcome(CheckStatus.PASSED, (), explanation, info)
    if reason:
        info["reason"] = reason
    detail = f"{credential_id} is listed in {url}" + (f": {reason}" if reason else "")
    return _Outcome(
        CheckStatus.FAILED, (problem("CREDENTIAL_REVOKED", "The credential has been revoked", detail),), _REVOKED, info
    )


def _find_revocation(document: Mapping[str, Any], credential_id: str) -> tuple[bool, str | None]:
    """1EdTech VCRL 1.0 RevocationList: an entry with the credential's id, and `revoked` not false, revokes it."""
    # The property is spelled revokedCredentials in VCRL 1.0; some publishers use the singular.
    listed = document.get("revokedCredentials", document.get("revokedCredential", []))
    if not isinstance(listed, list):
        raise _fail(_MALFORMED, "revokedCredentials must be an array", type(listed).__name__, _BAD_LIST)
    for item in listed:
        if isinstance(item, Mapping) and item.get("id") == credential_id and item.get("revoked", True) is not False:
            reason = item.get("revocationReason")
            return True, reason if isinstance(reason, str) else None
    return False, None
