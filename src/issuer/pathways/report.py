"""Issue 5 "Evaluate and award": an evaluation as the API returns it (`schemas.pathways.RuleEvaluation`).

`judge` is the one call the pathway service needs: evaluate the rule, explain what is missing, and shape both for
the wire. Credential ids come out oldest first, then by id, so the same input always gives the same output.
"""

from __future__ import annotations

from collections.abc import Sequence

from issuer.pathways.evaluate import Evaluation, NodeOutcome, evaluate
from issuer.pathways.explain import CREDIT_DIGITS, Missing, missing, sentence
from issuer.pathways.inputs import Catalog, CountedCredential
from issuer.pathways.rules import AchievementNode, Competencies, Node, json_pointer, node_type
from schemas.pathways import (
    CountedAs,
    MissingOption,
    MissingRequirement,
    Progress,
    RuleEvaluation,
    RuleNodeTrace,
)


def judge(rule: Node, credentials: Sequence[CountedCredential], catalog: Catalog) -> RuleEvaluation:
    """Issue 5 "Evaluate and award": the verdict, the annotated rule, progress, and what is missing."""
    return rule_evaluation(evaluate(rule, credentials, catalog), catalog)


def rule_evaluation(evaluation: Evaluation, catalog: Catalog) -> RuleEvaluation:
    """The wire form of an evaluation."""
    items = missing(evaluation, catalog)
    root = evaluation.root
    return RuleEvaluation(
        satisfied=evaluation.satisfied,
        trace=_trace(root, evaluation, catalog),
        progress=Progress(
            requirements_met=root.requirements_met,
            requirements_total=root.requirements_total,
            credits_earned=round(evaluation.credits_earned, CREDIT_DIGITS),
            credits_required=round(evaluation.credits_required, CREDIT_DIGITS),
        ),
        missing=[_missing(item) for item in items],
        missing_text=sentence(items),
    )


def _trace(outcome: NodeOutcome, evaluation: Evaluation, catalog: Catalog) -> RuleNodeTrace:
    node = outcome.node
    ids = evaluation.ordered(outcome.credentials)
    leaf = node if isinstance(node, AchievementNode) else None
    return RuleNodeTrace(
        path=json_pointer(outcome.loc),
        type=node_type(node),
        satisfied=outcome.satisfied,
        credentials=ids,
        earned=round(outcome.earned, CREDIT_DIGITS) if outcome.earned is not None else None,
        required=outcome.required,
        achievement=leaf.achievement if leaf else None,
        name=catalog.name(leaf.achievement) if leaf else None,
        counted_as=[CountedAs(credential=id_, reason=_reason(evaluation, id_, leaf.achievement)) for id_ in ids]
        if leaf
        else None,
        covered=list(outcome.covered) if isinstance(node, Competencies) else None,
        children=[_trace(kid, evaluation, catalog) for kid in outcome.children],
    )


def _reason(evaluation: Evaluation, credential_id: str, achievement_id: str) -> str:
    entries = evaluation.credentials[credential_id].counts_as
    return next(entry.reason for entry in entries if entry.achievement_id == achievement_id)


def _missing(item: Missing) -> MissingRequirement:
    return MissingRequirement(
        path=json_pointer(item.loc),
        type=item.type,
        more=item.more,
        credits=item.credits,
        options=[
            MissingOption(path=json_pointer(option.loc), type=option.type, id=option.id, name=option.name)
            for option in item.options
        ],
    )
