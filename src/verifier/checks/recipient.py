"""OB 3.0 §8.1 step 5 "Recipient verification": a known DID or email against the subject's id or identifiers.

IdentityHash (OB 3.0 §B.2.4) is `<alg>$<hex>` with alg sha256 or md5 over UTF-8(identifier || salt).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from schemas.report import CheckResult
from verifier.checks.conformance import as_list
from verifier.problems import failed, passed, problem, skipped

CHECK_ID = "recipient"
_HASHES = {"sha256": hashlib.sha256, "md5": hashlib.md5}


def identity_hash(identifier: str, salt: str | None, algorithm: str = "sha256") -> str:
    """OB 3.0 §B.2.4 IdentityHash of an identifier with an optional salt."""
    digest = _HASHES[algorithm]((identifier + (salt or "")).encode("utf-8")).hexdigest()
    return f"{algorithm}${digest}"


def _matches_identity(identity: Mapping[str, Any], value: str) -> bool:
    stored = identity.get("identityHash")
    if not isinstance(stored, str):
        return False
    candidates = {value, value.strip().lower()}
    if identity.get("hashed") is not True:
        return any(_same(stored.strip().lower(), c.lower()) for c in candidates)
    algorithm, _, _ = stored.partition("$")
    if algorithm.lower() not in _HASHES:
        return False
    salt = identity.get("salt") if isinstance(identity.get("salt"), str) else None
    expected = stored.lower()
    return any(_same(identity_hash(c, salt, algorithm.lower()), expected) for c in candidates)


def _same(left: str, right: str) -> bool:
    """Constant-time equality over UTF-8: hmac.compare_digest refuses str values that are not ASCII."""
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))


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
            if email is not None and kind == "emailAddress" and _matches_identity(identity, email):
                return passed(CHECK_ID, "The credential was issued to the given email address.", matched="identifier")
            if did is not None and kind in {"identifier", "systemId"} and _matches_identity(identity, did):
                return passed(CHECK_ID, "The credential was issued to the given DID.", matched="identifier")
    who = "email address" if email is not None else "DID"
    return failed(
        CHECK_ID,
        [problem("RECIPIENT_MISMATCH", f"The credential was not issued to the given {who}")],
        f"The credential does not name the given {who} as its recipient.",
    )
