"""Issue 5 "Evaluate and award": presented and stored credentials to counted credentials, each with its reason."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from candidate_world import (
    EMAIL,
    LEARNER_DID,
    OWN,
    PARTNER,
    SALT,
    STRANGER,
    FakeVerifier,
    badge,
    check,
    email_hash,
    email_identity,
    report,
    run,
    unsigned_jwt,
)
from pathway_world import CATALOG, DC, EXPERT, GRADE, K_CLEAN, K_QUERY, NOVICE, PROFICIENT, PY, SQL

from issuer.pathways.binding import Learner
from issuer.pathways.candidates import Candidate, Wanted
from issuer.pathways.inputs import AchievedResult, CountsAs
from issuer.pathways.policy import Equivalence, PathwayPolicy
from issuer.pathways.report import judge
from issuer.pathways.rules import parse_rule
from schemas.report import CheckStatus, VerificationReport

FAILED, ERROR = CheckStatus.FAILED, CheckStatus.ERROR


async def test_own_credential_counts_as_its_achievement_with_what_the_rule_can_ask() -> None:
    credential = badge("urn:uuid:1", alignment=[{"type": ["Alignment"], "targetUrl": K_CLEAN, "targetCode": "C1"}])
    credential["credentialSubject"]["creditsEarned"] = 2.5

    considered = await run(credential)

    [entry] = considered.entries
    assert (entry.id, entry.issuer, entry.verified, entry.counted, entry.reason) == (
        "urn:uuid:1",
        OWN,
        True,
        True,
        "counted",
    )
    assert entry.counts_as == (CountsAs(DC, "achievement"),)
    assert entry.detail == "Counted: counts as Data Cleaning."
    assert entry.digest == hashlib.sha256(Candidate(credential).data()).hexdigest()
    [counted] = considered.counted
    assert counted.id == "urn:uuid:1" and counted.issuer == OWN
    assert counted.credits_earned == 2.5 and counted.credits_available is None
    assert counted.competencies == frozenset({K_CLEAN})
    assert counted.issued is not None and counted.issued.isoformat() == "2026-01-10T00:00:00+00:00"


@pytest.mark.parametrize(
    ("checks", "failure", "words"),
    [
        ((check("proof", FAILED, "PROOF_VERIFICATION_ERROR"),), "tampered", "altered"),
        ((check("proof", ERROR, "INVALID_VERIFICATION_METHOD"),), "proof_unknown", "could not be checked"),
        ((check("proof_purpose", FAILED, "INVALID_VERIFICATION_METHOD"),), "not_issuers_key", "key of its issuer"),
        ((check("validity", FAILED, "CREDENTIAL_EXPIRED"),), "expired", "expired"),
        ((check("validity", FAILED, "CREDENTIAL_NOT_YET_VALID"),), "not_yet_valid", "not valid yet"),
        ((check("validity", FAILED, "MALFORMED_VALUE_ERROR"),), "malformed", "data model"),
        ((check("status", FAILED, "CREDENTIAL_REVOKED"),), "revoked", "revoked"),
        ((check("status", FAILED, "CREDENTIAL_SUSPENDED"),), "suspended", "suspended"),
        ((check("status", ERROR, "STATUS_RETRIEVAL_ERROR"),), "status_unknown", "status could not be checked"),
        ((check("status", FAILED, "STATUS_LIST_MALFORMED"),), "status_invalid", "status list"),
        ((check("conformance", FAILED, "MALFORMED_VALUE_ERROR"),), "malformed", "data model"),
        ((check("endorsements", FAILED, "PROOF_VERIFICATION_ERROR"),), "unverified", "endorsements"),
        # The first failing check in report order is the one named: a tampered credential's status is moot.
        (
            (check("proof", FAILED), check("status", FAILED, "CREDENTIAL_REVOKED")),
            "tampered",
            "altered",
        ),
    ],
)
async def test_a_credential_that_is_not_verified_does_not_count_and_says_which_check_failed(
    checks: tuple[Any, ...], failure: str, words: str
) -> None:
    verifier = FakeVerifier({"urn:uuid:1": report(*checks)})

    considered = await run(badge("urn:uuid:1"), verifier=verifier)

    [entry] = considered.entries
    assert (entry.reason, entry.failure, entry.verified, entry.counted) == ("not_verified", failure, False, False)
    assert entry.detail.startswith("Not verified: ") and words in entry.detail
    assert entry.report is verifier.reports["urn:uuid:1"]
    assert considered.counted == ()


async def test_a_report_missing_a_required_check_or_unverified_without_reason_does_not_count() -> None:
    complete = report()
    without_status = complete.model_copy(update={"checks": [c for c in complete.checks if c.id != "status"]})
    unexplained = complete.model_copy(update={"verified": False})
    verifier = FakeVerifier({"urn:uuid:1": without_status, "urn:uuid:2": unexplained})

    considered = await run(badge("urn:uuid:1"), badge("urn:uuid:2"), verifier=verifier)

    assert [(e.reason, e.failure) for e in considered.entries] == [("not_verified", "unverified")] * 2
    assert considered.counted == ()


async def test_a_credential_without_status_entry_counts_since_nobody_can_revoke_it() -> None:
    no_status = check("status", CheckStatus.SKIPPED, required=False)
    considered = await run(badge("urn:uuid:1"), verifier=FakeVerifier({"urn:uuid:1": report(no_status)}))

    assert considered.entries[0].reason == "counted"


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("not a credential", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"id": "urn:uuid:1", "id": "urn:uuid:2"}', "appears twice"),
        ({"type": ["VerifiablePresentation"], "verifiableCredential": []}, "presentation"),
    ],
)
async def test_an_unreadable_candidate_is_not_verified_and_never_reaches_the_verifier(
    given: str | dict[str, Any], words: str
) -> None:
    verifier = FakeVerifier()

    considered = await run(given, verifier=verifier)

    [entry] = considered.entries
    assert (entry.reason, entry.failure, entry.report, entry.id) == ("not_verified", "unreadable", None, None)
    assert words in entry.detail
    assert verifier.seen == []


async def test_untrusted_issuer_does_not_count_even_when_verified() -> None:
    considered = await run(badge("urn:uuid:1", issuer=STRANGER))

    [entry] = considered.entries
    assert (entry.reason, entry.verified, entry.issuer) == ("untrusted_issuer", True, STRANGER)
    assert STRANGER in entry.detail


async def test_credential_of_another_learner_does_not_count() -> None:
    other = badge("urn:uuid:1", identifier=[email_identity("bob@example.com")])

    considered = await run(other)

    assert considered.entries[0].reason == "another_learner"
    assert "someone else" in considered.entries[0].detail


@pytest.mark.parametrize("typed", [EMAIL, "  Ada@Example.COM ", "ADA@EXAMPLE.COM\n"])
async def test_email_binding_is_the_salted_sha256_of_the_trimmed_lower_cased_address(typed: str) -> None:
    considered = await run(badge("urn:uuid:1"), learner=Learner(email=typed))

    assert considered.entries[0].reason == "counted"


@pytest.mark.parametrize(
    ("identity", "bound"),
    [
        ({"identityType": "emailAddress", "hashed": True, "identityHash": email_hash(EMAIL, "other")}, False),
        ({"identityType": "emailAddress", "hashed": True, "identityHash": email_hash(EMAIL, ""), "salt": None}, True),
        ({"identityType": "emailAddress", "hashed": True, "identityHash": email_hash(EMAIL, SALT, "md5")}, False),
        (
            {
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": email_hash(EMAIL, "s", "md5"),
                "salt": "s",
            },
            True,
        ),
        (
            {"identityType": "emailAddress", "hashed": True, "identityHash": email_hash(EMAIL).upper(), "salt": SALT},
            True,
        ),
        ({"identityType": "emailAddress", "hashed": False, "identityHash": " Ada@example.com"}, True),
        ({"identityType": "emailAddress", "hashed": False, "identityHash": "josé@example.com"}, False),
        ({"identityType": "emailAddress", "hashed": True, "identityHash": "sha1$00", "salt": SALT}, False),
        ({"identityType": "phone", "hashed": True, "identityHash": email_hash(EMAIL), "salt": SALT}, False),
    ],
)
async def test_email_identity_objects(identity: dict[str, Any], bound: bool) -> None:
    considered = await run(badge("urn:uuid:1", identifier=[{"type": "IdentityObject", **identity}]))

    assert considered.entries[0].reason == ("counted" if bound else "another_learner")


@pytest.mark.parametrize(
    ("subject_id", "identifier", "bound"),
    [
        (LEARNER_DID, [], True),
        ("did:key:z6MkSomeoneElse", [], False),
        (None, [{"identityType": "identifier", "hashed": False, "identityHash": LEARNER_DID}], True),
        (None, [{"identityType": "emailAddress", "hashed": False, "identityHash": LEARNER_DID}], False),
        (None, [email_identity()], False),
    ],
)
async def test_did_binding_by_subject_id_or_identifier(
    subject_id: str | None, identifier: list[dict[str, Any]], bound: bool
) -> None:
    credential = badge("urn:uuid:1", subject_id=subject_id, identifier=identifier)

    considered = await run(credential, learner=Learner(did=LEARNER_DID))

    assert considered.entries[0].reason == ("counted" if bound else "another_learner")


def test_a_learner_is_exactly_one_of_email_and_did() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Learner()
    with pytest.raises(ValueError, match="exactly one"):
        Learner(email=EMAIL, did=LEARNER_DID)


async def test_the_same_credential_presented_and_stored_counts_once() -> None:
    credential = badge("urn:uuid:1")
    stored_text = json.dumps(credential, indent=2)

    considered = await run(credential, Candidate(stored_text, stored=True), badge("urn:uuid:2", SQL))

    assert [e.reason for e in considered.entries] == ["counted", "duplicate", "not_relevant"]
    assert [e.stored for e in considered.entries] == [False, True, False]
    assert considered.entries[1].counts_as == (CountsAs(DC, "achievement"),)
    assert considered.entries[1].digest == hashlib.sha256(stored_text.encode()).hexdigest()
    assert [c.id for c in considered.counted] == ["urn:uuid:1"]


async def test_a_tampered_presented_copy_does_not_hide_the_genuine_stored_one() -> None:
    tampered = badge("urn:uuid:1")
    tampered["credentialSubject"]["achievement"]["name"] = "Advanced Data Cleaning"
    stored = Candidate(json.dumps(badge("urn:uuid:1")), stored=True)

    async def verify(data: bytes) -> VerificationReport:
        # A real port tells the copies apart by their bytes: only the altered one fails its proof.
        altered = json.loads(data)["credentialSubject"]["achievement"]["name"] == "Advanced Data Cleaning"
        return report(check("proof", FAILED)) if altered else report()

    considered = await run(tampered, stored, verifier=verify)

    assert [(e.reason, e.failure) for e in considered.entries] == [("not_verified", "tampered"), ("counted", None)]
    assert len(considered.counted) == 1


def test_a_stored_candidate_is_its_exact_text() -> None:
    with pytest.raises(ValueError, match="exact stored text"):
        Candidate({"id": "urn:uuid:1"}, stored=True)


@pytest.mark.parametrize(
    ("dates", "reason"),
    [
        ({"validFrom": "2025-03-02T12:00:00Z"}, "counted"),  # 364 days
        ({"validFrom": "2025-03-01T11:00:00Z"}, "too_old"),  # 365 days and an hour
        ({"issuanceDate": "2024-01-01T00:00:00Z"}, "too_old"),  # VCDM 1.1
        ({"validFrom": "2026-01-10T00:00:00Z", "awardedDate": "2023-05-01T00:00:00Z"}, "too_old"),
        ({}, "too_old"),
        ({"validFrom": "yesterday"}, "too_old"),
    ],
)
async def test_max_age_days_by_the_earliest_stated_date(dates: dict[str, str], reason: str) -> None:
    policy = PathwayPolicy(own_issuers=frozenset({OWN}), max_age_days=365)

    considered = await run(badge("urn:uuid:1", dates=dates), policy=policy)

    assert considered.entries[0].reason == reason
    if reason == "too_old":
        assert "365 days" in considered.entries[0].detail


async def test_without_max_age_an_old_credential_counts() -> None:
    considered = await run(badge("urn:uuid:1", dates={"validFrom": "2001-01-01T00:00:00Z"}))

    assert considered.entries[0].reason == "counted"


async def test_credits_fall_back_to_the_achievements_credits_available() -> None:
    rule = {"credits": 5}
    earned = badge("urn:uuid:1", creditsEarned=2, credits_available=10)
    available = badge("urn:uuid:2", SQL, credits_available=3)
    nonsense = badge("urn:uuid:3", PY, creditsEarned="lots", credits_available=True)

    considered = await run(earned, available, nonsense, rule=rule)

    amounts = [(c.credits_earned, c.credits_available) for c in considered.counted]
    assert amounts == [(2.0, 10.0), (None, 3.0), (None, None)]
    evaluation = judge(parse_rule(rule), considered.counted, CATALOG)
    assert evaluation.satisfied and evaluation.progress.credits_earned == 5


async def test_a_failed_result_is_dropped_and_cannot_meet_min_result() -> None:
    rule = {"achievement": PY, "min_result": {"result_description": GRADE, "level": PROFICIENT}}
    failed = badge("urn:uuid:1", PY, result=[{"resultDescription": GRADE, "achievedLevel": EXPERT, "status": "Failed"}])
    completed = badge(
        "urn:uuid:2",
        PY,
        result=[
            {"resultDescription": "#grade", "achievedLevel": "#grade-proficient", "status": "Completed"},
            {"resultDescription": GRADE, "value": "81"},
            {"achievedLevel": NOVICE},
        ],
    )

    only_failed = await run(failed, rule=rule)
    both = await run(failed, completed, rule=rule)

    assert only_failed.counted[0].results == ()
    assert not judge(parse_rule(rule), only_failed.counted, CATALOG).satisfied
    # Local references resolve against the achievement id; a result naming no description is of no use.
    assert both.counted[1].results == (
        AchievedResult(GRADE, achieved_level=PROFICIENT),
        AchievedResult(GRADE, value="81"),
    )
    assert judge(parse_rule(rule), both.counted, CATALOG).trace.credentials == ["urn:uuid:2"]


PARTNER_ACHIEVEMENT = "https://partner.example/achievements/cleaning-101"
ALIGNED = [{"type": ["Alignment"], "targetUrl": "https://esco.example/skill/42", "targetCode": "ESCO-42"}]


@pytest.mark.parametrize(
    ("matcher", "reason"),
    [
        ({"achievement_id": PARTNER_ACHIEVEMENT}, f"equivalence: {PARTNER} {PARTNER_ACHIEVEMENT}"),
        (
            {"alignment_url": "https://esco.example/skill/42"},
            f"equivalence: {PARTNER} alignment https://esco.example/skill/42",
        ),
        ({"alignment_code": "ESCO-42"}, f"equivalence: {PARTNER} alignment code ESCO-42"),
    ],
)
async def test_a_partner_credential_counts_through_an_equivalence(matcher: dict[str, str], reason: str) -> None:
    equivalence = Equivalence.from_json({"issuer": PARTNER, "counts_as": DC, **matcher})
    policy = PathwayPolicy(
        own_issuers=frozenset({OWN}), trusted_issuers=frozenset({PARTNER}), equivalences=(equivalence,)
    )
    credential = badge("urn:uuid:p1", PARTNER_ACHIEVEMENT, issuer=PARTNER, alignment=ALIGNED)

    considered = await run(credential, policy=policy)

    [entry] = considered.entries
    assert entry.reason == "counted" and entry.counts_as == (CountsAs(DC, reason),)
    evaluation = judge(parse_rule({"all_of": [{"achievement": DC}]}), considered.counted, CATALOG)
    assert evaluation.satisfied and evaluation.trace.children[0].counted_as[0].reason == reason  # type: ignore[index]


@pytest.mark.parametrize(
    "equivalence",
    [
        Equivalence(PARTNER, DC, achievement_id="https://partner.example/achievements/other"),
        Equivalence(PARTNER, DC, alignment_url="https://esco.example/skill/43"),
        Equivalence(PARTNER, DC, alignment_code="ESCO-4"),
        Equivalence(STRANGER, DC, achievement_id=PARTNER_ACHIEVEMENT),  # the agreement is with someone else
    ],
)
async def test_an_equivalence_that_does_not_match_leaves_the_credential_not_relevant(equivalence: Equivalence) -> None:
    policy = PathwayPolicy(
        own_issuers=frozenset({OWN}), trusted_issuers=frozenset({PARTNER}), equivalences=(equivalence,)
    )

    considered = await run(badge("urn:uuid:p1", PARTNER_ACHIEVEMENT, issuer=PARTNER, alignment=ALIGNED), policy=policy)

    assert considered.entries[0].reason == "not_relevant" and considered.entries[0].counts_as == ()


async def test_a_trusted_partner_naming_our_achievement_id_does_not_make_our_credential() -> None:
    considered = await run(badge("urn:uuid:p1", DC, issuer=PARTNER))

    assert considered.entries[0].reason == "not_relevant"


def test_an_equivalence_has_exactly_one_matcher() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Equivalence(PARTNER, DC)
    with pytest.raises(ValueError, match="exactly one"):
        Equivalence(PARTNER, DC, achievement_id=PARTNER_ACHIEVEMENT, alignment_code="ESCO-42")


async def test_own_credential_of_an_achievement_the_rule_does_not_name_is_not_relevant() -> None:
    considered = await run(badge("urn:uuid:1", SQL))

    [entry] = considered.entries
    assert (entry.reason, entry.verified, entry.counts_as) == ("not_relevant", True, ())
    assert considered.counted == ()


async def test_a_credential_covering_a_rule_competency_is_relevant_without_counting_as_an_achievement() -> None:
    rule = {"competencies": [K_CLEAN, K_QUERY], "n": 1}
    aligned = badge("urn:uuid:p1", PARTNER_ACHIEVEMENT, issuer=PARTNER, alignment=[{"targetUrl": K_CLEAN}])
    code_only = badge("urn:uuid:p2", PARTNER_ACHIEVEMENT, issuer=PARTNER, alignment=[{"targetCode": K_QUERY}])

    considered = await run(aligned, code_only, rule=rule)

    assert [e.reason for e in considered.entries] == ["counted", "not_relevant"]
    assert considered.entries[0].detail == "Counted: covers Clean data."
    assert judge(parse_rule(rule), considered.counted, CATALOG).satisfied


async def test_a_credits_node_without_of_makes_every_trusted_bound_credential_relevant() -> None:
    considered = await run(
        badge("urn:uuid:p1", PARTNER_ACHIEVEMENT, issuer=PARTNER, creditsEarned=3), rule={"credits": 3}
    )

    assert considered.entries[0].reason == "counted"
    assert considered.entries[0].detail == "Counted: its credits count towards the pathway."


async def test_the_pathways_own_composite_never_counts_towards_it() -> None:
    composite = "https://uni.example/achievements/composite"
    policy = PathwayPolicy(own_issuers=frozenset({OWN}), composite=composite)

    considered = await run(
        badge("urn:uuid:c", composite, creditsEarned=9), badge("urn:uuid:1"), rule={"credits": 1}, policy=policy
    )

    assert [e.reason for e in considered.entries] == ["not_relevant", "counted"]
    assert considered.entries[0].detail == "Not counted: it is this pathway's own award."


async def test_a_failing_port_fails_the_whole_consideration() -> None:
    async def broken(data: bytes) -> VerificationReport:
        raise RuntimeError("verifier down")

    with pytest.raises(RuntimeError, match="verifier down"):
        await run(badge("urn:uuid:1"), verifier=broken)


async def test_rule_ids_map_the_spellings_of_our_achievements_to_the_rules() -> None:
    uuid_ref = "8c1f4e2a-0000-4000-8000-000000000001"
    equivalence = Equivalence(PARTNER, uuid_ref, achievement_id=PARTNER_ACHIEVEMENT)
    policy = PathwayPolicy(
        own_issuers=frozenset({OWN}),
        trusted_issuers=frozenset({PARTNER}),
        equivalences=(equivalence,),
        rule_ids={DC: uuid_ref},
    )
    rule = {"achievement": uuid_ref}

    considered = await run(
        badge("urn:uuid:1"), badge("urn:uuid:p1", PARTNER_ACHIEVEMENT, issuer=PARTNER), rule=rule, policy=policy
    )

    assert [e.counts_as[0].achievement_id for e in considered.entries] == [uuid_ref, uuid_ref]
    assert [e.reason for e in considered.entries] == ["counted", "counted"]


async def test_a_compact_jwt_is_read_and_verified_as_given() -> None:
    token = unsigned_jwt(badge("urn:uuid:j1"))
    verifier = FakeVerifier()

    considered = await run(token, verifier=verifier)

    assert considered.entries[0].reason == "counted" and considered.entries[0].id == "urn:uuid:j1"
    assert considered.entries[0].digest == hashlib.sha256(token.encode()).hexdigest()
    assert verifier.seen == ["urn:uuid:j1"]


async def test_a_credential_without_id_is_known_by_its_digest() -> None:
    credential = badge("x")
    del credential["id"]

    considered = await run(credential, credential)

    digest = considered.entries[0].digest
    assert [e.id for e in considered.entries] == [f"urn:sha256:{digest}"] * 2
    assert [e.reason for e in considered.entries] == ["counted", "duplicate"]


async def test_entries_keep_input_order_while_verification_runs_concurrently_within_the_limit() -> None:
    items = [badge(f"urn:uuid:{n}", issuer=OWN if n % 2 else STRANGER) for n in range(10)]
    verifier = FakeVerifier({"urn:uuid:3": report(check("status", FAILED, "CREDENTIAL_REVOKED"))})

    considered = await run(*items, verifier=verifier, concurrency=3)

    assert [e.index for e in considered.entries] == list(range(10))
    assert [e.id for e in considered.entries] == [f"urn:uuid:{n}" for n in range(10)]
    assert considered.entries[3].failure == "revoked"
    assert [e.reason for e in considered.entries][:4] == [
        "untrusted_issuer",
        "counted",
        "untrusted_issuer",
        "not_verified",
    ]
    assert verifier.peak == 3
    one_at_a_time = FakeVerifier()
    await run(*items, verifier=one_at_a_time, concurrency=1)
    assert one_at_a_time.peak == 1


def test_wanted_of_a_rule() -> None:
    rule = parse_rule(
        {"all_of": [{"achievement": DC}, {"credits": 2, "of": [{"achievement": SQL}]}, {"competencies": [K_CLEAN]}]}
    )
    assert Wanted.of_rule(rule) == Wanted(frozenset({DC, SQL}), frozenset({K_CLEAN}), False)
    assert Wanted.of_rule(parse_rule({"any_of": [{"achievement": DC}, {"credits": 2}]})).every_credential


async def test_the_stack_scenario_counts_what_it_should_and_explains_the_rest() -> None:
    """Issue 5 "Tests": own components, a revoked one, another learner's, an untrusted one, a partner's equivalent."""
    rule = {"all_of": [{"achievement": DC}, {"achievement": SQL}, {"achievement": PY}]}
    policy = PathwayPolicy(
        own_issuers=frozenset({OWN}),
        trusted_issuers=frozenset({PARTNER}),
        equivalences=(Equivalence(PARTNER, SQL, achievement_id=PARTNER_ACHIEVEMENT),),
    )
    items = [
        badge("urn:uuid:dc"),
        badge("urn:uuid:py", PY),
        badge("urn:uuid:py-bob", PY, identifier=[email_identity("bob@example.com")]),
        badge("urn:uuid:sql-stranger", PARTNER_ACHIEVEMENT, issuer=STRANGER),
        badge("urn:uuid:sql-partner", PARTNER_ACHIEVEMENT, issuer=PARTNER),
    ]
    verifier = FakeVerifier({"urn:uuid:py": report(check("status", FAILED, "CREDENTIAL_REVOKED"))})

    considered = await run(*items, verifier=verifier, rule=rule, policy=policy)
    evaluation = judge(parse_rule(rule), considered.counted, CATALOG)

    assert [(e.reason, e.failure) for e in considered.entries] == [
        ("counted", None),
        ("not_verified", "revoked"),
        ("another_learner", None),
        ("untrusted_issuer", None),
        ("counted", None),
    ]
    assert not evaluation.satisfied and evaluation.missing_text == "Python"
