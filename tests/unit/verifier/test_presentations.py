"""VCDM 2.0 §4.13 verifiable presentations through the pipeline: nested reports, the holder's proof and binding."""

from __future__ import annotations

import base64
import copy
from urllib.parse import quote

from bundle_world import (
    CHALLENGE,
    CREDENTIAL_VERIFIED,
    DOMAIN,
    HOLDER_KEY,
    ISSUER_KEY,
    SECOND_ISSUER_SEED,
    STRANGER_KEY,
    V1,
    V2,
    check,
    codes,
    holder_signed,
    jwt_credential,
    presentation,
    sign,
    signed_credential,
    statuses,
    tampered,
    verify,
)

from credstack.report_text import render_text
from schemas.report import CheckStatus
from verifier.parse import Limits
from verifier.service import VerifyOptions

ASKED = VerifyOptions(challenge=CHALLENGE, domain=DOMAIN)
UNSIGNED_VP = {
    "parse": "passed",
    "conformance": "passed",
    "proof": "skipped",
    "proof_purpose": "skipped",
    "validity": "skipped",
    "status": "skipped",
    "recipient": "skipped",
    "endorsements": "skipped",
}
SIGNED_VP = UNSIGNED_VP | {"proof": "passed", "proof_purpose": "passed"}


def two_credentials() -> list[dict[str, object]]:
    return [signed_credential("Data Cleaning"), signed_credential("Statistics", SECOND_ISSUER_SEED)]


async def test_presentation_of_two_valid_credentials_verifies_each_one() -> None:
    report = await verify(presentation(*two_credentials()))
    assert report.verified is True
    assert report.kind == "presentation"
    assert statuses(report) == UNSIGNED_VP
    assert not check(report, "proof").required
    assert [r.kind for r in report.credentials] == ["credential", "credential"]
    assert [statuses(r) for r in report.credentials] == [CREDENTIAL_VERIFIED] * 2
    assert [r.credential.name for r in report.credentials] == ["Data Cleaning", "Statistics"]
    assert report.presentation is not None
    assert report.presentation.holder == HOLDER_KEY.did_key
    assert report.presentation.credential_count == 2
    assert all(c.explanation for c in report.checks)


async def test_presentation_with_one_tampered_credential_is_not_verified_and_names_the_check() -> None:
    first, second = two_credentials()
    report = await verify(presentation(first, tampered(second)))
    assert report.verified is False
    assert statuses(report) == UNSIGNED_VP
    assert [r.verified for r in report.credentials] == [True, False]
    assert statuses(report.credentials[1])["proof"] == "failed"
    assert codes(report.credentials[1], "proof") == ["PROOF_VERIFICATION_ERROR"]


async def test_holder_proof_with_the_asked_challenge_and_domain_verifies() -> None:
    vp = holder_signed(presentation(*two_credentials()))
    report = await verify(vp, ASKED)
    assert statuses(report) == SIGNED_VP
    assert report.verified is True
    assert HOLDER_KEY.did_key in check(report, "proof_purpose").explanation
    assert len(report.credentials) == 2


async def test_holder_proof_without_asked_challenge_still_verifies_the_signature() -> None:
    report = await verify(holder_signed(presentation(signed_credential())))
    assert statuses(report) == SIGNED_VP
    assert report.verified is True


async def test_tampered_presentation_fails_the_holder_proof() -> None:
    vp = holder_signed(presentation(signed_credential()) | {"id": "urn:uuid:4d1e0c6b-1111-4a2b-8c3d-000000000001"})
    vp["id"] = "urn:uuid:4d1e0c6b-1111-4a2b-8c3d-000000000002"
    report = await verify(vp, ASKED)
    assert report.verified is False
    assert statuses(report) == SIGNED_VP | {"proof": "failed", "proof_purpose": "skipped"}
    assert codes(report, "proof") == ["PROOF_VERIFICATION_ERROR"]
    assert check(report, "proof_purpose").required  # skipped because of a failure, not by policy
    assert report.credentials[0].verified is True


async def test_wrong_challenge_fails_the_holder_proof() -> None:
    vp = holder_signed(presentation(signed_credential()))
    report = await verify(vp, VerifyOptions(challenge="another-request", domain=DOMAIN))
    assert report.verified is False
    assert statuses(report)["proof"] == "failed"
    assert codes(report, "proof") == ["INVALID_CHALLENGE_ERROR"]
    assert "challenge" in check(report, "proof").explanation


async def test_wrong_domain_fails_the_holder_proof() -> None:
    vp = holder_signed(presentation(signed_credential()))
    report = await verify(vp, VerifyOptions(challenge=CHALLENGE, domain="attacker.example"))
    assert report.verified is False
    assert codes(report, "proof") == ["INVALID_DOMAIN_ERROR"]
    assert "domain" in check(report, "proof").explanation


async def test_signature_by_someone_other_than_the_holder_fails_proof_purpose() -> None:
    vp = holder_signed(presentation(signed_credential()), key=STRANGER_KEY)
    report = await verify(vp, ASKED)
    assert report.verified is False
    assert statuses(report) == SIGNED_VP | {"proof_purpose": "failed"}
    assert codes(report, "proof_purpose") == ["INVALID_VERIFICATION_METHOD"]
    assert "not its holder" in check(report, "proof_purpose").explanation


async def test_proof_for_another_purpose_fails_the_holder_proof() -> None:
    vp = sign(presentation(signed_credential()), HOLDER_KEY, purpose="assertionMethod")
    report = await verify(vp)
    assert report.verified is False
    assert codes(report, "proof") == ["PROOF_VERIFICATION_ERROR"]


