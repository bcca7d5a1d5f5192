"""Issue 3 "`credstack demo` seeds a demo organization": the demo's issuer Profile (OB 3.0 §B.1), Achievement
templates (OB 3.0 §B.1.1), and (issue 5) its competency framework and the pathway that awards the composite, as the
request bodies the issuers, achievements, competencies and pathways APIs take.

Plain data: `credstack.demo` validates it with the API's own models (IssuerCreate, AchievementTemplate,
CreateCompetencyRequest, CreatePathwayRequest) when it seeds, so the demo cannot drift from what the API accepts.
The names are how a second run finds what the first one created (competencies by framework and code, the pathway by
the composite it awards), so changing one makes the next run create a new row. URLs are under
`demo.credstack.example` (RFC 2606 reserves `.example`): they name nothing real and never resolve.
"""

from __future__ import annotations

from typing import Any, Final

ORGANIZATION: Final = "Credstack Demo"
CLIENT_NAME: Final = "Credstack demo client"
RECIPIENT_EMAIL: Final = "learner@example.com"
# Issue 6: the learner of the credential the demo issues at once, whose claim link it prints (kept apart from the
# walk-through's learner, whose stack the printed steps build).
WALLET_LEARNER_EMAIL: Final = "wallet.learner@example.com"
FRAMEWORK: Final = "Credstack Demo Data Skills Framework"
_SITE: Final = "https://demo.credstack.example"

ISSUER: Final[dict[str, Any]] = {
    "name": "Credstack Demo University",
    "url": _SITE,
    "email": "badges@demo.credstack.example",
    "description": "A fictional university that the `credstack demo` command creates to show issuing and verifying.",
    "did_method": "web",
}


# Issue 5: the framework's competencies (`POST /api/v1/competencies` bodies), one per micro-credential. The
# achievements align to them through `competencies` (ALIGNED_TO), so each alignment's `targetUrl` is the
# competency's public URL on this service.
COMPETENCIES: Final[tuple[dict[str, Any], ...]] = (
    {
        "framework": FRAMEWORK,
        "code": "DS-1",
        "name": "Data quality",
        "description": "Finds and fixes duplicates, wrong types, inconsistent formats and missing values, and "
        "documents each change.",
        "level": "EQF 5",
    },
    {
        "framework": FRAMEWORK,
        "code": "DS-2",
        "name": "Querying relational data",
        "description": "Answers questions from relational data with SQL: filters, joins, grouping, aggregation.",
        "level": "EQF 5",
    },
    {
        "framework": FRAMEWORK,
        "code": "DS-3",
        "name": "Data visualisation",
        "description": "Chooses measures and charts that answer a stakeholder's questions and explains them.",
        "level": "EQF 5",
    },
)


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
    *, name: str, code: str, description: str, criteria: str, task: str, tags: list[str]
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "criteria": {"id": f"{_SITE}/criteria/{code}", "narrative": criteria},
        "achievementType": "MicroCredential",
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
        tags=["data", "cleaning", "data quality"],
    ),
    _micro_credential(
        name="SQL Basics",
        code="DA-102",
        description="Answers business questions with SQL: filters, joins, grouping and aggregation, subqueries.",
        criteria="Write the ten queries of the assessment against the sample sales database; each must return "
        "the expected rows.",
        task="answer ten questions with SQL",
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
    "creditsAvailable": 6.0,
    "fieldOfStudy": "Data Analysis",
    "humanCode": "DA-100",
    "tag": ["data", "data analysis", "certificate"],
    "inLanguage": "en",
}

# The competency codes each achievement aligns to (the `competencies` of its `POST /api/v1/achievements`): the
# composite asks for all three, which the pathway's curriculum coverage shows covered by the three components.
ALIGNED_TO: Final[dict[str, tuple[str, ...]]] = {
    "Data Cleaning": ("DS-1",),
    "SQL Basics": ("DS-2",),
    "Dashboards": ("DS-3",),
    "Data Analyst Certificate": ("DS-1", "DS-2", "DS-3"),
}

# Issue 5: the pathway that awards the composite (`POST /api/v1/pathways` without `issuer_id`,
# `composite_achievement_id` and `rule`, which name the rows seeded: the rule is `all_of` the three
# micro-credentials). Not awarded automatically: the walkthrough evaluates, then asks for the award.
PATHWAY: Final[dict[str, Any]] = {
    "name": "Data Analyst Certificate",
    "trusted_issuers": [],
    "equivalences": [],
    "max_age_days": 1825,
    "auto_award": False,
}
