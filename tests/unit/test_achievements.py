"""Achievement templates (OB 3.0 §B.1.1): the strict wire model and the OB Achievement JSON the service makes of it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from issuer.achievements import AchievementError, achievement_document, described_results, resolve_reference
from schemas.achievement import AchievementTemplate

ACHIEVEMENT_ID = "https://issuer.example/achievements/6a3a2a6e"
CREATOR = {"id": "did:web:issuer.example", "type": ["Profile"], "name": "Example University"}
ALIGNMENT = {
    "targetName": "Clean a data set",
    "targetUrl": "https://case.example/items/42",
    "targetDescription": "Removes duplicates and fixes types.",
    "targetCode": "DS.1",
    "targetFramework": "Data Skills",
    "targetType": "CFItem",
}

FULL_TEMPLATE: dict[str, Any] = {
    "name": "Data Cleaning",
    "description": "Cleans *real* data sets.",
    "criteria": {"id": "https://issuer.example/criteria/dc", "narrative": "Pass the practical assessment."},
    "achievementType": "MicroCredential",
    "alignment": [dict(ALIGNMENT)],
    "resultDescription": [
        {
            "name": "Practical",
            "resultType": "RubricCriterionLevel",
            "allowedValue": ["Fail", "Pass", "Merit"],
            "rubricCriterionLevel": [
                {
                    "id": "#pass",
                    "name": "Pass",
                    "description": "Meets the criteria.",
                    "level": "2",
                    "points": "10",
                    "alignment": [dict(ALIGNMENT)],
                },
                {"name": "Fail"},
            ],
            "requiredLevel": "#pass",
            "requiredValue": "Pass",
            "valueMax": "Merit",
            "valueMin": "Fail",
            "alignment": [dict(ALIGNMENT)],
        },
        {"id": "https://issuer.example/results/status", "name": "Completion", "resultType": "Status"},
    ],
    "creditsAvailable": 2.5,
    "fieldOfStudy": "Data Science",
    "specialization": "Data Quality",
    "tag": ["data"],
    "humanCode": "DS-101",
    "image": {"id": "data:image/png;base64,iVBORw0KGgo=", "caption": "The badge"},
    "related": [{"id": "https://issuer.example/achievements/6a3a2a6e-fr", "inLanguage": "fr-CA", "version": "2"}],
    "inLanguage": "en",
    "version": "1.0",
    "otherIdentifier": [{"identifier": "DS-101-2026", "identifierType": "ext:CourseCode"}],
}

TYPED_ALIGNMENT = {"type": ["Alignment"], **ALIGNMENT}
EXPECTED_DOCUMENT: dict[str, Any] = {
    "id": ACHIEVEMENT_ID,
    "type": ["Achievement"],
    "name": "Data Cleaning",
    "description": "Cleans *real* data sets.",
    "criteria": {"id": "https://issuer.example/criteria/dc", "narrative": "Pass the practical assessment."},
    "image": {"id": "data:image/png;base64,iVBORw0KGgo=", "type": "Image", "caption": "The badge"},
    "achievementType": "MicroCredential",
    "creator": CREATOR,
    "creditsAvailable": 2.5,
    "fieldOfStudy": "Data Science",
    "specialization": "Data Quality",
    "humanCode": "DS-101",
    "inLanguage": "en",
    "version": "1.0",
    "tag": ["data"],
    "alignment": [TYPED_ALIGNMENT],
    "resultDescription": [
        {
            "id": f"{ACHIEVEMENT_ID}#result-1",
            "type": ["ResultDescription"],
            "name": "Practical",
            "resultType": "RubricCriterionLevel",
            "allowedValue": ["Fail", "Pass", "Merit"],
            "requiredLevel": f"{ACHIEVEMENT_ID}#pass",
            "requiredValue": "Pass",
            "rubricCriterionLevel": [
                {
                    "id": f"{ACHIEVEMENT_ID}#pass",
                    "type": ["RubricCriterionLevel"],
                    "name": "Pass",
                    "description": "Meets the criteria.",
                    "level": "2",
                    "points": "10",
                    "alignment": [TYPED_ALIGNMENT],
                },
                {"id": f"{ACHIEVEMENT_ID}#result-1-level-2", "type": ["RubricCriterionLevel"], "name": "Fail"},
            ],
            "valueMax": "Merit",
            "valueMin": "Fail",
            "alignment": [TYPED_ALIGNMENT],
        },
        {
            "id": "https://issuer.example/results/status",
            "type": ["ResultDescription"],
            "name": "Completion",
            "resultType": "Status",
        },
    ],
    "related": [
        {
            "id": "https://issuer.example/achievements/6a3a2a6e-fr",
            "type": ["Related"],
            "inLanguage": "fr-CA",
            "version": "2",
        }
    ],
    "otherIdentifier": [{"type": "IdentifierEntry", "identifier": "DS-101-2026", "identifierType": "ext:CourseCode"}],
}


def template(**changes: Any) -> AchievementTemplate:
    return AchievementTemplate.model_validate(FULL_TEMPLATE | changes)


def minimal(**changes: Any) -> AchievementTemplate:
    base = {"name": "Teamwork", "description": "Works in a team.", "criteria": {"narrative": "Peer nominated."}}
    return AchievementTemplate.model_validate(base | changes)


def refused(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        AchievementTemplate.model_validate(data)
    return [(tuple(error["loc"]), error["msg"]) for error in caught.value.errors()]


def walk(value: Any) -> list[Any]:
    """Every value nested in a JSON document, the document included."""
    found = [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        found.extend(walk(child))
    return found


# The OB Achievement JSON


def test_full_template_round_trips_to_the_ob_achievement_json() -> None:
    assert achievement_document(template(), achievement_id=ACHIEVEMENT_ID, creator=CREATOR) == EXPECTED_DOCUMENT


def test_the_template_json_round_trips_through_the_wire_model() -> None:
    assert template().model_dump(exclude_none=True) == FULL_TEMPLATE


def test_minimal_template_has_only_what_was_given_and_no_nulls_or_empty_arrays() -> None:
    document = achievement_document(minimal(tag=[], alignment=[]), achievement_id="urn:uuid:1", creator=None)
    assert document == {
        "id": "urn:uuid:1",
        "type": ["Achievement"],
        "name": "Teamwork",
        "description": "Works in a team.",
        "criteria": {"narrative": "Peer nominated."},
    }


def test_no_null_or_empty_array_anywhere_in_the_full_document() -> None:
    document = achievement_document(template(), achievement_id=ACHIEVEMENT_ID, creator=None)
    assert all(value is not None and value != [] and value != {} for value in walk(document))
    assert "creator" not in document


def test_single_values_of_multi_valued_properties_are_arrays() -> None:
    document = achievement_document(template(), achievement_id=ACHIEVEMENT_ID, creator=None)
    for key in ("type", "tag", "alignment", "related", "otherIdentifier"):
        assert isinstance(document[key], list) and len(document[key]) == 1, key
    assert document["resultDescription"][1]["type"] == ["ResultDescription"]


def test_default_ids_derive_from_the_achievement_id() -> None:
    data = copy.deepcopy(FULL_TEMPLATE["resultDescription"])
    data[0].pop("requiredLevel")
    data[0]["rubricCriterionLevel"][0].pop("id")
    document = achievement_document(minimal(resultDescription=data), achievement_id="urn:uuid:ab", creator=None)
    first, second = document["resultDescription"]
    assert first["id"] == "urn:uuid:ab#result-1"
    assert [level["id"] for level in first["rubricCriterionLevel"]] == [
        "urn:uuid:ab#result-1-level-1",
        "urn:uuid:ab#result-1-level-2",
    ]
    assert second["id"] == "https://issuer.example/results/status"


def test_described_results_index_the_document() -> None:
    document = achievement_document(template(), achievement_id=ACHIEVEMENT_ID, creator=None)
    described = described_results(document)
    practical = described[f"{ACHIEVEMENT_ID}#result-1"]
    assert practical.level_ids == {f"{ACHIEVEMENT_ID}#pass", f"{ACHIEVEMENT_ID}#result-1-level-2"}
    assert practical.allowed_values == ("Fail", "Pass", "Merit")
    assert described["https://issuer.example/results/status"].result_type == "Status"


def test_local_references_resolve_against_the_achievement_id() -> None:
    assert resolve_reference("#pass", "urn:uuid:ab") == "urn:uuid:ab#pass"
    assert resolve_reference("https://x.example/l", "urn:uuid:ab") == "https://x.example/l"


@pytest.mark.parametrize("achievement_id", ["relative/path", "urn:uuid:ab#frag", "https://x.example/a b", ""])
def test_an_achievement_id_must_be_absolute_without_fragment(achievement_id: str) -> None:
    with pytest.raises(ValueError, match="absolute URI"):
        achievement_document(minimal(), achievement_id=achievement_id, creator=None)


def test_duplicate_ids_inside_the_achievement_are_refused() -> None:
    descriptions = [
        {"name": "A", "resultType": "Result"},
        {"id": "#result-1", "name": "B", "resultType": "Result"},
    ]
    with pytest.raises(AchievementError) as caught:
        achievement_document(minimal(resultDescription=descriptions), achievement_id="urn:uuid:ab", creator=None)
    assert caught.value.errors() == [
        {
            "loc": ["resultDescription", "1", "id"],
            "msg": "the id 'urn:uuid:ab#result-1' is already used in this achievement",
            "type": "value_error",
        }
    ]
    assert caught.value.status == 422 and caught.value.code == "VALIDATION_ERROR"


# The wire model


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("achievementType",), "Trophy"),
        (("alignment", 0, "targetType"), "Competency"),
        (("resultDescription", 0, "resultType"), "Score"),
        (("otherIdentifier", 0, "identifierType"), "email"),
        (("achievementType",), "ext:"),
        (("achievementType",), "ext:Has Space"),
        (("achievementType",), "EXT:Thing"),
    ],
)
def test_enumerations_are_refused_unless_members_or_ext_terms(path: tuple[str | int, ...], value: str) -> None:
    data = copy.deepcopy(FULL_TEMPLATE)
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    [(loc, message)] = refused(data)
    assert loc == path
    assert "extension term 'ext:'" in message


@pytest.mark.parametrize("value", ["ext:Trophy", "ext:my.org_badge-2"])
def test_extension_terms_are_accepted(value: str) -> None:
    alignment = {**ALIGNMENT, "targetType": value}
    descriptions = [{"name": "R", "resultType": value}]
    accepted = template(achievementType=value, alignment=[alignment], resultDescription=descriptions)
    assert accepted.achievementType == value


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (FULL_TEMPLATE | {"id": "https://x.example/a"}, ("id",)),
        (FULL_TEMPLATE | {"type": ["Achievement"]}, ("type",)),
        (FULL_TEMPLATE | {"descripton": "typo"}, ("descripton",)),
        (FULL_TEMPLATE | {"criteria": {"narrative": "n", "extra": 1}}, ("criteria", "extra")),
        (FULL_TEMPLATE | {"image": {"id": "https://x.example/i.png", "type": "Image"}}, ("image", "type")),
        (FULL_TEMPLATE | {"alignment": [ALIGNMENT | {"url": "https://x.example"}]}, ("alignment", 0, "url")),
    ],
)
def test_unknown_fields_are_refused(data: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    assert refused(data) == [(loc, "Extra inputs are not permitted")]


def test_required_level_must_name_a_level_of_its_own_description() -> None:
    data = copy.deepcopy(FULL_TEMPLATE)
    data["resultDescription"][0]["requiredLevel"] = "#distinction"
    assert refused(data) == [
        (
            ("resultDescription", 0, "requiredLevel"),
            "Value error, must be the id of one of this result description's rubricCriterionLevel entries",
        )
    ]


def test_required_level_of_another_description_is_refused() -> None:
    data = copy.deepcopy(FULL_TEMPLATE)
    data["resultDescription"][1] |= {
        "rubricCriterionLevel": [{"id": "#done", "name": "Done"}],
        "requiredLevel": "#pass",
    }
    [(loc, _message)] = refused(data)
    assert loc == ("resultDescription", 1, "requiredLevel")


def test_required_level_without_levels_is_refused() -> None:
    [(loc, _message)] = refused(
        FULL_TEMPLATE | {"resultDescription": [{"name": "R", "resultType": "Result", "requiredLevel": "#x"}]}
    )
    assert loc == ("resultDescription", 0, "requiredLevel")


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"criteria": {}}, ("criteria",)),
        ({"name": "   "}, ("name",)),
        ({"name": "a\x00b"}, ("name",)),
        ({"description": "\ud800"}, ("description",)),
        ({"creditsAvailable": -1}, ("creditsAvailable",)),
        ({"creditsAvailable": "3"}, ("creditsAvailable",)),
        ({"creditsAvailable": True}, ("creditsAvailable",)),
        ({"inLanguage": "english"}, ("inLanguage",)),
        ({"criteria": {"id": "/relative"}}, ("criteria", "id")),
        ({"image": {"id": "data:image/svg+xml,<svg/>"}}, ("image", "id")),
        ({"alignment": [ALIGNMENT | {"targetUrl": "urn:isbn:1"}]}, ("alignment", 0, "targetUrl")),
        ({"related": [{"id": "no scheme"}]}, ("related", 0, "id")),
        (
            {"resultDescription": [{"id": "#bad ref", "name": "R", "resultType": "Result"}]},
            ("resultDescription", 0, "id"),
        ),
        ({"tag": ["x"] * 101}, ("tag",)),
    ],
)
def test_invalid_values_are_refused_with_their_location(changes: dict[str, Any], loc: tuple[str | int, ...]) -> None:
    assert [found for found, _message in refused(FULL_TEMPLATE | changes)] == [loc]


def test_required_members_are_named() -> None:
    assert sorted(loc for loc, _message in refused({})) == [("criteria",), ("description",), ("name",)]


def test_control_characters_other_than_nul_are_kept() -> None:
    assert minimal(name="Tab\there\x07bell").name == "Tab\there\x07bell"
