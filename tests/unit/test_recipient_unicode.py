"""verifier.checks.recipient with non-ASCII identities: a verdict, never an exception."""

from __future__ import annotations

import hashlib

from schemas.report import CheckStatus
from verifier.checks.recipient import check_recipient


def credential(identity: dict[str, object]) -> dict[str, object]:
    return {"credentialSubject": {"type": ["AchievementSubject"], "identifier": [identity]}}


def test_plaintext_non_ascii_email_matches() -> None:
    identity = {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": False,
        "identityHash": "josé@example.com",
    }
    assert check_recipient(credential(identity), email="José@example.com", did=None).status is CheckStatus.PASSED


def test_hashed_non_ascii_email_matches_and_mismatches() -> None:
    digest = hashlib.sha256("josé@example.comNaCl".encode()).hexdigest()
    identity = {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": "NaCl",
    }
    assert check_recipient(credential(identity), email="josé@example.com", did=None).status is CheckStatus.PASSED
    assert check_recipient(credential(identity), email="jösé@example.com", did=None).status is CheckStatus.FAILED


def test_non_ascii_stored_hash_is_a_mismatch_not_a_crash() -> None:
    identity = {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "identityHash": "sha256$ü"}
    assert check_recipient(credential(identity), email="a@example.com", did=None).status is CheckStatus.FAILED
