"""Issue 3 "`credstack demo` seeds a demo organization": the demo's issuer Profile (OB 3.0 §B.1) and Achievement
templates (OB 3.0 §B.1.1), as the request bodies the issuers and achievements APIs take.

Plain data: `credstack.demo` validates it with the API's own models (IssuerCreate, AchievementTemplate) when it
seeds, so the demo cannot drift from what the API accepts. The names are how a second run finds what the first one
created, so changing one makes the next run create a new row. URLs are under `demo.credstack.example` (RFC 2606
reserves `.example`): they name nothing real and never resolve.
"""

from __future__ import annotations

from typing import Any, Final

ORGANIZATION: Final = "Credstack Demo"
CLIENT_NAME: Final = "Credstack demo client"
RECIPIENT_EMAIL: Final = "learner@example.com"
FRAMEWORK: Final = "Credstack Demo Data Skills Framework"
_SITE: Final = "https://demo.credstack.example"

ISSUER: Final[dict[str, Any]] = {
    "name": "Credstack Demo University",
    "url": _SITE,
    "email": "badges@demo.credstack.example",
    "description": "A fictional university that the `credstack demo` command creates to show issuing and verifying.",
    "did_method": "web",
}


def _alignment(code: str, name: str, description: str) -> dict[str, Any]:
    """OB 3.0 §B.1 Alignment to a competency of the (fictional) demo skills framework."""
    return {
        "targetName": name,
        "targetUrl": f"{_SITE}/frameworks/data-skills/{code}",
        "targetDescription": description,
        "targetCode": code,
        "targetFramework": FRAMEWORK,
        "targetType": "ceasn:Competency",
    }


def _rubric(task: str) -> list[dict[str, Any]]:
    """OB 3.0 §B.1 ResultDescription: one rubric-scored assessment with three levels, `#proficient` to pass."""
    return [
        {
            "id": "#assessment",
            "name": f"Assessment: {task}",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": [
                {
                    "id": "#not-yet",
                    "name": "Not yet",
                    "description": "Parts of the task are missing or wrong.",
                    "level": "1",
                    "points": "0",
                },
                {
                    "id": "#proficient",
                    "name": "Proficient",
                    "description": "The task is done correctly.",
                    "level": "2",
                    "points": "1",
                },
                {
                    "id": "#distinguished",
                    "name": "Distinguished",
                    "description": "Done correctly, efficiently and explained so that a colleague can take it over.",
                    "level": "3",
                    "points": "2",
                },
            ],
            "requiredLevel": "#proficient",
        }
    ]


def _micro_credential(
    *, name: str, code: str, description: str, criteria: str, task: str, competency: str, tags: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "criteria": {"id": f"{_SITE}/criteria/{code}", "narrative": criteria},
        "achievementType": "MicroCredential",
        "alignment": [_alignment(code, competency, description)],
        "resultDescription": _rubric(task),
        "creditsAvailable": 2.0,
        "fieldOfStudy": "Data Analysis",
        "humanCode": code,
        "tag": tags,
        "inLanguage": "en",
    }


MICRO_CREDENTIALS: Final[tuple[dict[str, Any], ...]] = (
    _micro_credential(
        name="Data Cleaning",
        code="DA-101",
        description="Prepares raw tabular data for analysis: removes duplicates, fixes types and formats, handles "
        "missing values and documents every change.",
        criteria="Clean the assessment's raw data set so that it passes the validation suite, and hand in a change "
        "log that explains each transformation.",
        task="clean a raw data set",
        competency="Data quality",
        tags=["data", "cleaning", "data quality"],
    ),
    _micro_credential(
        name="SQL Basics",
        code="DA-102",
        description="Answers business questions with SQL: filters, joins, grouping and aggregation, subqueries.",
        criteria="Write the ten queries of the assessment against the sample sales database; each must return "
        "the expected rows.",
        task="answer ten questions with SQL",
        competency="Querying relational data",
        tags=["data", "SQL", "databases"],
    ),
    _micro_credential(
        name="Dashboards",
        code="DA-103",
        description="Builds dashboards that answer a stakeholder's questions: chooses measures and charts, keeps "
        "them readable and explains what they show.",
        criteria="Build a dashboard for the assessment's brief and present it in ten minutes, answering the "
        "stakeholder's questions from it.",
        task="build and present a dashboard",
        competency="Data visualisation",
        tags=["data", "visualisation", "dashboards"],
    ),
)

COMPOSITE: Final[dict[str, Any]] = {
    "name": "Data Analyst Certificate",
    "description": "Awarded for the three data analysis micro-credentials together: Data Cleaning, SQL Basics and "
    "Dashboards.",
    "criteria": {
        "id": f"{_SITE}/criteria/DA-100",
        "narrative": "Earn the Data Cleaning (DA-101), SQL Basics (DA-102) and Dashboards (DA-103) micro-credentials.",
    },
    "achievementType": "Certificate",
    "alignment": [
        _alignment("DA-100", "Data analysis", "Cleans, queries and presents data to answer business questions.")
    ],
    "creditsAvailable": 6.0,
    "fieldOfStudy": "Data Analysis",
    "humanCode": "DA-100",
    "tag": ["data", "data analysis", "certificate"],
    "inLanguage": "en",
}
