"""Issue 5 "Pathways": evaluation of each node type, the annotated trace, progress and the missing sentence."""

from __future__ import annotations

from typing import Any

import pytest
from pathway_world import (
    CATALOG,
    DASH,
    DC,
    EXPERT,
    GRADE,
    K_CLEAN,
    K_QUERY,
    K_VIS,
    NOVICE,
    PROFICIENT,
    PY,
    SCORE,
    SQL,
    STATS,
    credential,
)

from issuer.pathways.evaluate import evaluate
from issuer.pathways.inputs import CountedCredential
from issuer.pathways.report import judge
from issuer.pathways.rules import parse_rule
from schemas.pathways import RuleEvaluation

AT_LEAST_PROFICIENT = {"achievement": PY, "min_result": {"result_description": GRADE, "level": PROFICIENT}}
SCORE_70 = {"achievement": STATS, "min_result": {"result_description": SCORE, "value": 70}}


def run(tree: dict[str, Any], *credentials: CountedCredential) -> RuleEvaluation:
    return judge(parse_rule(tree), credentials, CATALOG)


def test_achievement_node_is_met_by_every_credential_counting_as_it() -> None:
    result = run({"achievement": DC}, credential("b", DC, day=2), credential("a", DC, SQL, day=1), credential("c", SQL))
    assert result.satisfied and result.missing == [] and result.missing_text == ""
    assert result.trace.credentials == ["a", "b"]  # oldest first
    assert (result.trace.achievement, result.trace.name) == (DC, "Data Cleaning")
    assert result.progress.requirements_met == result.progress.requirements_total == 1


def test_counted_as_carries_the_callers_reason() -> None:
    partner = credential("p", DC, reason="equivalence: did:key:z6Mk partner-dc")
    result = run({"achievement": DC}, partner)
    assert [(entry.credential, entry.reason) for entry in result.trace.counted_as or ()] == [
        ("p", "equivalence: did:key:z6Mk partner-dc")
    ]


@pytest.mark.parametrize(("level", "met"), [(NOVICE, False), (PROFICIENT, True), (EXPERT, True), ("other", False)])
def test_min_result_level_compares_in_rubric_order(level: str, met: bool) -> None:
    assert run(AT_LEAST_PROFICIENT, credential("c", PY, level=level)).satisfied is met


def test_min_result_level_needs_a_result() -> None:
    result = run(AT_LEAST_PROFICIENT, credential("c", PY))
    assert not result.satisfied
    assert result.missing_text == "Python (at least Proficient)"


def test_min_result_level_unknown_to_the_catalog_is_never_met() -> None:
    tree = {"achievement": PY, "min_result": {"result_description": GRADE, "level": "unknown-level"}}
    assert not run(tree, credential("c", PY, level=EXPERT)).satisfied


@pytest.mark.parametrize(
    ("score", "met"), [("69.5", False), ("70", True), (" 95 ", True), ("A", False), ("nan", False)]
)
def test_min_result_value_compares_as_a_number(score: str, met: bool) -> None:
    assert run(SCORE_70, credential("c", STATS, score=score)).satisfied is met


def test_any_of_is_met_by_one_and_traces_every_met_child() -> None:
    tree = {"any_of": [{"achievement": DC}, {"achievement": SQL}, {"achievement": DASH}]}
    result = run(tree, credential("s", SQL), credential("d", DASH))
    assert result.satisfied
    assert (result.trace.earned, result.trace.required) == (2, 1)
    assert result.trace.credentials == ["d", "s"]
    assert [child.satisfied for child in result.trace.children] == [False, True, True]


def test_n_of_counts_met_children_and_names_what_is_left() -> None:
    tree = {"n_of": 3, "of": [{"achievement": DC}, {"achievement": SQL}, {"achievement": DASH}, {"achievement": PY}]}
    result = run(tree, credential("p", PY))
    assert not result.satisfied
    assert (result.trace.earned, result.trace.required) == (1, 3)
    assert (result.progress.requirements_met, result.progress.requirements_total) == (1, 3)
    assert result.missing_text == "2 more of: Data Cleaning, SQL Basics, Dashboards"
    [item] = result.missing
    assert (item.path, item.type, item.more) == ("", "n_of", 2)
    assert [(option.path, option.id) for option in item.options] == [("/of/0", DC), ("/of/1", SQL), ("/of/2", DASH)]


def test_credits_without_of_sum_every_counted_credential_once() -> None:
    tree = {"credits": 10}
    # creditsEarned wins over creditsAvailable; a credential with neither (or nonsense) adds nothing.
    creds = [
        credential("a", DC, credits=4, available=5),
        credential("b", SQL, available=3),
        credential("c", DASH),
        credential("d", PY, credits=-6),
    ]
    result = run(tree, *creds)
    assert not result.satisfied
    assert (result.trace.earned, result.trace.required) == (7.0, 10.0)
    assert result.trace.credentials == ["a", "b"]
    assert result.missing_text == "3 more credits"
    assert (result.progress.credits_earned, result.progress.credits_required) == (7.0, 10.0)
    assert run(tree, *creds, credential("e", STATS, credits=3)).satisfied


