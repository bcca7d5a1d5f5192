"""Issue 4 scenario fixtures: every scenario's report, check by check, through the verification pipeline.

Each scenario (scenarios.table) is verified through `verifier.service.verify_input` with the CLI's ports over an
httpx.MockTransport and a fixed clock. The report must list every check id in order with the declared status,
carry the declared key problem codes, say `verified` as declared, and read as plain language.
"""

from __future__ import annotations

import json
import re

import pytest

from scenarios.table import SCENARIOS, Scenario, publish_issuer
from scenarios.world import NOW, World
from schemas.report import CHECK_IDS, CheckStatus, VerificationReport
from verifier.checks.conformance import shown
from verifier.parse import UnreadableInput
from verifier.service import unreadable_report, verify_input


async def run(scenario: Scenario) -> tuple[VerificationReport, World]:
    world = World()
    publish_issuer(world)
    built = scenario.build(world)
    data = built if isinstance(built, bytes) else (built if isinstance(built, str) else json.dumps(built)).encode()
    async with world.ports() as ports:
        try:
            report = await verify_input(data, ports, scenario.options)
        except UnreadableInput as exc:
            # The pipeline's contract: nothing to report on; callers (CLI, API) turn it into a failed `parse`.
            report = unreadable_report(str(exc), NOW)
    return report, world


# What leaks from Python into text meant for people: container reprs, None/True/False, exception and object reprs,
# and repr-style quoting ('value' after a space or at the start; an apostrophe after a letter is English).
_PYTHON_LEAKS = re.compile(
    r"[{}\[\]]|\b(?:None|True|False|NoneType)\b|Traceback|\w+Error\(|<\w+ object|(?<![A-Za-z])'[^'\s]"
)
_PYTHON_DATA = re.compile(r"[\[{]'|'[\]}]|\bNoneType\b|Traceback")


def reads_well(text: str) -> bool:
    """A plain-language sentence: starts with a capital, ends with a full stop, and shows no Python."""
    return bool(text) and text[0].isupper() and text.endswith(".") and _PYTHON_LEAKS.search(text) is None


def unreadable_text(report: VerificationReport) -> list[str]:
    """Every explanation that does not read as plain language, and every problem title that shows Python.

    Titles may start with a claim name (`iss mismatch`), so only leaks are looked for there.
    """
    found = [f"{c.id}: {c.explanation}" for c in report.checks if not reads_well(c.explanation)]
    found += [
        f"{c.id} problem title: {p.title}" for c in report.checks for p in c.problems if _PYTHON_LEAKS.search(p.title)
    ]
    # Details are technical and may quote JSON, but never Python containers such as ['a'] or {'k': 1}.
    found += [f"{c.id} detail: {p.detail}" for c in report.checks for p in c.problems if _PYTHON_DATA.search(p.detail)]
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_scenario(scenario: Scenario) -> None:
    assert set(scenario.expect) == set(CHECK_IDS), "a scenario states the status of every check"
    report, world = await run(scenario)
    assert [c.id for c in report.checks] == list(CHECK_IDS)
    actual = {c.id: c.status.value for c in report.checks}
    described = {c.id: (c.status.value, [p.code for p in c.problems], c.explanation) for c in report.checks}
    assert actual == dict(scenario.expect), described
    for check in report.checks:
        codes = [p.code for p in check.problems]
        if check.id in scenario.codes:
            assert scenario.codes[check.id] in codes, described
        if check.status in (CheckStatus.FAILED, CheckStatus.ERROR):
            assert codes, f"{check.id} is {check.status} without a problem"
        elif check.status is CheckStatus.PASSED:
            assert not codes, f"{check.id} passed with problems {codes}"
    assert report.verified is scenario.verified
    assert unreadable_text(report) == []
    explanations = {c.id: c.explanation for c in report.checks}
    for check_id, words in scenario.explains.items():
        assert words in explanations[check_id]
    for url in scenario.not_fetched:
        assert url not in world.requested


@pytest.mark.parametrize(
    "text",
    [
        "expected a JSON object, got a JSON NoneType",
        "The list's purposes are ['revocation'].",
        "The credential's 'revocation' status is not set.",
        "Failed: ValueError('x').",
        "Value None is not allowed.",
    ],
)
def test_reads_well_catches_python_in_explanations(text: str) -> None:
    assert not reads_well(text)


def test_python_data_in_details_is_caught() -> None:
    assert _PYTHON_DATA.search("the entry's statusPurpose is not one of the list's ['revocation']")
    assert not _PYTHON_DATA.search('the list credential\'s id "https://a.example/1" is not https://b.example/1')


def test_shown_renders_input_values_as_json_and_bounds_them() -> None:
    assert shown({"status": None, "ok": True}) == '{"status": null, "ok": true}'
    assert shown("x" * 500).endswith("…") and len(shown("x" * 500)) == 160


def test_reads_well_accepts_plain_sentences() -> None:
    assert reads_well("The issuer's status list at https://issuer.example/status/1#list is not the issuer's.")


def test_scenario_names_are_unique() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
