"""Issue 5 "Pathways": the rule grammar, its validation errors (located for a 422) and its JSON round trip."""

from __future__ import annotations

from typing import Any

import pytest
from pathway_world import CATALOG, DC, GRADE, PROFICIENT, PY, SCORE, STATS
from pydantic import TypeAdapter

from issuer.achievements import FieldError
from issuer.pathways.rules import (
    MAX_DEPTH,
    MAX_NODES,
    AchievementNode,
    AllOf,
    AnyOf,
    Competencies,
    Credits,
    MinLevel,
    MinValue,
    NOf,
    RuleError,
    json_pointer,
    parse_rule,
    reference_problems,
    referenced_ids,
    rule_to_json,
)
from schemas.pathways import RuleNode

EVERY_NODE: dict[str, Any] = {
    "all_of": [
        {"achievement": PY, "min_result": {"result_description": GRADE, "level": PROFICIENT}},
        {"achievement": STATS, "min_result": {"result_description": SCORE, "value": 70}},
        {"any_of": [{"achievement": DC}, {"n_of": 1, "of": [{"achievement": "a"}, {"achievement": "b"}]}]},
        {"credits": 7.5, "of": [{"achievement": "c"}]},
        {"credits": 30},
        {"competencies": ["k1", "k2", "k3"], "n": 2},
        {"competencies": ["k4"]},
    ]
}


def errors(tree: object) -> list[tuple[str, str]]:
    """(JSON pointer under the rule, error type) of every problem `parse_rule` reports."""
    with pytest.raises(RuleError) as caught:
        parse_rule(tree)
    return [(json_pointer(problem.loc[1:]), problem.type) for problem in caught.value.problems]


def test_every_node_type_parses_to_its_frozen_node() -> None:
    rule = parse_rule(EVERY_NODE)
    assert isinstance(rule, AllOf)
    level, value, group, of_credits, any_credits, some, every = rule.nodes
    assert level == AchievementNode(PY, MinLevel(GRADE, PROFICIENT))
    assert value == AchievementNode(STATS, MinValue(SCORE, 70.0))
    assert group == AnyOf((AchievementNode(DC), NOf(1, (AchievementNode("a"), AchievementNode("b")))))
    assert of_credits == Credits(7.5, (AchievementNode("c"),))
    assert any_credits == Credits(30.0, None)
    assert (some, some.required) == (Competencies(("k1", "k2", "k3"), 2), 2)
    assert (every, every.required) == (Competencies(("k4",), None), 1)


def test_rule_to_json_round_trips() -> None:
    rule = parse_rule(EVERY_NODE)
    assert parse_rule(rule_to_json(rule)) == rule
    assert rule_to_json(rule)["all_of"][4] == {"credits": 30.0}


def test_rule_error_is_a_422_field_error_located_under_rule() -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule({"all_of": [{"achievement": DC}, {"n_of": 3, "of": [{"achievement": DC}]}]})
    assert isinstance(caught.value, FieldError) and caught.value.status == 422
    assert caught.value.errors() == [
        {"loc": ["rule", "all_of", "1", "n_of"], "msg": "must be an integer from 1 to 1", "type": "value_error"}
    ]


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ([], [("", "type_error")]),
        ({}, [("", "rule_node")]),
        ({"achievement": DC, "all_of": []}, [("", "rule_node")]),
        ({"achievement": DC, "extra": 1}, [("/extra", "extra_forbidden")]),
        ({"achievement": ""}, [("/achievement", "string_type")]),
        ({"achievement": 5}, [("/achievement", "string_type")]),
        ({"all_of": []}, [("/all_of", "too_short")]),
        ({"any_of": {"achievement": DC}}, [("/any_of", "type_error")]),
        ({"any_of": [{"achievement": DC}, "x"]}, [("/any_of/1", "type_error")]),
        ({"any_of": [{"achievement": DC}, {"achievement": DC}]}, [("/any_of/1", "duplicate")]),
        ({"n_of": 0, "of": [{"achievement": DC}]}, [("/n_of", "value_error")]),
        ({"n_of": True, "of": [{"achievement": DC}]}, [("/n_of", "value_error")]),
        ({"n_of": 1.0, "of": [{"achievement": DC}]}, [("/n_of", "value_error")]),
        ({"n_of": 1}, [("/of", "missing")]),
        ({"credits": -1}, [("/credits", "value_error")]),
        ({"credits": 0}, [("/credits", "value_error")]),
        ({"credits": "3"}, [("/credits", "value_error")]),
        ({"credits": float("inf")}, [("/credits", "value_error")]),
        ({"credits": 3, "of": []}, [("/of", "too_short")]),
        ({"competencies": []}, [("/competencies", "too_short")]),
        ({"competencies": ["k", "k"]}, [("/competencies/1", "duplicate")]),
        ({"competencies": ["k"], "n": 2}, [("/n", "value_error")]),
        ({"competencies": ["k"], "of": []}, [("/of", "extra_forbidden")]),
        ({"achievement": DC, "min_result": {"result_description": GRADE}}, [("/min_result", "value_error")]),
        ({"achievement": DC, "min_result": {"level": "x"}}, [("/min_result/result_description", "missing")]),
        (
            {"achievement": DC, "min_result": {"result_description": GRADE, "level": "x", "value": 1}},
            [("/min_result", "value_error")],
        ),
        (
            {"achievement": DC, "min_result": {"result_description": GRADE, "value": "1", "points": 1}},
            [("/min_result/points", "extra_forbidden"), ("/min_result/value", "value_error")],
        ),
        ({"achievement": DC, "min_result": 3}, [("/min_result", "type_error")]),
    ],
)
def test_invalid_rules_are_refused_where_they_are_wrong(tree: object, expected: list[tuple[str, str]]) -> None:
    assert errors(tree) == expected


