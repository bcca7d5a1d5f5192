"""Rendering the unsigned OpenBadgeCredential of an award (OB 3.0 §B.1) and the issuance gate in front of signing.

Covers the request model (schemas.issuance), `issuer.render.render_credential`, `issuer.issuable.validate_issuable`
(strict JSON-LD and the published 1EdTech JSON Schema), and an end-to-end round: render, sign with eddsa-rdfc-2022,
verify through the verification pipeline with the issuer's status lists served by an httpx.MockTransport.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from test_achievements import ACHIEVEMENT_ID, FULL_TEMPLATE

from credentials.did import default_registry
from credentials.http import AddressPolicy
from credentials.identity import identity_hash
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credentials.status.bitstring import StatusList
from credentials.status.fetch import StatusListFetcher
from issuer.achievements import achievement_document
from issuer.issuable import CredentialSchema, packaged_credential_schema, validate_issuable
from issuer.render import RenderError, email_identity, render_credential
from schemas.achievement import AchievementTemplate
from schemas.issuance import IssueCredentialRequest
from schemas.report import CheckStatus
from verifier.service import VerifierPorts, VerifyOptions, verify_input

NOW = datetime(2026, 3, 1, 12, 0, 0, 654321, tzinfo=UTC)
CREDENTIAL_ID = "urn:uuid:3f1c1e0a-7c1d-4d0e-9a57-2d7f3a0b9c11"
STORED_ACHIEVEMENT = "6a3a2a6e-7c1b-4b53-9d7e-2c1f0f8f0a11"
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(100, 132)))
ISSUER_DID = ISSUER_KEY.did_key
PROFILE = {"id": ISSUER_DID, "type": ["Profile"], "name": "Example University", "url": "https://issuer.example/"}
LEARNER_DID = "did:example:ebfeb1f712ebc6f1c276e12ec21"
SALT = "Kosher"
HOST = "issuer.example"
REVOCATION_URL = f"https://{HOST}/status/1"
SUSPENSION_URL = f"https://{HOST}/status/2"
INDEX = 94567
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
SCHEMA_SHA256 = "b7358e895f492e74055dc6bfc7ffc420d0e497f90c4579fb83d9519b86d393ea"

SIMPLE_ACHIEVEMENT = {
    "id": "urn:uuid:8b0b7c1e-0d1f-4a4e-9a51-0c5d2a1f9e01",
    "type": ["Achievement"],
    "name": "Teamwork",
    "description": "Works in a team.",
    "criteria": {"narrative": "Peer nominated."},
}


@cache
def contexts() -> ContextStore:
    return ContextStore.load()


@cache
def full_achievement_json() -> str:
    document = achievement_document(
        AchievementTemplate.model_validate(FULL_TEMPLATE), achievement_id=ACHIEVEMENT_ID, creator=PROFILE
    )
    return json.dumps(document)


def full_achievement() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(full_achievement_json())
    return document


def status_entry(url: str = REVOCATION_URL, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "id": f"{url}#{INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(INDEX),
        "statusListCredential": url,
    }


TWO_ENTRIES = (status_entry(), status_entry(SUSPENSION_URL, "suspension"))


def request(**fields: Any) -> IssueCredentialRequest:
    body = {"achievement_id": STORED_ACHIEVEMENT, "recipient": {"email": "a@example.com"}} | fields
    return IssueCredentialRequest.model_validate(body)


def render(
    body: IssueCredentialRequest | None = None,
    *,
    achievement: dict[str, Any] | None = None,
    status: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    return render_credential(
        credential_id=CREDENTIAL_ID,
        issuer_profile=PROFILE,
        achievement=achievement or SIMPLE_ACHIEVEMENT,
        request=body or request(),
        now=NOW,
        salt=SALT,
        status=list(status),
    )


def full_request(**changes: Any) -> IssueCredentialRequest:
    """A request using every member: evidence, results against the full achievement, dates, credits."""
    fields = {
        "evidence": [
            {
                "id": "https://evidence.example/projects/7",
                "narrative": "Built the *pipeline*.",
                "name": "Capstone",
                "description": "Repository and report.",
                "genre": "Project",
                "audience": "Employers",
            },
            {"id": "data:text/plain;base64,aGVsbG8="},
        ],
        "result": [
            {"resultDescription": "#result-1", "achievedLevel": "#pass", "value": "Pass"},
            {"resultDescription": "https://issuer.example/results/status", "status": "Completed"},
        ],
        "narrative": "Cleaned the city's open data.",
        "activityStartDate": "2025-09-01T09:00:00+02:00",
        "activityEndDate": "2026-01-31T17:00:00Z",
        "creditsEarned": 2.5,
        "validUntil": "2031-03-01T00:00:00Z",
    }
    return request(**(fields | changes))


def walk(value: Any) -> list[Any]:
    found = [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        found.extend(walk(child))
    return found


# The request model


@pytest.mark.parametrize(
    ("recipient", "loc"),
    [
        ({}, ("recipient",)),
        ({"email": "a@example.com", "did": LEARNER_DID}, ("recipient",)),
        ({"email": "not an email"}, ("recipient", "email")),
        ({"email": "a@b@c"}, ("recipient", "email")),
        ({"did": "example:123"}, ("recipient", "did")),
        ({"did": "did:Example:123"}, ("recipient", "did")),
        ({"did": "did:example:12 3"}, ("recipient", "did")),
        ({"phone": "+1 555"}, ("recipient", "phone")),
    ],
)
def test_recipient_is_exactly_one_valid_email_or_did(recipient: dict[str, Any], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        request(recipient=recipient)
    assert [tuple(error["loc"]) for error in caught.value.errors()] == [loc]


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"evidence": [{}]}, ("evidence", 0)),
        ({"evidence": [{"id": "ftp://x.example/e"}]}, ("evidence", 0, "id")),
        ({"evidence": [{"name": "n", "type": ["Evidence"]}]}, ("evidence", 0, "type")),
        ({"result": [{"resultDescription": "#r", "status": "Passed"}]}, ("result", 0, "status")),
        ({"result": [{"achievedLevel": "#l"}]}, ("result", 0, "resultDescription")),
        ({"creditsEarned": -0.5}, ("creditsEarned",)),
        ({"validFrom": "2026-01-01T00:00:00"}, ("validFrom",)),
        ({"validFrom": "2026-01-02T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"}, ()),
        ({"activityStartDate": "2026-01-02T00:00:00Z", "activityEndDate": "2026-01-01T00:00:00Z"}, ()),
        ({"format": "jsonld"}, ("format",)),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, ("cryptosuite",)),
        ({"achievement_id": "https://x.example/a"}, ("achievement_id",)),
        ({"credentialSubject": {}}, ("credentialSubject",)),
    ],
)
def test_invalid_requests_are_refused_with_their_location(fields: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        request(**fields)
    assert [tuple(error["loc"]) for error in caught.value.errors()] == [loc]


def test_proof_suite_defaults() -> None:
    assert request().proof_suite == "eddsa-rdfc-2022"
    assert request(format="jwt").proof_suite is None
    assert request(format="jwt", cryptosuite="eddsa-jcs-2022").proof_suite == "eddsa-jcs-2022"


# Rendering


def test_email_recipient_credential_has_the_expected_structure() -> None:
    assert render() == {
        "@context": [V2, OB, EXTENSIONS],
        "id": CREDENTIAL_ID,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Teamwork",
        "issuer": PROFILE,
        "validFrom": "2026-03-01T12:00:00Z",
        "credentialSubject": {
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
            "achievement": SIMPLE_ACHIEVEMENT,
        },
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def test_did_recipient_credential_has_the_expected_structure() -> None:
    credential = render(request(recipient={"did": LEARNER_DID}, validFrom="2026-01-01T08:00:00+08:00"))
    assert credential["validFrom"] == "2026-01-01T00:00:00Z"
    assert credential["credentialSubject"] == {
        "id": LEARNER_DID,
        "type": ["AchievementSubject"],
        "achievement": SIMPLE_ACHIEVEMENT,
    }


def test_full_request_renders_every_member() -> None:
    subject = render(full_request(), achievement=full_achievement())["credentialSubject"]
    credential = render(full_request(), achievement=full_achievement())
    assert credential["validUntil"] == "2031-03-01T00:00:00Z"
    assert subject["result"] == [
        {
            "type": ["Result"],
            "resultDescription": f"{ACHIEVEMENT_ID}#result-1",
            "achievedLevel": f"{ACHIEVEMENT_ID}#pass",
            "value": "Pass",
        },
        {"type": ["Result"], "resultDescription": "https://issuer.example/results/status", "status": "Completed"},
    ]
    assert subject["narrative"] == "Cleaned the city's open data."
    assert (subject["activityStartDate"], subject["activityEndDate"]) == (
        "2025-09-01T07:00:00Z",
        "2026-01-31T17:00:00Z",
    )
    assert subject["creditsEarned"] == 2.5
    assert credential["evidence"] == [
        {
            "id": "https://evidence.example/projects/7",
            "type": ["Evidence"],
            "narrative": "Built the *pipeline*.",
            "name": "Capstone",
            "description": "Repository and report.",
            "genre": "Project",
            "audience": "Employers",
        },
        {"id": "data:text/plain;base64,aGVsbG8=", "type": ["Evidence"]},
    ]


def test_single_values_are_arrays_and_nothing_is_null_or_empty() -> None:
    credential = render(full_request(), achievement=full_achievement(), status=(status_entry(),))
    for key in ("@context", "type", "evidence", "credentialSchema"):
        assert isinstance(credential[key], list), key
    subject = credential["credentialSubject"]
    assert isinstance(subject["identifier"], list) and isinstance(subject["result"], list)
    assert all(value is not None and value != [] and value != {} for value in walk(credential))


def test_identity_hash_matches_the_ob_example() -> None:
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_emails_are_trimmed_and_lower_cased_before_hashing() -> None:
    assert email_identity("  A@Example.COM ", SALT) == email_identity("a@example.com", SALT)


def test_an_email_identity_needs_a_salt() -> None:
    with pytest.raises(ValueError, match="salt"):
        email_identity("a@example.com", "")


def test_one_status_entry_is_an_object_two_are_an_array_none_is_absent() -> None:
    assert render(status=(status_entry(),))["credentialStatus"] == status_entry()
    assert render(status=TWO_ENTRIES)["credentialStatus"] == list(TWO_ENTRIES)
    assert "credentialStatus" not in render()


def test_rendering_copies_its_inputs() -> None:
    achievement = full_achievement()
    credential = render(full_request(), achievement=achievement, status=(status_entry(),))
    credential["credentialSubject"]["achievement"]["name"] = "changed"
    credential["issuer"]["name"] = "changed"
    assert achievement["name"] == "Data Cleaning" and PROFILE["name"] == "Example University"


def test_issuer_profile_gets_the_profile_type() -> None:
    credential = render_credential(
        credential_id=CREDENTIAL_ID,
        issuer_profile={"name": "Uni", "id": ISSUER_DID},
        achievement=SIMPLE_ACHIEVEMENT,
        request=request(),
        now=NOW,
        salt=SALT,
        status=[],
    )
    assert credential["issuer"] == {"id": ISSUER_DID, "type": ["Profile"], "name": "Uni"}


@pytest.mark.parametrize(
    ("result", "loc"),
    [
        ({"resultDescription": "#result-9"}, ("result", 0, "resultDescription")),
        ({"resultDescription": "#result-1", "achievedLevel": "#distinction"}, ("result", 0, "achievedLevel")),
        ({"resultDescription": "#result-1", "value": "Distinction"}, ("result", 0, "value")),
        ({"resultDescription": "https://issuer.example/results/status"}, ("result", 0, "status")),
    ],
)
def test_results_must_fit_the_achievement(result: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    with pytest.raises(RenderError) as caught:
        render(request(result=[result]), achievement=full_achievement())
    assert [problem.loc for problem in caught.value.problems] == [loc]
    assert caught.value.status == 422 and caught.value.code == "VALIDATION_ERROR"


def test_a_level_of_another_description_is_refused() -> None:
    achievement = full_achievement()
    status_description = achievement["resultDescription"][1]
    status_description["rubricCriterionLevel"] = [{"id": "urn:x:done", "type": ["RubricCriterionLevel"], "name": "D"}]
    body = request(result=[{"resultDescription": "#result-1", "achievedLevel": "urn:x:done"}])
    with pytest.raises(RenderError, match="achievedLevel"):
        render(body, achievement=achievement)


def test_valid_until_must_follow_the_default_valid_from() -> None:
    with pytest.raises(RenderError) as caught:
        render(request(validUntil="2026-03-01T12:00:00.9Z"))
    assert caught.value.errors() == [
        {"loc": ["validUntil"], "msg": "must be after validFrom (2026-03-01T12:00:00Z)", "type": "value_error"}
    ]


@pytest.mark.parametrize("credential_id", ["3f1c1e0a", "urn:uuid:a b", ""])
def test_credential_id_must_be_absolute(credential_id: str) -> None:
    with pytest.raises(ValueError, match="absolute URI"):
        render_credential(
            credential_id=credential_id,
            issuer_profile=PROFILE,
            achievement=SIMPLE_ACHIEVEMENT,
            request=request(),
            now=NOW,
            salt=SALT,
            status=[],
        )


# The gate: strict JSON-LD and the published JSON Schema


def test_the_packaged_schema_is_the_pinned_published_file() -> None:
    data = resources.files("schemas").joinpath("data", "ob_v3p0_achievementcredential_schema.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    document = packaged_credential_schema().document
    assert document["$id"] == SCHEMA_URL
    assert document["$schema"] == "https://json-schema.org/draft/2019-09/schema#"


@pytest.mark.parametrize("status", [(), (status_entry(),), TWO_ENTRIES], ids=["no-status", "one", "two"])
@pytest.mark.parametrize("recipient", [{"email": "a@example.com"}, {"did": LEARNER_DID}], ids=["email", "did"])
def test_rendered_credentials_are_issuable(status: tuple[dict[str, Any], ...], recipient: dict[str, Any]) -> None:
    validate_issuable(render(request(recipient=recipient), status=status), contexts())
    validate_issuable(
        render(full_request(recipient=recipient), achievement=full_achievement(), status=status), contexts()
    )


def test_data_loss_is_refused() -> None:
    credential = render() | {"nickname": "undefined term"}
    with pytest.raises(RenderError) as caught:
        validate_issuable(credential, contexts())
    [problem] = caught.value.problems
    assert problem.type == "DATA_LOSS_DETECTION_ERROR" and "nickname" in problem.msg


def test_the_schema_type_without_the_extensions_context_is_refused_as_data_loss() -> None:
    credential = render()
    credential["@context"] = [V2, OB]
    with pytest.raises(RenderError) as caught:
        validate_issuable(credential, contexts())
    assert [problem.type for problem in caught.value.problems] == ["DATA_LOSS_DETECTION_ERROR"]
    assert "1EdTechJsonSchemaValidator2019" in caught.value.problems[0].msg


def test_schema_violations_are_refused_with_their_location() -> None:
    credential = render()
    credential["credentialSubject"]["identifier"][0]["identityType"] = "email"
    del credential["credentialSubject"]["achievement"]["criteria"]
    with pytest.raises(RenderError) as caught:
        validate_issuable(credential, contexts())
    locs = {problem.loc for problem in caught.value.problems if problem.type == "json_schema"}
    assert locs == {
        ("credentialSubject", "identifier", 0, "identityType"),
        ("credentialSubject", "achievement"),
    }


def test_each_entry_of_a_status_array_is_checked_against_the_schema() -> None:
    credential = render(status=TWO_ENTRIES)
    del credential["credentialStatus"][1]["type"]
    with pytest.raises(RenderError) as caught:
        validate_issuable(credential, contexts(), schema=packaged_credential_schema())
    assert [(p.loc, p.type) for p in caught.value.problems if p.type == "json_schema"] == [
        (("credentialStatus", 1), "json_schema")
    ]


def test_date_times_without_time_zone_fail_the_schema() -> None:
    credential = render()
    credential["validFrom"] = "2026-03-01T12:00:00"
    with pytest.raises(RenderError) as caught:
        validate_issuable(credential, contexts())
    assert ("validFrom",) in {problem.loc for problem in caught.value.problems}


def test_the_schema_is_injectable() -> None:
    strict_name = CredentialSchema({"type": "object", "required": ["description"]})
    with pytest.raises(RenderError, match="'description' is a required property"):
        validate_issuable(render(), contexts(), schema=strict_name)


# Properties: any printable or control text renders, canonicalizes and validates

TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=60).filter(
    lambda text: bool(text.strip())
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(name=TEXT, description=TEXT, criteria=TEXT, narrative=TEXT, evidence=TEXT)
@example(
    name="\x01\x1f\x7f",
    description="\u2028\u2029\ufeff",
    criteria="a\t\r\nb",
    narrative="é\u0301",
    evidence="😀\U0010fffd",
)
def test_any_text_renders_canonicalizes_and_validates(
    name: str, description: str, criteria: str, narrative: str, evidence: str
) -> None:
    template = AchievementTemplate.model_validate(
        {"name": name, "description": description, "criteria": {"narrative": criteria}, "tag": [name]}
    )
    achievement = achievement_document(template, achievement_id="urn:uuid:8b0b7c1e", creator=None)
    body = request(narrative=narrative, evidence=[{"narrative": evidence, "name": name}])
    credential = render(body, achievement=achievement, status=(status_entry(),))
    assert credential["name"] == name
    validate_issuable(credential, contexts())


# Sign and verify end to end


def unsigned_status_list(url: str, purpose: str) -> dict[str, Any]:
    return {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER_DID,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": StatusList.new().encode(),
        },
    }


def sign(document: dict[str, Any]) -> dict[str, Any]:
    suite = SUITES["eddsa-rdfc-2022"]
    method = ISSUER_KEY.did_key_verification_method
    options = ProofOptions.for_suite(suite, method, created="2026-03-01T12:00:00Z")
    return add_proof(document, suite, options, ISSUER_KEY.signer(method), contexts())


async def fake_public_dns(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]


def serve_status_lists(request: httpx.Request) -> httpx.Response:
    lists = {"/status/1": ("revocation", REVOCATION_URL), "/status/2": ("suspension", SUSPENSION_URL)}
    # The fetcher connects to the address it resolved and names the host in the Host header.
    if request.headers.get("host") != HOST or request.url.path not in lists:
        return httpx.Response(404)
    purpose, url = lists[request.url.path]
    return httpx.Response(200, json=sign(unsigned_status_list(url, purpose)))


@pytest.mark.parametrize("status", [(status_entry(),), TWO_ENTRIES], ids=["revocation", "revocation+suspension"])
async def test_rendered_credential_signed_with_eddsa_rdfc_2022_verifies(status: tuple[dict[str, Any], ...]) -> None:
    credential = render(full_request(), achievement=full_achievement(), status=status)
    validate_issuable(credential, contexts())
    signed = sign(copy.deepcopy(credential))
    assert {key: value for key, value in signed.items() if key != "proof"} == credential
    policy = AddressPolicy(resolve_host=fake_public_dns)
    async with httpx.AsyncClient(transport=httpx.MockTransport(serve_status_lists)) as client:
        ports = VerifierPorts(
            contexts=contexts(),
            resolver=default_registry(client, policy=policy),
            strict_resolver=default_registry(client, policy=policy, fragment_keys=False),
            status_fetcher=StatusListFetcher(client, policy=policy),
            clock=lambda: NOW,
        )
        report = await verify_input(json.dumps(signed).encode(), ports, VerifyOptions(recipient_email="A@Example.com"))
    statuses = {check.id: check.status for check in report.checks}
    assert statuses == {
        "parse": CheckStatus.PASSED,
        "conformance": CheckStatus.PASSED,
        "proof": CheckStatus.PASSED,
        "proof_purpose": CheckStatus.PASSED,
        "validity": CheckStatus.PASSED,
        "status": CheckStatus.PASSED,
        "recipient": CheckStatus.PASSED,
        "endorsements": CheckStatus.SKIPPED,
    }
    assert report.verified is True