async def test_unsigned_presentation_fails_when_a_challenge_was_asked() -> None:
    report = await verify(presentation(signed_credential()), ASKED)
    assert report.verified is False
    assert statuses(report)["proof"] == "failed"
    assert codes(report, "proof") == ["INVALID_CHALLENGE_ERROR", "INVALID_DOMAIN_ERROR"]
    assert report.credentials[0].verified is True


async def test_empty_presentation_is_not_verified() -> None:
    report = await verify(presentation())
    assert report.verified is False
    assert statuses(report)["conformance"] == "failed"
    assert codes(report, "conformance") == ["NO_CREDENTIALS"]
    assert report.credentials == []


async def test_signed_empty_presentation_is_did_authentication() -> None:
    report = await verify(holder_signed(presentation()), ASKED)
    assert statuses(report)["conformance"] == "passed"
    assert statuses(report)["proof"] == "passed"
    assert "DID Authentication" in report.checks[1].explanation
    assert report.verified is True


async def test_did_authentication_with_the_wrong_challenge_is_not_verified() -> None:
    signed = holder_signed(presentation())
    report = await verify(signed, VerifyOptions(challenge="another-challenge", domain=ASKED.domain))
    assert statuses(report)["proof"] == "failed"
    assert report.verified is False


async def test_too_many_credentials_fail_conformance_and_none_is_verified() -> None:
    credential = signed_credential()
    report = await verify(presentation(credential, credential, credential), limits=Limits(max_credentials=2))
    assert report.verified is False
    assert statuses(report)["conformance"] == "failed"
    assert codes(report, "conformance") == ["RANGE_ERROR"]
    assert "3 credentials; at most 2" in check(report, "conformance").problems[0].detail
    assert report.credentials == []


async def test_jwt_and_enveloped_credentials_are_verified_inside_a_presentation() -> None:
    token = jwt_credential()
    json_text = quote(__import__("json").dumps(signed_credential()))
    b64_token = base64.b64encode(token.encode()).decode()
    entries = [
        token,
        {"@context": [V2], "type": "EnvelopedVerifiableCredential", "id": f"data:application/vc+jwt,{token}"},
        {
            "@context": [V2],
            "type": "EnvelopedVerifiableCredential",
            "id": f"data:application/vc+jwt;base64,{b64_token}",
        },
        {"@context": [V2], "type": "EnvelopedVerifiableCredential", "id": f"data:application/vc+ld+json,{json_text}"},
    ]
    report = await verify(presentation(*entries))
    assert [r.credential.format for r in report.credentials] == ["jwt", "jwt", "jwt", "json"]
    assert [r.verified for r in report.credentials] == [True] * 4
    assert report.verified is True


async def test_unreadable_entries_are_reported_and_fail_the_presentation() -> None:
    bad_envelope = {"type": "EnvelopedVerifiableCredential", "id": "data:text/plain,hello"}
    report = await verify(presentation(signed_credential(), 42, bad_envelope))
    assert report.verified is False
    assert codes(report, "conformance") == ["MALFORMED_VALUE_ERROR"]
    assert [statuses(r)["parse"] for r in report.credentials] == ["passed", "failed", "failed"]
    assert codes(report.credentials[2], "parse") == ["PARSING_ERROR"]


async def test_presentation_inside_a_presentation_is_refused() -> None:
    inner = presentation(signed_credential())
    report = await verify(presentation(signed_credential(), inner))
    assert report.verified is False
    assert codes(report.credentials[1], "parse") == ["UNSUPPORTED_INPUT"]


async def test_vcdm_1_1_presentation_verifies_its_credentials_and_holder_proof() -> None:
    credential = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER_KEY.did_key,
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    vp = holder_signed(presentation(sign(credential, ISSUER_KEY), context=V1))
    report = await verify(vp, ASKED)
    assert statuses(report) == SIGNED_VP
    assert "VCDM 1.1" in check(report, "conformance").explanation
    assert report.verified is True


async def test_unpinned_context_fails_presentation_conformance() -> None:
    vp = presentation(signed_credential())
    vp["@context"] = [V2, "https://evil.example/context.json"]
    report = await verify(vp)
    assert codes(report, "conformance") == ["CONTEXT_NOT_ALLOWED"]
    assert report.verified is False


async def test_undefined_term_on_the_presentation_fails_conformance() -> None:
    vp = presentation(signed_credential()) | {"undefinedTerm": "x"}
    report = await verify(vp)
    assert statuses(report)["conformance"] == "failed"
    assert report.verified is False


async def test_recipient_applies_to_each_credential_in_the_presentation() -> None:
    vp = presentation(*two_credentials())
    matching = await verify(vp, VerifyOptions(recipient_did="did:example:learner"))
    assert check(matching, "recipient").status is CheckStatus.SKIPPED
    assert [statuses(r)["recipient"] for r in matching.credentials] == ["passed", "passed"]
    assert matching.verified is True
    other = await verify(copy.deepcopy(vp), VerifyOptions(recipient_did="did:example:someone-else"))
    assert [codes(r, "recipient") for r in other.credentials] == [["RECIPIENT_MISMATCH"]] * 2
    assert other.verified is False


async def test_text_report_shows_each_nested_report_under_the_presentation() -> None:
    first, second = two_credentials()
    text = render_text(await verify(presentation(first, tampered(second))))
    assert text.startswith("NOT VERIFIED\n")
    assert "credential 2 of 2:\n    NOT VERIFIED" in text
    assert "    [FAIL ] proof:" in text
