"""OB 3.0 §B.1.1 Achievement: the JSON document of an achievement template, with the ids the service assigns.

Pure: a validated `AchievementTemplate` and the achievement id in, the OB Achievement JSON out. The output follows the
OB 3.0 serialization rules (§B, "JSON serialization"): arrays for multi-valued properties even with one value, and no
null values or empty arrays. Every nested object carries its `type`, because the OB context defines the members of
each class in a type-scoped context: without `type: ["Alignment"]`, `targetName` would be an undefined term.

Result description and rubric level ids that the template left out become fragment URIs of the achievement id
(`<achievement id>#result-1`, `#result-1-level-2`), so they are stable across versions and unique per achievement.
Local references (`#name`) in the template resolve against the achievement id the same way.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from issuer.errors import InvalidInput
from schemas.achievement import (
    AchievementTemplate,
    Alignment,
    IdentifierEntry,
    Image,
    Related,
    ResultDescription,
    RubricCriterionLevel,
)

Loc = tuple[str | int, ...]
_ABSOLUTE_URI_WITHOUT_FRAGMENT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s#]+")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid value: where it is (`loc`, as in FastAPI validation errors), what is wrong, a stable `type`."""

    loc: Loc
    msg: str
    type: str = "value_error"


class FieldError(InvalidInput):
    """The input is well-formed but not consistent (HTTP 422 VALIDATION_ERROR), with the offending fields."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{'.'.join(map(str, p.loc)) or '(document)'}: {p.msg}" for p in self.problems))

    @classmethod
    def at(cls, loc: Loc, msg: str, type_: str = "value_error") -> FieldError:
        return cls([FieldProblem(loc, msg, type_)])

    def errors(self) -> list[dict[str, Any]]:
        """The problems in the shape of FastAPI's validation errors: loc, msg, type."""
        return [{"loc": [str(part) for part in p.loc], "msg": p.msg, "type": p.type} for p in self.problems]


class AchievementError(FieldError):
    """An achievement template whose ids collide or whose references name nothing (OB 3.0 §B.1.1)."""


@dataclass(frozen=True, slots=True)
class DescribedResult:
    """What issuing needs to know of one ResultDescription of an achievement (OB 3.0 §B.1 ResultDescription)."""

    id: str
    result_type: str | None
    level_ids: frozenset[str]
    allowed_values: tuple[str, ...] | None


def resolve_reference(reference: str, achievement_id: str) -> str:
    """A local reference `#name` names something inside the achievement: it becomes `<achievement id>#name`."""
    return achievement_id + reference if reference.startswith("#") else reference


def achievement_document(
    template: AchievementTemplate, *, achievement_id: str, creator: Mapping[str, Any] | None
) -> dict[str, Any]:
    """OB 3.0 §B.1.1 Achievement JSON for `template` with `achievement_id` (a URL or `urn:uuid:`, no fragment).

    `creator` is the OB Profile of the achievement's creator, copied as given. Raises AchievementError when two
    result descriptions or rubric levels end up with the same id, or `requiredLevel` names no level of its own
    result description; ValueError when `achievement_id` is not an absolute URI without a fragment (a caller bug).
    """
    if _ABSOLUTE_URI_WITHOUT_FRAGMENT.fullmatch(achievement_id) is None:
        raise ValueError(f"an achievement id must be an absolute URI without a fragment, not {achievement_id!r}")
    document: dict[str, Any] = {"id": achievement_id, "type": ["Achievement"]}
    _put(document, "name", template.name)
    _put(document, "description", template.description)
    _put(document, "criteria", _compact({"id": template.criteria.id, "narrative": template.criteria.narrative}))
    _put(document, "image", _image(template.image) if template.image is not None else None)
    _put(document, "achievementType", template.achievementType)
    _put(document, "creator", copy.deepcopy(dict(creator)) if creator is not None else None)
    _put(document, "creditsAvailable", template.creditsAvailable)
    for key in ("fieldOfStudy", "specialization", "humanCode", "inLanguage", "version"):
        _put(document, key, getattr(template, key))
    _put(document, "tag", list(template.tag or ()))
    _put(document, "alignment", alignments(template.alignment))
    _put(document, "resultDescription", _result_descriptions(template.resultDescription or (), achievement_id))
    _put(document, "related", [_related(item) for item in template.related or ()])
    _put(document, "otherIdentifier", [_identifier_entry(item) for item in template.otherIdentifier or ()])
    _check_unique_ids(document)
    return document


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    # OB 3.0 §B serialization: null values and empty arrays are omitted, never written.
    if value is not None and value != []:
        document[key] = value