def test_credits_of_count_only_credentials_meeting_the_listed_nodes_each_once() -> None:
    tree = {"credits": 6, "of": [{"achievement": DC}, {"achievement": SQL}, {"achievement": DASH}]}
    both = credential("both", DC, SQL, credits=3)  # meets two listed nodes, counted once
    elsewhere = credential("py", PY, credits=10)
    result = run(tree, both, elsewhere)
    assert not result.satisfied and result.trace.earned == 3.0
    assert result.missing_text == "3 more credits from: Dashboards"
    assert run(tree, both, elsewhere, credential("dash", DASH, available=3)).satisfied


def test_credits_tolerate_binary_fractions() -> None:
    assert run({"credits": 0.3}, credential("a", DC, credits=0.1), credential("b", SQL, credits=0.2)).satisfied


def test_one_credit_is_singular() -> None:
    assert run({"credits": 2.5}, credential("a", DC, credits=1.5)).missing_text == "1 more credit"


def test_competencies_default_to_all_and_n_counts_coverage() -> None:
    creds = (credential("a", DC, competencies=frozenset({K_CLEAN, "unrelated"})),)
    every = run({"competencies": [K_CLEAN, K_QUERY, K_VIS]}, *creds)
    assert not every.satisfied
    assert (every.trace.covered, every.trace.earned, every.trace.required) == ([K_CLEAN], 1, 3)
    assert every.missing_text == "2 more competencies of: Query data, Visualise data"
    assert [option.path for option in every.missing[0].options] == ["/competencies/1", "/competencies/2"]
    assert (every.progress.requirements_met, every.progress.requirements_total) == (1, 3)
    some = run({"competencies": [K_CLEAN, K_QUERY, K_VIS], "n": 2}, *creds)
    assert some.missing_text == "1 more competency of: Query data, Visualise data"
    more = (*creds, credential("b", SQL, competencies=frozenset({K_VIS})))
    assert run({"competencies": [K_CLEAN, K_QUERY, K_VIS], "n": 2}, *more).satisfied


STACK: dict[str, Any] = {
    "all_of": [
        AT_LEAST_PROFICIENT,
        {"n_of": 2, "of": [{"achievement": DC}, {"achievement": SQL}, {"achievement": DASH}]},
        {"credits": 6},
        {"any_of": [SCORE_70, {"competencies": [K_CLEAN, K_QUERY]}]},
    ]
}


def test_nested_tree_reads_like_the_issue() -> None:
    result = run(STACK, credential("py", PY, level=EXPERT, credits=3))
    assert not result.satisfied
    assert result.missing_text == (
        "2 more of: Data Cleaning, SQL Basics, Dashboards; 3 more credits; "
        "1 more of: Statistics (Final score at least 70), competencies (Clean data, Query data)"
    )
    assert [item.path for item in result.missing] == ["/all_of/1", "/all_of/2", "/all_of/3"]
    # Python, 2 of the n_of, and the cheaper any_of alternative (one achievement): 4 requirements.
    assert (result.progress.requirements_met, result.progress.requirements_total) == (1, 4)
    assert [child.path for child in result.trace.children[1].children] == ["/all_of/1/of/0", "/all_of/1/of/1",
                                                                           "/all_of/1/of/2"]  # fmt: skip


def test_nested_tree_is_met_and_traced() -> None:
    creds = [
        credential("py", PY, level=PROFICIENT, credits=3, day=1),
        credential("dc", DC, available=2, competencies=frozenset({K_CLEAN}), day=2),
        credential("sql", SQL, credits=1, competencies=frozenset({K_QUERY}), day=3),
    ]
    result = run(STACK, *creds)
    assert result.satisfied and result.missing == [] and result.missing_text == ""
    assert result.trace.credentials == ["py", "dc", "sql"]
    assert result.progress.model_dump() == {
        "requirements_met": 4,
        "requirements_total": 4,
        "credits_earned": 6.0,
        "credits_required": 6.0,
    }
    alternatives = result.trace.children[3]
    assert [child.satisfied for child in alternatives.children] == [False, True]


def test_all_of_lists_its_missing_achievements_together_then_explains_groups() -> None:
    tree = {"all_of": [{"achievement": DC}, {"any_of": [{"achievement": SQL}, {"achievement": DASH}]},
                       {"achievement": PY}]}  # fmt: skip
    result = run(tree)
    assert result.missing_text == "2 more of: Data Cleaning, Python; 1 more of: SQL Basics, Dashboards"
    assert run({"all_of": [{"achievement": DC}, {"achievement": SQL}]}, credential("d", DC)).missing_text == (
        "SQL Basics"
    )


def test_output_order_does_not_depend_on_input_order() -> None:
    creds = [credential(f"c{i}", DC, SQL, credits=1, day=i % 3) for i in range(8)]
    rule = parse_rule(STACK)
    assert judge(rule, creds, CATALOG) == judge(rule, list(reversed(creds)), CATALOG)


def test_repeated_credential_ids_are_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="own id"):
        evaluate(parse_rule({"achievement": DC}), [credential("a", DC), credential("a", SQL)], CATALOG)
