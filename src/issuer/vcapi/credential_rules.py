"""VCDM 2.0 §4 (and VCDM 1.1 §4) structure rules for a credential sent to `POST /credentials/issue`.

Pure: the unsecured credential in, the broken rules out (`FieldProblem`s located under `credential`). These are
the rules the W3C test suites send malformed credentials for (VC-API.md "Rules the tests enforce"); what only
JSON-LD processing can tell (undefined terms, redefined protected terms, unpinned or non-URL contexts in embedded
context objects) is refused later, when the credential is canonicalized with data loss detection on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from credentials.proofs import is_date_time_stamp
from issuer.achievements import FieldProblem, Loc
from schemas.ob import VC_V1_CONTEXT, VC_V2_CONTEXT

VC_V2: Final = "2.0"
VC_V1: Final = "1.1"
BASE_CONTEXTS: Final = {VC_V2_CONTEXT: VC_V2, VC_V1_CONTEXT: VC_V1}
# VCDM 2.0 §4.4: "a URL": an absolute URI (RFC 3986 §4.3, a scheme and something after it), no whitespace.
_URL: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")
# VCDM 2.0 §4.2: members whose every value must be an object with a `type`.
TYPED_MEMBERS: Final = ("credentialStatus", "credentialSchema", "termsOfUse", "evidence", "refreshService")
DATE_MEMBERS: Final = {VC_V2: ("validFrom", "validUntil"), VC_V1: ("issuanceDate", "expirationDate")}
LANGUAGE_VALUE_KEYS: Final = frozenset({"@value", "@language", "@direction"})


def is_url(value: object) -> bool:
    """VCDM 2.0 §4.4 Identifiers: a single absolute URL."""
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def as_list(value: Any) -> list[Any]:
    """VCDM 2.0 §4.2: one value or an array of values."""
    return value if isinstance(value, list) else [value]


def vc_version(credential: Mapping[str, Any]) -> str | None:
    """VCDM 2.0 §4.3 / VCDM 1.1 §4.1: "2.0" or "1.1" from the first @context entry; None when it is neither."""
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else None
    return BASE_CONTEXTS.get(first) if isinstance(first, str) else None


def _problem(loc: Loc, msg: str, type_: str = "value_error") -> FieldProblem:
    return FieldProblem(("credential", *loc), msg, type_)


def context_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.3 Contexts: an ordered set (array) of URLs and objects, the VC base context first."""
    contexts = credential.get("@context")
    if contexts is None:
        yield _problem(("@context",), "required: the VC base context first", "missing")
        return
    if not isinstance(contexts, list) or not contexts:
        yield _problem(("@context",), "must be an array of URLs and objects, the VC base context first")
        return
    if vc_version(credential) is None:
        yield _problem(("@context", 0), f"must be {VC_V2_CONTEXT} (or {VC_V1_CONTEXT} for VCDM 1.1)")
    for index, entry in enumerate(contexts):
        if not (is_url(entry) or isinstance(entry, dict)):
            yield _problem(("@context", index), "a context must be a URL or an object")


def type_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.5 Types: an array of strings that includes VerifiableCredential."""
    types = credential.get("type")
    if types is None:
        yield _problem(("type",), "required: an array including VerifiableCredential", "missing")
    elif not isinstance(types, list) or not all(isinstance(item, str) for item in types):
        yield _problem(("type",), "must be an array of strings")
    elif "VerifiableCredential" not in types:
        yield _problem(("type",), "must include VerifiableCredential")


def id_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.4 Identifiers: `id`, when present, is one URL."""
    if "id" in credential and not is_url(credential["id"]):
        yield _problem(("id",), "must be a single URL")


def issuer_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.7 Issuer: a URL, or an object whose `id` is a URL."""
    issuer = credential.get("issuer")
    if issuer is None:
        yield _problem(("issuer",), "required: a URL or an object with a URL id", "missing")
    elif isinstance(issuer, dict):
        if not is_url(issuer.get("id")):
            yield _problem(("issuer", "id"), "must be a URL")
        yield from _name_and_description(issuer, ("issuer",))
    elif not is_url(issuer):
        yield _problem(("issuer",), "must be a URL or an object with a URL id")


def subject_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.8 Credential Subject: one or more objects, each with at least one claim; ids are URLs."""
    subjects = credential.get("credentialSubject")
    if subjects is None:
        yield _problem(("credentialSubject",), "required: one or more objects with claims", "missing")
        return
    if isinstance(subjects, list) and not subjects:
        yield _problem(("credentialSubject",), "must not be empty")
    many = isinstance(subjects, list)
    for index, subject in enumerate(as_list(subjects)):
        loc: Loc = ("credentialSubject", index) if many else ("credentialSubject",)
        if not isinstance(subject, dict):
            yield _problem(loc, "must be an object")
        elif not subject:
            yield _problem(loc, "must make at least one claim")
        elif "id" in subject and not is_url(subject["id"]):
            yield _problem((*loc, "id"), "must be a single URL")


def typed_member_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.10-§4.12, §5.4-§5.6: status, schema, terms of use, evidence and refresh entries have a `type`."""
    for name in TYPED_MEMBERS:
        if name not in credential:
            continue
        values = credential[name]
        many = isinstance(values, list)
        for index, value in enumerate(as_list(values)):
            loc: Loc = (name, index) if many else (name,)
            if not isinstance(value, dict) or "type" not in value:
                yield _problem(loc, "must be an object with a type", "missing_type")
            elif "id" in value and not is_url(value["id"]):
                yield _problem((*loc, "id"), "must be a single URL")


def date_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.9 Validity Period (VCDM 1.1 §4.6-§4.7): date-times are XSD dateTimeStamps (time zone required)."""
    version = vc_version(credential) or VC_V2
    for name in DATE_MEMBERS[version]:
        if name in credential and not is_date_time_stamp(credential[name]):
            yield _problem((name,), "must be an XSD dateTimeStamp, e.g. 2025-01-31T12:00:00Z", "date_time")


def _is_language_value(value: object) -> bool:
    """VCDM 2.0 §11.1 Language and Base Direction: {"@value": string, "@language"?, "@direction"?}."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("@value"), str)
        and set(value) <= LANGUAGE_VALUE_KEYS
        and all(isinstance(value[key], str) for key in value)
    )


def _name_and_description(holder: Mapping[str, Any], loc: Loc) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.6 Names and Descriptions: a string, a language value object, or an array of those."""
    for name in ("name", "description"):
        if name not in holder:
            continue
        values = holder[name]
        if isinstance(values, str) or _is_language_value(values):
            continue
        if not isinstance(values, list) or not values or not all(_is_language_value(v) for v in values):
            yield _problem((*loc, name), "must be a string or language value objects ({@value, @language})")


def name_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VCDM 2.0 §4.6: the credential's own `name` and `description` (the issuer's are checked with the issuer)."""
    yield from _name_and_description(credential, ())


def proof_problems(credential: Mapping[str, Any]) -> Iterator[FieldProblem]:
    """VC-API §"Issue Credential": an instance may refuse credentials that already carry proofs; this one does."""
    if "proof" in credential:
        yield _problem(("proof",), "send the credential without a proof: this issuer adds the only one", "proof")


def credential_problems(credential: Mapping[str, Any]) -> list[FieldProblem]:
    """Every VCDM structure rule the credential breaks, in document order of the rules above."""
    rules = (
        context_problems,
        type_problems,
        id_problems,
        issuer_problems,
        subject_problems,
        typed_member_problems,
        date_problems,
        name_problems,
        proof_problems,
    )
    return [problem for rule in rules for problem in rule(credential)]