def test_every_problem_of_a_tree_is_reported_at_once() -> None:
    tree = {"all_of": [{"achievement": DC, "x": 1}, {"credits": -2}, {"n_of": 5, "of": [{"competencies": []}]}]}
    assert errors(tree) == [
        ("/all_of/0/x", "extra_forbidden"),
        ("/all_of/1/credits", "value_error"),
        ("/all_of/2/of/0/competencies", "too_short"),
        ("/all_of/2/n_of", "value_error"),
    ]


def nested(depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = {"achievement": DC}
    for _ in range(depth - 1):
        tree = {"any_of": [tree]}
    return tree


def test_nesting_is_capped() -> None:
    assert isinstance(parse_rule(nested(MAX_DEPTH)), AnyOf)
    pointer = "".join("/any_of/0" for _ in range(MAX_DEPTH))
    assert errors(nested(MAX_DEPTH + 1)) == [(pointer, "too_deep")]


def test_node_count_is_capped_counting_competencies() -> None:
    assert parse_rule({"any_of": [{"achievement": str(i)} for i in range(MAX_NODES - 1)]})
    assert errors({"any_of": [{"achievement": str(i)} for i in range(MAX_NODES)]}) == [
        (f"/any_of/{MAX_NODES - 1}", "too_large")
    ]
    assert errors({"competencies": [str(i) for i in range(MAX_NODES)]}) == [("/competencies", "too_large")]


def test_json_pointer_escapes_per_rfc_6901() -> None:
    assert json_pointer(()) == ""
    assert json_pointer(("all_of", 0, "a/b~c")) == "/all_of/0/a~1b~0c"


def test_referenced_ids_lists_each_once_in_rule_order() -> None:
    rule = parse_rule({"any_of": [{"achievement": "b"}, {"all_of": [{"achievement": "a"}, {"achievement": "b"}]},
                                  {"competencies": ["k2", "k1"]}, {"competencies": ["k1"]}]})  # fmt: skip
    assert referenced_ids(rule) == (("b", "a"), ("k2", "k1"))


def test_reference_problems_name_unknown_result_descriptions_and_levels() -> None:
    rule = parse_rule(
        {
            "all_of": [
                {"achievement": PY, "min_result": {"result_description": GRADE, "level": PROFICIENT}},
                {"achievement": PY, "min_result": {"result_description": GRADE, "level": f"{PY}#grade-guru"}},
                {"achievement": PY, "min_result": {"result_description": f"{PY}#nope", "value": 3}},
                {"achievement": STATS, "min_result": {"result_description": SCORE, "value": 50}},
                {"achievement": "unknown", "min_result": {"result_description": SCORE, "value": 50}},
            ]
        }
    )
    assert [(p.loc, p.msg) for p in reference_problems(rule, CATALOG)] == [
        (("rule", "all_of", 1, "min_result", "level"), "not a rubric level of that result description"),
        (("rule", "all_of", 2, "min_result", "result_description"), "not a result description of the achievement"),
        (("rule", "all_of", 4, "min_result", "result_description"), "not a result description of the achievement"),
    ]


def test_wire_models_describe_the_same_grammar() -> None:
    """The pydantic rule models (OpenAPI) accept what `rule_to_json` writes and write it back unchanged."""
    adapter: TypeAdapter[RuleNode] = TypeAdapter(RuleNode)
    stored = rule_to_json(parse_rule(EVERY_NODE))
    assert adapter.dump_python(adapter.validate_python(stored), exclude_none=True) == stored
