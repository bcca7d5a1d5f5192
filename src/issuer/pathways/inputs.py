"""Issue 5 "Evaluate and award": what rule evaluation reads, as frozen values the caller builds.

The caller (the pathway service) has already verified each credential, kept those from trusted issuers bound to
the learner, applied `max_age_days`, and mapped each to the local achievements it counts as (directly or through
an equivalence). Evaluation trusts these values and does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class CountsAs:
    """One local achievement a credential counts as, and why (e.g. "achievement", "equivalence: <issuer> <id>")."""

    achievement_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AchievedResult:
    """OB 3.0 §B.1 Result of the credential's subject: the achieved rubric level and/or the value (a string in OB).

    `result_description` is the id the rule names: for a credential counted through an equivalence, the caller
    maps the partner's result description ids to ours when the agreement says how, and leaves them otherwise.
    """

    result_description: str
    achieved_level: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class CountedCredential:
    """A verified credential that counts for this learner, reduced to what the rule grammar can ask about."""

    id: str
    issuer: str
    counts_as: tuple[CountsAs, ...]
    credits_earned: float | None = None
    credits_available: float | None = None
    results: tuple[AchievedResult, ...] = ()
    competencies: frozenset[str] = frozenset()
    issued: datetime | None = None

    @property
    def achievement_ids(self) -> frozenset[str]:
        return frozenset(entry.achievement_id for entry in self.counts_as)


def _frozen_mapping() -> Mapping[str, str]:
    return MappingProxyType({})


def _frozen_results() -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Catalog:
    """What the rule's ids stand for: display names, and each achievement's result descriptions and rubric levels.

    `names` maps achievement, competency, result description and level ids to names (an id without one is shown
    as itself). `results` maps an achievement id to its result descriptions' ids, each with its
    rubricCriterionLevel ids in the achievement's order, lowest first (OB 3.0 §B.1 ResultDescription), empty for
    a description without a rubric.
    """

    names: Mapping[str, str] = field(default_factory=_frozen_mapping)
    results: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=_frozen_results)

    def name(self, id_: str) -> str:
        return self.names.get(id_, id_)

    def levels(self, achievement_id: str, result_description: str) -> tuple[str, ...] | None:
        """The ordered level ids of one result description; None when the achievement has no such description."""
        return self.results.get(achievement_id, {}).get(result_description)
