"""OB 3.0 §8.1 step 5 "Recipient verification": a known DID or email against the subject's id or identifiers.

IdentityHash matching (OB 3.0 §B.2.4) is credentials.identity's, shared with the issuer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials.identity import identity_matches
from schemas.report import CheckResult
from verifier.checks.conformance import as_list
from verifier.problems import failed, passed, problem, skipped

CHECK_ID = "recipient"


def _subjects(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in as_list(credential.get("credentialSubject")) if isinstance(s, Mapping)]


def check_recipient(credential: Mapping[str, Any], *, email: str | None = None, did: str | None = None) -> CheckResult:
    """Does the credential name the person the caller expects? Skipped unless an email or DID is given."""
    if email is None and did is None:
        return skipped(CHECK_ID, "No recipient was given to compare against.", required=False)
    for subject in _subjects(credential):
        if did is not None and subject.get("id") == did:
            return passed(CHECK_ID, "The credential was issued to the given DID.", matched="id")
        for identity in as_list(subject.get("identifier")):
            if not isinstance(identity, Mapping):
                continue
            kind = identity.get("identityType")
            if email is not None and kind == "emailAddress" and identity_matches(identity, email):
                return passed(CHECK_ID, "The credential was issued to the given email address.", matched="identifier")
            if did is not None and kind in {"identifier", "systemId"} and identity_matches(identity, did):
                return passed(CHECK_ID, "The credential was issued to the given DID.", matched="identifier")
    who = "email address" if email is not None else "DID"
    return failed(
        CHECK_ID,
        [problem("RECIPIENT_MISMATCH", f"The credential was not issued to the given {who}")],
        f"The credential does not name the given {who} as its recipient.",
    )
