"""CLR 2.0 ClrCredentials through the pipeline: the outer credential's checks and one nested report per credential."""

from __future__ import annotations

from bundle_world import (
    CREDENTIAL_VERIFIED,
    ISSUER_KEY,
    SECOND_ISSUER_SEED,
    V2,
    check,
    clr,
    codes,
    presentation,
    sign,
    signed_credential,
    statuses,
    tampered,
    verify,
)

from verifier.parse import Limits
from verifier.service import VerifyOptions


def signed_clr(*credentials: object) -> dict[str, object]:
    return sign(clr(*credentials), ISSUER_KEY)


def inner_credentials() -> list[dict[str, object]]:
    return [signed_credential("Data Cleaning"), signed_credential("Statistics", SECOND_ISSUER_SEED)]


async def test_valid_clr_verifies_itself_and_every_bundled_credential() -> None:
    report = await verify(signed_clr(*inner_credentials()))
    assert report.kind == "clr"
    assert statuses(report) == CREDENTIAL_VERIFIED
    assert [statuses(r) for r in report.credentials] == [CREDENTIAL_VERIFIED] * 2
    assert [r.credential.name for r in report.credentials] == ["Data Cleaning", "Statistics"]
    assert report.credential.name == "Comprehensive Learner Record"
    assert report.verified is True


async def test_clr_with_a_tampered_inner_credential_is_not_verified() -> None:
    first, second = inner_credentials()
    report = await verify(signed_clr(first, tampered(second)))  # the CLR issuer signed over the altered credential
    assert statuses(report) == CREDENTIAL_VERIFIED
    assert [r.verified for r in report.credentials] == [True, False]
    assert codes(report.credentials[1], "proof") == ["PROOF_VERIFICATION_ERROR"]
    assert report.verified is False


async def test_clr_with_a_tampered_outer_credential_is_not_verified() -> None:
    document = signed_clr(*inner_credentials())
    document["name"] = "Doctorate Record"
    report = await verify(document)
    assert statuses(report)["proof"] == "failed"
    assert codes(report, "proof") == ["PROOF_VERIFICATION_ERROR"]
    assert [r.verified for r in report.credentials] == [True, True]
    assert report.verified is False


async def test_clr_bundling_no_credential_fails_conformance() -> None:
    report = await verify(signed_clr())
    assert statuses(report)["conformance"] == "failed"
    assert codes(report, "conformance") == ["NO_CREDENTIALS"]
    assert report.verified is False


async def test_clr_without_the_clr_context_fails_conformance() -> None:
    unsigned = clr(signed_credential())
    unsigned["@context"] = [V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    report = await verify(unsigned)  # unsignable: without the CLR context its terms are undefined
    titles = [p.title for p in check(report, "conformance").problems]
    assert "A CLR must list the CLR 2.0 context" in titles
    assert report.verified is False


async def test_clr_with_too_many_credentials_verifies_none_of_them() -> None:
    credential = signed_credential()
    report = await verify(signed_clr(credential, credential, credential), limits=Limits(max_credentials=2))
    assert codes(report, "conformance") == ["RANGE_ERROR"]
    assert "more credentials than are verified at once" in check(report, "conformance").explanation
    assert report.credentials == []
    assert report.verified is False


async def test_clr_inside_a_presentation_verifies_at_two_levels() -> None:
    report = await verify(presentation(signed_clr(*inner_credentials())))
    assert report.kind == "presentation"
    assert report.credentials[0].kind == "clr"
    assert len(report.credentials[0].credentials) == 2
    assert report.verified is True


async def test_credentials_nested_deeper_than_two_levels_are_refused() -> None:
    innermost = signed_clr(signed_credential())  # level 2: its credential would be level 3
    middle = signed_clr(innermost)  # level 1
    report = await verify(presentation(middle))
    refused = report.credentials[0].credentials[0]
    assert refused.kind == "clr"
    assert codes(refused, "conformance") == ["RANGE_ERROR"]
    assert "nested too deeply" in check(refused, "conformance").explanation
    assert refused.credentials == []
    assert report.credentials[0].verified is False
    assert report.verified is False


async def test_same_nesting_is_allowed_when_the_cap_is_raised() -> None:
    middle = signed_clr(signed_clr(signed_credential()))
    report = await verify(presentation(middle), limits=Limits(max_nesting=3))
    assert len(report.credentials[0].credentials[0].credentials) == 1
    assert report.verified is True


async def test_recipient_is_checked_on_the_clr_subject() -> None:
    report = await verify(signed_clr(*inner_credentials()), VerifyOptions(recipient_did="did:example:someone-else"))
    assert codes(report, "recipient") == ["RECIPIENT_MISMATCH"]
    assert report.verified is False
