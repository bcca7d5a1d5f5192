"""ARCHITECTURE.md habit 8 (bound work on untrusted input) for documents that carry credentials: presentations
(VCDM 2.0 §4.13) and CLRs (STANDARDS.md §5). Too many credentials, or credentials nested too deeply, are a
failed `conformance` check with a clear problem, and none of the credentials inside is verified.
"""

from __future__ import annotations

from schemas.report import CheckResult, CheckStatus, ProblemDetails
from verifier.parse import Limits
from verifier.problems import failed, problem


def limit_problems(count: int, limits: Limits, nesting: int, where: str) -> list[ProblemDetails]:
    """Why the `count` credentials of a `where` ("presentation", "CLR") at nesting level `nesting` are refused."""
    problems = []
    if count > limits.max_credentials:
        problems.append(
            problem(
                "RANGE_ERROR",
                f"The {where} holds more credentials than are verified at once",
                f"{count} credentials; at most {limits.max_credentials} are verified in one {where}",
            )
        )
    if count and nesting >= limits.max_nesting:
        problems.append(
            problem(
                "RANGE_ERROR",
                "Credentials are nested too deeply inside one another",
                f"this {where} is at nesting level {nesting}; credentials nest at most {limits.max_nesting} deep",
            )
        )
    return problems


def with_problems(result: CheckResult, problems: list[ProblemDetails]) -> CheckResult:
    """`result` with more problems: FAILED, whatever it was, since each problem is a definite fault."""
    if not problems:
        return result
    titles = "; ".join(p.title for p in problems)
    explanation = f"{titles}."
    if result.status is CheckStatus.FAILED and result.explanation:
        explanation = f"{result.explanation} {explanation}"
    return failed(result.id, [*result.problems, *problems], explanation)
