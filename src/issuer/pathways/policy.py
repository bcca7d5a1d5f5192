"""Issue 5 "Pathways": whose credentials count for a pathway, and as which of the rule's achievements.

The organization's own issuers and the pathway's `trusted_issuers` are trusted. A credential of an own issuer counts
as the achievement whose id its subject's `achievement.id` names; a partner's credential counts only through an
equivalence (articulation agreement): "achievement X of issuer D counts as our Y", X matched by the achievement's
`id`, by an alignment's `targetUrl`, or by an alignment's `targetCode`. A partner naming one of our achievement ids
therefore gains nothing: only our issuers' signatures make a credential of our achievements.

The rule names achievements as the pathway stored them (public URL or uuid); `rule_ids` maps every other spelling a
credential or an equivalence may use (the public URL, the uuid) to the rule's, and an id it does not list is taken
as the rule's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from issuer.pathways.claims import Award
from issuer.pathways.inputs import CountsAs

OWN_REASON = "achievement"


@dataclass(frozen=True, slots=True)
class Equivalence:
    """`issuer`'s credentials whose achievement matches exactly one matcher count as `counts_as`."""

    issuer: str
    counts_as: str
    achievement_id: str | None = None
    alignment_url: str | None = None
    alignment_code: str | None = None

    def __post_init__(self) -> None:
        if sum(m is not None for m in (self.achievement_id, self.alignment_url, self.alignment_code)) != 1:
            raise ValueError("an equivalence has exactly one of achievement_id, alignment_url and alignment_code")

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Equivalence:
        """An equivalence as `schemas.pathway_api.Equivalence` stores it (`model_dump(exclude_none=True)`)."""
        return cls(
            issuer=item["issuer"],
            counts_as=item["counts_as"],
            achievement_id=item.get("achievement_id"),
            alignment_url=item.get("alignment_url"),
            alignment_code=item.get("alignment_code"),
        )

    def matches(self, issuer: str, award: Award) -> bool:
        if issuer != self.issuer:
            return False
        if self.achievement_id is not None:
            return award.achievement_id == self.achievement_id
        if self.alignment_url is not None:
            return any(alignment.target_url == self.alignment_url for alignment in award.alignments)
        return any(alignment.target_code == self.alignment_code for alignment in award.alignments)

    @property
    def reason(self) -> str:
        """How the trace explains a credential counted through this agreement."""
        if self.achievement_id is not None:
            return f"equivalence: {self.issuer} {self.achievement_id}"
        if self.alignment_url is not None:
            return f"equivalence: {self.issuer} alignment {self.alignment_url}"
        return f"equivalence: {self.issuer} alignment code {self.alignment_code}"


def _no_ids() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PathwayPolicy:
    """One pathway version's trust and mapping settings (issue 5 "Pathways"); `max_age_days` None: no age limit.

    `composite` is the pathway's own composite achievement (as a credential names it): its awards never count
    towards the pathway that awards them.
    """

    own_issuers: frozenset[str]
    trusted_issuers: frozenset[str] = frozenset()
    equivalences: tuple[Equivalence, ...] = ()
    max_age_days: int | None = None
    rule_ids: Mapping[str, str] = field(default_factory=_no_ids)
    composite: str | None = None

    def __post_init__(self) -> None:
        if self.max_age_days is not None and self.max_age_days < 1:
            raise ValueError("max_age_days is at least 1")

    def trusts(self, issuer: str | None) -> bool:
        return issuer is not None and (issuer in self.own_issuers or issuer in self.trusted_issuers)

    def rule_id(self, reference: str) -> str:
        return self.rule_ids.get(reference, reference)

    def counts_as(self, issuer: str, award: Award) -> tuple[CountsAs, ...]:
        """Every local achievement the award counts as, each once: its own first, then by equivalence in order."""
        found: dict[str, CountsAs] = {}
        if issuer in self.own_issuers and award.achievement_id is not None:
            local = self.rule_id(award.achievement_id)
            found[local] = CountsAs(local, OWN_REASON)
        for equivalence in self.equivalences:
            if equivalence.matches(issuer, award):
                local = self.rule_id(equivalence.counts_as)
                found.setdefault(local, CountsAs(local, equivalence.reason))
        return tuple(found.values())
