"""Issue 5 "Evaluate and award": what the learner still needs, as data and as one sentence.

One entry per unmet requirement, parents before children, in rule order. An unmet all_of lists its unmet
achievements together and then explains its unmet groups one by one; an unmet any_of or n_of says how many more of
its unmet children are needed (alternatives are not explained further: the trace shows how far each one is); a
credits node says how many credits, and from which unmet `of` nodes; a competencies node, which competencies are
not covered yet. The sentence joins the entries: "2 more of: Data Cleaning, SQL Basics, Dashboards; 3 more credits".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from issuer.achievements import Loc
from issuer.pathways.evaluate import Evaluation, NodeOutcome
from issuer.pathways.inputs import Catalog
from issuer.pathways.rules import (
    AchievementNode,
    AllOf,
    AnyOf,
    Competencies,
    Credits,
    MinLevel,
    MinValue,
    Node,
    NOf,
    node_type,
)
from schemas.pathways import NodeType, OptionType

# Credits are compared with a tolerance (evaluate.CREDIT_TOLERANCE); what is left is shown rounded the same way.
CREDIT_DIGITS = 6


@dataclass(frozen=True, slots=True)
class Option:
    """A node of the rule (or one listed competency) that would help meet a missing requirement."""

    loc: Loc
    type: OptionType
    id: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Missing:
    """An unmet node: `more` of `options` still needed, or `credits` more credits (from `options` when any)."""

    loc: Loc
    type: NodeType
    more: int | None
    credits: float | None
    options: tuple[Option, ...]


def missing(evaluation: Evaluation, catalog: Catalog) -> tuple[Missing, ...]:
    """What is missing for the rule to be met; empty exactly when it is met."""
    return () if evaluation.satisfied else tuple(_missing(evaluation.root, catalog))


def _missing(outcome: NodeOutcome, catalog: Catalog) -> Iterator[Missing]:
    node, loc = outcome.node, outcome.loc
    unmet = [kid for kid in outcome.children if not kid.satisfied]
    match node:
        case AchievementNode():
            yield Missing(loc, "achievement", 1, None, (_option(outcome, catalog),))
        case AllOf():
            leaves = [kid for kid in unmet if isinstance(kid.node, AchievementNode)]
            if leaves:
                yield Missing(loc, "all_of", len(leaves), None, _options(leaves, catalog))
            for kid in unmet:
                if not isinstance(kid.node, AchievementNode):
                    yield from _missing(kid, catalog)
        case AnyOf() | NOf():
            more = int((outcome.required or 0) - (outcome.earned or 0))
            yield Missing(loc, node_type(node), more, None, _options(unmet, catalog))
        case Credits():
            left = round(node.credits - (outcome.earned or 0.0), CREDIT_DIGITS)
            yield Missing(loc, "credits", None, left, _options(unmet, catalog))
        case Competencies():
            options = tuple(
                Option((*loc, "competencies", index), "competency", competency, catalog.name(competency))
                for index, competency in enumerate(node.competencies)
                if competency not in outcome.covered
            )
            yield Missing(loc, "competencies", node.required - len(outcome.covered), None, options)


def _options(kids: Sequence[NodeOutcome], catalog: Catalog) -> tuple[Option, ...]:
    return tuple(_option(kid, catalog) for kid in kids)


def _option(outcome: NodeOutcome, catalog: Catalog) -> Option:
    node = outcome.node
    id_ = node.achievement if isinstance(node, AchievementNode) else None
    return Option(outcome.loc, node_type(node), id_, label(node, catalog))


def label(node: Node, catalog: Catalog) -> str:
    """A short English description of a node: an achievement's name, or what a group asks for."""
    match node:
        case AchievementNode(achievement, None):
            return catalog.name(achievement)
        case AchievementNode(achievement, MinLevel(_, level)):
            return f"{catalog.name(achievement)} (at least {catalog.name(level)})"
        case AchievementNode(achievement, MinValue(description, value)):
            return f"{catalog.name(achievement)} ({catalog.name(description)} at least {number(value)})"
        case AllOf(nodes):
            return f"all of ({_labels(nodes, catalog)})"
        case AnyOf(nodes):
            return f"one of ({_labels(nodes, catalog)})"
        case NOf(n, nodes):
            return f"{n} of ({_labels(nodes, catalog)})"
        case Credits(credits, nodes):
            source = "" if nodes is None else f" from ({_labels(nodes, catalog)})"
            return f"{number(credits)} credits{source}"
        case Competencies(competencies, n):
            names = ", ".join(catalog.name(competency) for competency in competencies)
            return f"competencies ({names})" if n is None else f"{n} of competencies ({names})"
    raise TypeError(f"not a rule node: {node!r}")


def _labels(nodes: Sequence[Node], catalog: Catalog) -> str:
    return ", ".join(label(node, catalog) for node in nodes)


def number(value: float) -> str:
    """A count or credit amount as people write it: 3, 2.5."""
    value = round(value, CREDIT_DIGITS)
    return str(int(value)) if value.is_integer() else repr(value)


def sentence(items: Sequence[Missing]) -> str:
    """Issue 5: "2 more of: Data Cleaning, SQL Basics, Dashboards; 3 more credits"; empty when nothing is missing."""
    return "; ".join(_phrase(item) for item in items)


def _phrase(item: Missing) -> str:
    names = ", ".join(option.name for option in item.options)
    if item.type == "credits":
        amount = item.credits or 0.0
        unit = "credit" if amount == 1 else "credits"
        return f"{number(amount)} more {unit}" + (f" from: {names}" if names else "")
    if item.type == "competencies":
        unit = "competency" if item.more == 1 else "competencies"
        return f"{item.more} more {unit} of: {names}"
    if item.more == 1 and len(item.options) == 1:
        return names
    return f"{item.more} more of: {names}"