def _compact(members: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in members.items():
        _put(result, key, value)
    return result


def alignments(items: Iterable[Alignment] | None) -> list[dict[str, Any]]:
    """OB 3.0 §B.1 Alignment objects, typed."""
    return [
        {"type": ["Alignment"]}
        | _compact(
            {
                "targetName": item.targetName,
                "targetUrl": item.targetUrl,
                "targetDescription": item.targetDescription,
                "targetCode": item.targetCode,
                "targetFramework": item.targetFramework,
                "targetType": item.targetType,
            }
        )
        for item in items or ()
    ]


def _image(image: Image) -> dict[str, Any]:
    # The 1EdTech schema wants Image.type as the single string "Image" (OB 3.0 §B.1 Image: type 1).
    return {"id": image.id, "type": "Image"} | _compact({"caption": image.caption})


def _related(item: Related) -> dict[str, Any]:
    return {"id": item.id, "type": ["Related"]} | _compact({"inLanguage": item.inLanguage, "version": item.version})


def _identifier_entry(item: IdentifierEntry) -> dict[str, Any]:
    return {"type": "IdentifierEntry", "identifier": item.identifier, "identifierType": item.identifierType}


def _result_descriptions(items: Sequence[ResultDescription], achievement_id: str) -> list[dict[str, Any]]:
    return [_result_description(item, index, achievement_id) for index, item in enumerate(items)]


def _result_description(item: ResultDescription, index: int, achievement_id: str) -> dict[str, Any]:
    """OB 3.0 §B.1 ResultDescription with its id, its levels' ids and `requiredLevel` resolved."""
    default_id = f"{achievement_id}#result-{index + 1}"
    levels = [
        _level(level, f"{default_id}-level-{number + 1}", achievement_id)
        for number, level in enumerate(item.rubricCriterionLevel or ())
    ]
    required_level = resolve_reference(item.requiredLevel, achievement_id) if item.requiredLevel else None
    if required_level is not None and required_level not in {level["id"] for level in levels}:
        raise AchievementError.at(
            ("resultDescription", index, "requiredLevel"),
            "must be the id of one of this result description's rubricCriterionLevel entries",
        )
    document: dict[str, Any] = {
        "id": resolve_reference(item.id, achievement_id) if item.id else default_id,
        "type": ["ResultDescription"],
        "name": item.name,
        "resultType": item.resultType,
    }
    _put(document, "allowedValue", list(item.allowedValue or ()))
    _put(document, "requiredLevel", required_level)
    _put(document, "requiredValue", item.requiredValue)
    _put(document, "rubricCriterionLevel", levels)
    _put(document, "valueMax", item.valueMax)
    _put(document, "valueMin", item.valueMin)
    _put(document, "alignment", alignments(item.alignment))
    return document


def _level(level: RubricCriterionLevel, default_id: str, achievement_id: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": resolve_reference(level.id, achievement_id) if level.id else default_id,
        "type": ["RubricCriterionLevel"],
        "name": level.name,
    }
    for key in ("description", "level", "points"):
        _put(document, key, getattr(level, key))
    _put(document, "alignment", alignments(level.alignment))
    return document


def _check_unique_ids(document: Mapping[str, Any]) -> None:
    """Results and achievedLevel name descriptions and levels by id, so every id must name exactly one thing."""
    seen = {document["id"]}
    for index, description in enumerate(document.get("resultDescription", ())):
        located: list[tuple[Loc, str]] = [(("resultDescription", index, "id"), description["id"])]
        for number, level in enumerate(description.get("rubricCriterionLevel", ())):
            located.append((("resultDescription", index, "rubricCriterionLevel", number, "id"), level["id"]))
        for loc, value in located:
            if value in seen:
                raise AchievementError.at(loc, f"the id {value!r} is already used in this achievement")
            seen.add(value)


def described_results(achievement: Mapping[str, Any]) -> dict[str, DescribedResult]:
    """The result descriptions of an OB Achievement JSON document, by id; tolerant of compacted single values."""
    described: dict[str, DescribedResult] = {}
    for item in _as_list(achievement.get("resultDescription")):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            continue
        levels = frozenset(
            level["id"]
            for level in _as_list(item.get("rubricCriterionLevel"))
            if isinstance(level, Mapping) and isinstance(level.get("id"), str)
        )
        allowed = item.get("allowedValue")
        result_type = item.get("resultType")
        described[item["id"]] = DescribedResult(
            id=item["id"],
            result_type=result_type if isinstance(result_type, str) else None,
            level_ids=levels,
            allowed_values=tuple(str(value) for value in _as_list(allowed)) if allowed is not None else None,
        )
    return described


def _as_list(value: Any) -> list[Any]:
    # OB 3.0 §B "compacted form": a stored document may hold one value where the model has an array.
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
