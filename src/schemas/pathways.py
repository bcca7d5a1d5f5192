"""Issue 5 "Pathways": the rule tree of a composite award and the result of evaluating it, as the API carries them.

The rule models document the grammar (OpenAPI) and serialize stored rules; requests are validated by
`issuer.pathways.parse_rule`, which reports every invalid node with its location instead of pydantic's
one-error-per-union-member output. The evaluation models are what `POST /api/v1/pathways/{id}/evaluate` returns
about the rule: the annotated tree, progress, and what is missing as data and as one sentence.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

NodeType = Literal["achievement", "all_of", "any_of", "n_of", "credits", "competencies"]
OptionType = Literal["achievement", "all_of", "any_of", "n_of", "credits", "competencies", "competency"]
Count = Annotated[int | float, Field(description="a count (groups, competencies) or a number of credits")]


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MinResultLevel(_Rule):
    """The credential's result for `result_description` reached `level` or a higher rubric level (OB 3.0 §B.1)."""

    result_description: str
    level: str = Field(description="a rubricCriterionLevel id; levels compare in the achievement's order, low to high")


class MinResultValue(_Rule):
    """The credential's result `value` for `result_description`, read as a number, is at least `value`."""

    result_description: str
    value: float


class AchievementRule(_Rule):
    """Met by a counted credential for this achievement (directly or through an equivalence)."""

    achievement: str = Field(description="the achievement's id (its public URL)")
    min_result: MinResultLevel | MinResultValue | None = None


class AllOfRule(_Rule):
    """Met when every listed node is met."""

    all_of: list[RuleNode] = Field(min_length=1)


class AnyOfRule(_Rule):
    """Met when at least one listed node is met."""

    any_of: list[RuleNode] = Field(min_length=1)


class NOfRule(_Rule):
    """Met when at least `n_of` of the listed nodes are met."""

    n_of: int = Field(ge=1)
    of: list[RuleNode] = Field(min_length=1)


class CreditsRule(_Rule):
    """Met when the credits (creditsEarned, else the achievement's creditsAvailable) of the credentials that meet
    the `of` nodes (every counted credential when `of` is absent), each credential once, reach `credits`."""

    credits: float = Field(gt=0)
    of: list[RuleNode] | None = Field(default=None, min_length=1)


class CompetenciesRule(_Rule):
    """Met when the alignments of the counted credentials cover `n` of the competencies (all when `n` is absent)."""

    competencies: list[str] = Field(min_length=1, description="competency ids (their public URLs)")
    n: int | None = Field(default=None, ge=1)


RuleNode = AchievementRule | AllOfRule | AnyOfRule | NOfRule | CreditsRule | CompetenciesRule


class CountedAs(BaseModel):
    """Why a credential met an achievement node: the caller's reason (the achievement itself, an equivalence)."""

    model_config = ConfigDict(frozen=True)

    credential: str
    reason: str


class RuleNodeTrace(BaseModel):
    """One node of the evaluated rule: whether it is met, by which credentials, and how far along it is."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(description="JSON pointer (RFC 6901) of the node in the rule; '' is the root")
    type: NodeType
    satisfied: bool
    credentials: list[str] = Field(
        description="ids of the credentials counting towards the node, oldest first: an achievement node's "
        "matching credentials, a group's from its met children, the ones a credits node summed, the ones "
        "covering a competency"
    )
    earned: Count | None = Field(
        default=None, description="groups: children met; credits: credits earned; competencies: covered"
    )
    required: Count | None = Field(default=None, description="what `earned` must reach")
    achievement: str | None = Field(default=None, description="achievement nodes: the achievement id")
    name: str | None = Field(default=None, description="achievement nodes: the achievement's name")
    counted_as: list[CountedAs] | None = Field(default=None, description="achievement nodes: why each counted")
    covered: list[str] | None = Field(default=None, description="competencies nodes: the competencies covered")
    children: list[RuleNodeTrace] = Field(default_factory=list)


class Progress(BaseModel):
    """How far the learner is: requirements (achievement nodes and competencies a completion needs) and credits."""

    model_config = ConfigDict(frozen=True)

    requirements_met: int
    requirements_total: int = Field(
        description="achievement nodes and listed competencies the cheapest way of meeting the rule needs: all of "
        "an all_of's, the smallest child of an any_of, the n smallest children of an n_of, n of a competencies "
        "node; a credits node counts in credits only"
    )
    credits_earned: float = Field(description="summed over credits nodes, each capped at what it requires")
    credits_required: float


class MissingOption(BaseModel):
    """Something that would help meet a missing requirement: a node of the rule, or a competency."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(description="JSON pointer of the node (or competency entry) in the rule")
    type: OptionType
    id: str | None = Field(default=None, description="the achievement or competency id, for those")
    name: str = Field(description="its name, or a short description of a group")


class MissingRequirement(BaseModel):
    """One unmet node: `more` of `options` still needed, or `credits` more credits (from `options` when listed)."""

    model_config = ConfigDict(frozen=True)

    path: str
    type: NodeType
    more: int | None = Field(default=None, description="how many more of `options` are needed")
    credits: float | None = Field(default=None, description="credits nodes: how many more credits are needed")
    options: list[MissingOption]


class RuleEvaluation(BaseModel):
    """Issue 5 "Evaluate and award": the verdict on a pathway rule with its trace, progress and what is missing."""

    model_config = ConfigDict(frozen=True)

    satisfied: bool
    trace: RuleNodeTrace
    progress: Progress
    missing: list[MissingRequirement] = Field(description="empty exactly when satisfied")
    missing_text: str = Field(
        description="the same as one sentence, e.g. '2 more of: Data Cleaning, SQL Basics, Dashboards; "
        "3 more credits'; empty when satisfied"
    )


# The node models refer to `RuleNode`, defined after them.
for _model in (AllOfRule, AnyOfRule, NOfRule, CreditsRule):
    _model.model_rebuild()
