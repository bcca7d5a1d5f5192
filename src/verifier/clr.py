"""CLR 2.0 ClrCredential (STANDARDS.md §5): the outer credential is verified like any other, then each credential
bundled in `credentialSubject.verifiableCredential` independently (STANDARDS.md §12 item 43).

Pure: which documents are CLRs, what they bundle, and the CLR-specific structure rules the generic
conformance check does not know.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from schemas import ob
from schemas.report import ProblemDetails
from verifier.checks.conformance import as_list
from verifier.problems import problem


def is_clr(credential: Mapping[str, Any]) -> bool:
    return ob.CLR_CREDENTIAL_TYPE in as_list(credential.get("type"))


def clr_entries(credential: Mapping[str, Any]) -> list[Any]:
    """ClrSubject.verifiableCredential (1..*) of every subject, in order."""
    entries: list[Any] = []
    for subject in as_list(credential.get("credentialSubject")):
        if isinstance(subject, Mapping):
            entries.extend(as_list(subject.get("verifiableCredential")))
    return entries


def clr_problems(credential: Mapping[str, Any]) -> Iterator[ProblemDetails]:
    """STANDARDS.md §5: the CLR context is listed, the subject is a ClrSubject, and it bundles credentials."""
    contexts = as_list(credential.get("@context"))
    if not any(isinstance(c, str) and ob.CLR_CONTEXT_PATTERN.match(c) for c in contexts):
        yield problem("MALFORMED_VALUE_ERROR", "A CLR must list the CLR 2.0 context")
    subjects = [s for s in as_list(credential.get("credentialSubject")) if isinstance(s, Mapping)]
    if subjects and not all("ClrSubject" in as_list(s.get("type")) for s in subjects):
        yield problem("MALFORMED_VALUE_ERROR", "credentialSubject.type must include ClrSubject")
    entries = clr_entries(credential)
    if not entries:
        yield problem("NO_CREDENTIALS", "The CLR bundles no credential", "credentialSubject.verifiableCredential")
    for index, item in enumerate(entries):
        if not isinstance(item, dict | str):
            detail = f"entry #{index + 1} is a JSON {type(item).__name__}"
            yield problem("MALFORMED_VALUE_ERROR", "verifiableCredential entries must be credentials", detail)
