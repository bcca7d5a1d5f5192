"""Scenario tests for the pure checks: conformance, validity, recipient (OB 3.0 §8.1, VCDM 2.0 §4.9)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.identity import identity_hash
from credentials.jsonld import ContextStore
from schemas.report import CheckStatus
from verifier.checks.conformance import check_conformance
from verifier.checks.recipient import check_recipient
from verifier.checks.validity import check_validity

OB_CREDENTIAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.edu/issuers/565049", "type": ["Profile"], "name": "Example Corp"},
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
                "identityType": "emailAddress",
                "salt": "Kosher",
            }
        ],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {"narrative": "Team members are nominated for this badge by their peers."},
            "description": "This badge recognizes the development of the capacity to collaborate.",
            "name": "Teamwork",
            "achievementType": "Badge",
        },
    },
}


@pytest.fixture(scope="module")
def contexts() -> ContextStore:
    return ContextStore.load()


def test_identity_hash_published_example() -> None:
    expected = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    assert identity_hash("a@example.com", "Kosher") == expected


def test_conformant_open_badge_passes(contexts: ContextStore) -> None:
    assert check_conformance(OB_CREDENTIAL, contexts).status is CheckStatus.PASSED


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (("credentialSubject", "achievement", "achievementType"), "Trophy", "MALFORMED_VALUE_ERROR"),
        (("credentialSubject", "achievement", "achievementType"), "ext:Trophy", None),
        (("validFrom",), "2010-01-01T00:00:00", "MALFORMED_VALUE_ERROR"),
        (("@context",), ["https://www.w3.org/ns/credentials/v2", "https://example.org/ctx"], "CONTEXT_NOT_ALLOWED"),
        (("undefinedTerm",), "dropped by JSON-LD", "DATA_LOSS_DETECTION_ERROR"),
        (("type",), ["OpenBadgeCredential"], "MALFORMED_VALUE_ERROR"),
    ],
)
def test_conformance_scenarios(contexts: ContextStore, path: tuple[str, ...], value: Any, code: str | None) -> None:
    credential = copy.deepcopy(OB_CREDENTIAL)
    target = credential
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    result = check_conformance(credential, contexts)
    if code is None:
        assert result.status is CheckStatus.PASSED
    else:
        assert result.status is CheckStatus.FAILED
        assert code in {p.code for p in result.problems}


def test_subject_without_id_or_identifier_fails(contexts: ContextStore) -> None:
    credential = copy.deepcopy(OB_CREDENTIAL)
    del credential["credentialSubject"]["id"]
    del credential["credentialSubject"]["identifier"]
    assert check_conformance(credential, contexts).status is CheckStatus.FAILED


NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SKEW = timedelta(minutes=5)


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"validFrom": "2026-01-01T00:00:00Z"}, CheckStatus.PASSED, None),
        ({"validFrom": "2026-11-28T12:04:00Z"}, CheckStatus.PASSED, None),
        ({"validFrom": "2026-11-28T12:06:00Z"}, CheckStatus.FAILED, "CREDENTIAL_NOT_YET_VALID"),
        (
            {"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2026-11-28T11:50:00Z"},
            CheckStatus.FAILED,
            "CREDENTIAL_EXPIRED",
        ),
        (
            {"validFrom": "2020-01-01T00:00:00+02:00", "validUntil": "2026-11-28T13:50:00+02:00"},
            CheckStatus.FAILED,
            "CREDENTIAL_EXPIRED",
        ),
        ({"validFrom": "2020-01-01"}, CheckStatus.FAILED, "MALFORMED_VALUE_ERROR"),
    ],
)
def test_validity_window(fields: dict[str, str], status: CheckStatus, code: str | None) -> None:
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], **fields}
    result = check_validity(credential, now=NOW, skew=SKEW)
    assert result.status is status
    assert [p.code for p in result.problems] == ([code] if code else [])


def test_validity_uses_vcdm_1_1_names() -> None:
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "issuanceDate": "2020-01-01T00:00:00Z",
        "expirationDate": "2021-01-01T00:00:00Z",
        "validUntil": "2099-01-01T00:00:00Z",
    }
    assert check_validity(credential, now=NOW, skew=SKEW).problems[0].code == "CREDENTIAL_EXPIRED"


def test_recipient_email_matches_salted_hash_case_insensitively() -> None:
    assert check_recipient(OB_CREDENTIAL, email="a@example.com").status is CheckStatus.PASSED
    assert check_recipient(OB_CREDENTIAL, email=" A@Example.com ").status is CheckStatus.PASSED
    assert check_recipient(OB_CREDENTIAL, email="b@example.com").status is CheckStatus.FAILED


def test_recipient_did_and_skip() -> None:
    assert check_recipient(OB_CREDENTIAL, did="did:example:ebfeb1f712ebc6f1c276e12ec21").status is CheckStatus.PASSED
    assert check_recipient(OB_CREDENTIAL, did="did:example:other").status is CheckStatus.FAILED
    skipped = check_recipient(OB_CREDENTIAL)
    assert skipped.status is CheckStatus.SKIPPED and not skipped.required


@pytest.mark.parametrize("value", ["2026-13-45T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T25:00:00Z"])
def test_validity_impossible_dates_fail_without_raising(value: str) -> None:
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "validFrom": value}
    result = check_validity(credential, now=NOW, skew=SKEW)
    assert result.status is CheckStatus.FAILED
    assert result.problems[0].code == "MALFORMED_VALUE_ERROR"
