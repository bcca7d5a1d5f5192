"""Issue 5 "Pathways": the rule grammar of a composite award, parsed from its JSON tree into frozen nodes.

`parse_rule` checks the whole tree and reports every invalid node at once (`RuleError`, a 422 VALIDATION_ERROR
whose errors are located like FastAPI's, under `rule`): a node has exactly one of the member names that say what
it is, no other members, non-empty lists, counts in range, positive credits. The tree is bounded (`MAX_DEPTH`
levels, `MAX_NODES` nodes counting each listed competency) because rules arrive from API clients.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from issuer.achievements import FieldError, FieldProblem, Loc
from issuer.pathways.inputs import Catalog
from schemas.pathways import NodeType

MAX_DEPTH: Final = 10
MAX_NODES: Final = 200
MAX_ID_LENGTH: Final = 2048
NODE_MEMBERS: Final[Mapping[str, frozenset[str]]] = {
    "achievement": frozenset({"achievement", "min_result"}),
    "all_of": frozenset({"all_of"}),
    "any_of": frozenset({"any_of"}),
    "n_of": frozenset({"n_of", "of"}),
    "credits": frozenset({"credits", "of"}),
    "competencies": frozenset({"competencies", "n"}),
}
MIN_RESULT_MEMBERS: Final = frozenset({"result_description", "level", "value"})


@dataclass(frozen=True, slots=True)
class MinLevel:
    """The result for `result_description` reached `level` or a higher one, in the achievement's level order."""

    result_description: str
    level: str


@dataclass(frozen=True, slots=True)
class MinValue:
    """The result value for `result_description`, read as a number, is at least `value`."""

    result_description: str
    value: float


@dataclass(frozen=True, slots=True)
class AchievementNode:
    achievement: str
    min_result: MinLevel | MinValue | None = None


@dataclass(frozen=True, slots=True)
class AllOf:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NOf:
    n: int
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Credits:
    """`nodes` None: every counted credential's credits count."""

    credits: float
    nodes: tuple[Node, ...] | None = None


@dataclass(frozen=True, slots=True)
class Competencies:
    """`n` None: all of them; `required` is the number either way."""

    competencies: tuple[str, ...]
    n: int | None = None

    @property
    def required(self) -> int:
        return len(self.competencies) if self.n is None else self.n


Node = AchievementNode | AllOf | AnyOf | NOf | Credits | Competencies


class RuleError(FieldError):
    """A pathway rule that does not follow the grammar (HTTP 422 VALIDATION_ERROR), with every offending node."""


class _TooLarge(Exception):
    def __init__(self, loc: Loc) -> None:
        self.loc = loc


def _list_error(value: object) -> str:
    return "too_short" if value == [] else "type_error"


