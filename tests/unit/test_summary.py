"""The report's credential summary (verifier.summary): OB 3.0 §B.1 fields, from well-formed and hostile credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schemas.report import EvidenceSummary, IdentifierSummary, ResultSummary
from verifier.summary import MAX_LISTED, summarize

FIXTURES = Path(__file__).parents[1] / "interop" / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document


def test_ob3_credential_summary() -> None:
    summary = summarize(fixture("ob3-vcdm2.json"), "json")
    assert summary.achievement_name == "Data Analysis with Python"
    assert (
        summary.achievement_description
        == "Cleaning, exploring and modelling tabular data with pandas and scikit-learn."
    )
    assert summary.achievement_type == "Course"
    assert summary.criteria_id == "https://northwind.example.edu/achievements/dsc-210/criteria"
    assert summary.criteria_narrative is not None and summary.criteria_narrative.startswith("Pass the four module")
    assert summary.image == "https://northwind.example.edu/badges/dsc-210.png"
    assert summary.image_caption == "DSC-210 badge"
    assert summary.issuer_name == "Northwind Technical College"
    assert summary.issuer_url == "https://northwind.example.edu"
    assert summary.issuer_image == "https://northwind.example.edu/assets/logo.png"
    assert summary.valid_from == "2024-06-01T00:00:00Z"
    assert summary.subject_id is None
    # The identity is hashed: only its kind is summarised, never the hash.
    assert summary.recipient_identifiers == [IdentifierSummary(identity_type="emailAddress", hashed=True)]
    assert "sha256$" not in summary.model_dump_json()
    assert summary.evidence_count == 2
    assert summary.evidence[0] == EvidenceSummary(
        id="https://northwind.example.edu/portfolio/4471/capstone",
        name="Capstone project: bike-share demand forecast",
        narrative="Forecast of hourly demand with a gradient-boosted model, reviewed by two instructors.",
        genre="Project",
    )
    assert summary.evidence[1].description == "Scores of the four module assessments."
    # Result ids are resolved to the names the achievement gives them.
    assert summary.results == [ResultSummary(name="Capstone project rubric", achieved_level="Proficient")]


def test_vcdm_1_1_dates_and_awarded_date() -> None:
    credential = fixture("ob3-vcdm11.json") | {"awardedDate": "2024-05-30T12:00:00Z"}
    summary = summarize(credential, "jwt")
    assert summary.valid_from == credential["issuanceDate"]
    assert summary.valid_until == credential.get("expirationDate")
    assert summary.awarded_date == "2024-05-30T12:00:00Z"


def test_string_forms_and_plain_identifiers() -> None:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "issuer": "did:example:issuer",
        "image": "data:image/png;base64,iVBORw0KGgo=",
        "evidence": ["https://evidence.example/1"],
        "credentialSubject": {
            "id": "did:example:learner",
            "identifier": [{"identityType": "name", "hashed": False, "identityHash": "Ada Lovelace"}],
            "achievement": {"image": "https://badge.example/a.png", "criteria": {"narrative": "Do it."}},
            "result": [{"value": "A", "status": "Completed"}],
        },
    }
    summary = summarize(credential, "json")
    assert summary.issuer_id == "did:example:issuer"
    assert summary.issuer_name is None
    assert summary.image == "data:image/png;base64,iVBORw0KGgo="  # the credential's own image comes first
    assert summary.evidence == [EvidenceSummary(id="https://evidence.example/1")]
    assert summary.subject_id == "did:example:learner"
    assert summary.recipient_identifiers == [
        IdentifierSummary(identity_type="name", hashed=False, identity="Ada Lovelace")
    ]
    assert summary.results == [ResultSummary(value="A", status="Completed")]


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"issuer": ["a", "b"], "credentialSubject": "not an object", "evidence": 5, "image": {"id": 7}},
        {"credentialSubject": [{"achievement": "x", "identifier": ["x", 3], "result": [None, "y"]}]},
        {
            "credentialSubject": {
                "achievement": {"resultDescription": [{"id": 1}, "x"]},
                "result": [{"achievedLevel": 3}],
            }
        },
    ],
)
def test_malformed_credentials_give_an_empty_summary_not_an_error(credential: dict[str, Any]) -> None:
    summary = summarize(credential, "json")
    assert summary.achievement_name is None
    assert summary.issuer_name is None
    assert all(identity.identity is None for identity in summary.recipient_identifiers)


def test_long_lists_are_bounded() -> None:
    credential = {"evidence": [{"id": f"https://e.example/{n}"} for n in range(MAX_LISTED + 10)]}
    summary = summarize(credential, "json")
    assert summary.evidence_count == MAX_LISTED + 10
    assert len(summary.evidence) == MAX_LISTED
