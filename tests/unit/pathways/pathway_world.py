"""Builders for pathway rule tests: a small catalog of achievements and compact counted credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from issuer.pathways.inputs import AchievedResult, Catalog, CountedCredential, CountsAs

DC, SQL, DASH, PY, STATS = (f"https://uni.example/achievements/{name}" for name in ("dc", "sql", "dash", "py", "stats"))
GRADE = f"{PY}#grade"
SCORE = f"{STATS}#score"
NOVICE, PROFICIENT, EXPERT = (f"{PY}#grade-{level}" for level in ("novice", "proficient", "expert"))
K_CLEAN, K_QUERY, K_VIS = (f"https://uni.example/competencies/{code}" for code in ("clean", "query", "vis"))

CATALOG = Catalog(
    names={
        DC: "Data Cleaning",
        SQL: "SQL Basics",
        DASH: "Dashboards",
        PY: "Python",
        STATS: "Statistics",
        PROFICIENT: "Proficient",
        SCORE: "Final score",
        K_CLEAN: "Clean data",
        K_QUERY: "Query data",
        K_VIS: "Visualise data",
    },
    results={PY: {GRADE: (NOVICE, PROFICIENT, EXPERT)}, STATS: {SCORE: ()}, DC: {}},
)
DAY0 = datetime(2025, 1, 1, tzinfo=UTC)


def credential(
    id_: str,
    *achievements: str,
    credits: float | None = None,
    available: float | None = None,
    level: str | None = None,
    score: str | None = None,
    competencies: frozenset[str] = frozenset(),
    day: int = 0,
    reason: str = "achievement",
) -> CountedCredential:
    """A counted credential for `achievements`, with a Python grade `level` and/or a Statistics `score`."""
    results = []
    if level is not None:
        results.append(AchievedResult(GRADE, achieved_level=level))
    if score is not None:
        results.append(AchievedResult(SCORE, value=score))
    return CountedCredential(
        id=id_,
        issuer="did:web:uni.example",
        counts_as=tuple(CountsAs(achievement, reason) for achievement in achievements),
        credits_earned=credits,
        credits_available=available,
        results=tuple(results),
        competencies=competencies,
        issued=DAY0 + timedelta(days=day),
    )