def json_pointer(parts: Sequence[str | int]) -> str:
    """RFC 6901 §3 pointer of a location inside the rule ('' is the rule itself)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def parse_rule(tree: object, *, loc: Loc = ("rule",)) -> Node:
    """Issue 5 "Pathways" grammar: the frozen rule of a JSON tree, or RuleError listing every problem."""
    parser = _Parser()
    try:
        node = parser.node(tree, loc, depth=1)
    except _TooLarge as exc:
        parser.problem(exc.loc, f"a rule has at most {MAX_NODES} nodes (each listed competency counts)", "too_large")
        node = None
    if parser.problems or node is None:
        raise RuleError(parser.problems)
    return node


class _Parser:
    """One pass over the tree, collecting problems; a subtree with a problem parses to None."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []
        self.count = 0

    def problem(self, loc: Loc, msg: str, type_: str = "value_error") -> None:
        self.problems.append(FieldProblem(loc, msg, type_))

    def spend(self, loc: Loc, amount: int = 1) -> None:
        self.count += amount
        if self.count > MAX_NODES:
            raise _TooLarge(loc)

    def node(self, value: object, loc: Loc, depth: int) -> Node | None:
        if not isinstance(value, dict):
            self.problem(loc, "a rule node must be a JSON object", "type_error")
            return None
        self.spend(loc)
        if depth > MAX_DEPTH:
            self.problem(loc, f"rules nest at most {MAX_DEPTH} levels deep", "too_deep")
            return None
        kinds = [kind for kind in NODE_MEMBERS if kind in value]
        if len(kinds) != 1:
            self.problem(loc, "a rule node has exactly one of the members " + ", ".join(NODE_MEMBERS), "rule_node")
            return None
        kind = kinds[0]
        for key in sorted(set(value) - NODE_MEMBERS[kind]):
            self.problem((*loc, key), f"not a member of a {kind} node", "extra_forbidden")
        parse = getattr(self, f"_{kind}")
        parsed: Node | None = parse(value, loc, depth)
        return parsed

    def children(self, value: object, loc: Loc, depth: int) -> tuple[Node, ...] | None:
        if not isinstance(value, list) or not value:
            self.problem(loc, "must be a non-empty array of rule nodes", _list_error(value))
            return None
        before = len(self.problems)
        nodes = [self.node(item, (*loc, index), depth + 1) for index, item in enumerate(value)]
        if len(self.problems) > before:
            return None
        parsed = tuple(node for node in nodes if node is not None)
        for index, node in enumerate(parsed):
            if node in parsed[:index]:
                self.problem((*loc, index), "repeats an earlier node of the same list", "duplicate")
        return parsed

    def integer(self, value: object, loc: Loc, high: int | None) -> int | None:
        top = "" if high is None else f" to {high}"
        if isinstance(value, bool) or not isinstance(value, int) or value < 1 or (high is not None and value > high):
            self.problem(loc, f"must be an integer from 1{top}", "value_error")
            return None
        return value

    def identifier(self, value: object, loc: Loc) -> str | None:
        if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
            self.problem(loc, f"must be a non-empty id of at most {MAX_ID_LENGTH} characters", "string_type")
            return None
        return value

    def _achievement(self, value: dict[str, Any], loc: Loc, _depth: int) -> Node | None:
        achievement = self.identifier(value["achievement"], (*loc, "achievement"))
        min_result = self.min_result(value["min_result"], (*loc, "min_result")) if "min_result" in value else None
        if achievement is None or ("min_result" in value and min_result is None):
            return None
        return AchievementNode(achievement, min_result)

    def min_result(self, value: object, loc: Loc) -> MinLevel | MinValue | None:
        if not isinstance(value, dict):
            self.problem(loc, "must be an object with result_description and either level or value", "type_error")
            return None
        for key in sorted(set(value) - MIN_RESULT_MEMBERS):
            self.problem((*loc, key), "not a member of min_result", "extra_forbidden")
        if "result_description" not in value:
            self.problem((*loc, "result_description"), "required", "missing")
            return None
        description = self.identifier(value["result_description"], (*loc, "result_description"))
        if ("level" in value) == ("value" in value):
            self.problem(loc, "must have exactly one of level and value", "value_error")
            return None
        if "level" in value:
            level = self.identifier(value["level"], (*loc, "level"))
            return MinLevel(description, level) if description and level else None
        number = self.number(value["value"], (*loc, "value"), positive=False)
        return MinValue(description, number) if description and number is not None else None

    def number(self, value: object, loc: Loc, *, positive: bool) -> float | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or (positive and value <= 0)
        ):
            self.problem(loc, "must be a positive number" if positive else "must be a finite number", "value_error")
            return None
        return float(value)

    def _all_of(self, value: dict[str, Any], loc: Loc, depth: int) -> Node | None:
        nodes = self.children(value["all_of"], (*loc, "all_of"), depth)
        return AllOf(nodes) if nodes is not None else None

    def _any_of(self, value: dict[str, Any], loc: Loc, depth: int) -> Node | None:
        nodes = self.children(value["any_of"], (*loc, "any_of"), depth)
        return AnyOf(nodes) if nodes is not None else None

    def _n_of(self, value: dict[str, Any], loc: Loc, depth: int) -> Node | None:
        if "of" not in value:
            self.problem((*loc, "of"), "required: the nodes to count", "missing")
            return None
        nodes = self.children(value["of"], (*loc, "of"), depth)
        listed = value["of"]
        n = self.integer(value["n_of"], (*loc, "n_of"), len(listed) if isinstance(listed, list) and listed else None)
        return NOf(n, nodes) if nodes is not None and n is not None else None

    def _credits(self, value: dict[str, Any], loc: Loc, depth: int) -> Node | None:
        credits = self.number(value["credits"], (*loc, "credits"), positive=True)
        nodes = self.children(value["of"], (*loc, "of"), depth) if "of" in value else None
        if credits is None or ("of" in value and nodes is None):
            return None
        return Credits(credits, nodes)

    def _competencies(self, value: dict[str, Any], loc: Loc, _depth: int) -> Node | None:
        items, where = value["competencies"], (*loc, "competencies")
        if not isinstance(items, list) or not items:
            self.problem(where, "must be a non-empty array of competency ids", _list_error(items))
            return None
        self.spend(where, len(items))
        ids = [self.identifier(item, (*where, index)) for index, item in enumerate(items)]
        for index, item in enumerate(ids):
            if item is not None and item in ids[:index]:
                self.problem((*where, index), "repeats an earlier competency", "duplicate")
        n = self.integer(value["n"], (*loc, "n"), len(items)) if "n" in value else None
        if any(item is None for item in ids) or ("n" in value and n is None) or len(set(ids)) < len(ids):
            return None
        return Competencies(tuple(item for item in ids if item is not None), n)


def rule_to_json(node: Node) -> dict[str, Any]:
    """The JSON tree of a parsed rule, as stored and returned; `parse_rule` gives the same rule back."""
    match node:
        case AchievementNode(achievement, None):
            return {"achievement": achievement}
        case AchievementNode(achievement, MinLevel(description, level)):
            return {"achievement": achievement, "min_result": {"result_description": description, "level": level}}
        case AchievementNode(achievement, MinValue(description, number)):
            return {"achievement": achievement, "min_result": {"result_description": description, "value": number}}
        case AllOf(nodes):
            return {"all_of": [rule_to_json(child) for child in nodes]}
        case AnyOf(nodes):
            return {"any_of": [rule_to_json(child) for child in nodes]}
        case NOf(n, nodes):
            return {"n_of": n, "of": [rule_to_json(child) for child in nodes]}
        case Credits(credits, nodes):
            listed = {} if nodes is None else {"of": [rule_to_json(child) for child in nodes]}
            return {"credits": credits, **listed}
        case Competencies(competencies, n):
            return {"competencies": list(competencies), **({} if n is None else {"n": n})}
    raise TypeError(f"not a rule node: {node!r}")


def node_type(node: Node) -> NodeType:
    """The grammar's name of a node's kind: the member that says what it is."""
    match node:
        case AchievementNode():
            return "achievement"
        case AllOf():
            return "all_of"
        case AnyOf():
            return "any_of"
        case NOf():
            return "n_of"
        case Credits():
            return "credits"
    return "competencies"


def children(node: Node) -> tuple[tuple[str | int, ...], tuple[Node, ...]]:
    """The member under which a node lists its child nodes, and the children (none for leaves)."""
    match node:
        case AllOf(nodes):
            return ("all_of",), nodes
        case AnyOf(nodes):
            return ("any_of",), nodes
        case NOf(_, nodes) | Credits(_, nodes) if nodes is not None:
            return ("of",), nodes
    return (), ()


def walk(node: Node, loc: Loc = ()) -> Iterator[tuple[Loc, Node]]:
    """Every node with its location under the rule, parents before children, in rule order."""
    yield loc, node
    member, nodes = children(node)
    for index, child in enumerate(nodes):
        yield from walk(child, (*loc, *member, index))


def referenced_ids(rule: Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The achievement and competency ids a rule names, each once, in rule order (for the caller to resolve)."""
    achievements: dict[str, None] = {}
    competencies: dict[str, None] = {}
    for _loc, node in walk(rule):
        if isinstance(node, AchievementNode):
            achievements[node.achievement] = None
        elif isinstance(node, Competencies):
            competencies.update(dict.fromkeys(node.competencies))
    return tuple(achievements), tuple(competencies)


def reference_problems(rule: Node, catalog: Catalog, *, loc: Loc = ("rule",)) -> list[FieldProblem]:
    """OB 3.0 §B.1: each `min_result` names a result description of its achievement, and a level of that one."""
    problems: list[FieldProblem] = []
    for where, node in walk(rule, loc):
        if not isinstance(node, AchievementNode) or node.min_result is None:
            continue
        levels = catalog.levels(node.achievement, node.min_result.result_description)
        if levels is None:
            problems.append(
                FieldProblem(
                    (*where, "min_result", "result_description"), "not a result description of the achievement"
                )
            )
        elif isinstance(node.min_result, MinLevel) and node.min_result.level not in levels:
            problems.append(
                FieldProblem((*where, "min_result", "level"), "not a rubric level of that result description")
            )
    return problems
