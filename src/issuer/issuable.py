"""OB 3.0 §B.1 AchievementCredential issuance gate (ARCHITECTURE "Issue" step 3): may this unsigned credential be
signed? Two independent checks, both must pass:

(a) strict JSON-LD: the credential canonicalizes (RDFC-1.0) through the pinned contexts with data loss detection on
    (VC Data Integrity 1.0 §2.4), so every member maps to an IRI and nothing is silently left out of the signature;
(b) the published 1EdTech JSON Schema for AchievementCredential (JSON Schema draft 2019-09), which an OB verifier
    applies when `credentialSchema` names it (OB 3.0 §8.1 step 1, "Conformance").

Pure apart from reading the packaged schema file once (`CredentialSchema.load`); the composition layer may load it at
start-up and pass it in.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from credentials.jsonld import ContextStore
from credentials.proofs import ProofTransformationError, is_date_time_stamp, rdf_canonical_form
from issuer.achievements import FieldProblem, Loc
from issuer.render import RenderError

SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
MAX_REPORTED_PROBLEMS = 20
_MAX_MESSAGE = 300
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True  # JSON Schema formats constrain strings only
    if _DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _format_checker() -> Any:
    """`format` asserted, not just annotated: date-time as an XSD dateTimeStamp (a time zone is required)."""
    # jsonschema's own date-time check needs the optional rfc3339-validator package and silently passes without it.
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(lambda value: not isinstance(value, str) or is_date_time_stamp(value))
    checker.checks("date")(_is_date)
    return checker


@dataclass(frozen=True, slots=True)
class CredentialSchema:
    """A JSON Schema (draft 2019-09) ready to validate credentials; `document` is the schema as published."""

    document: Mapping[str, Any]
    _validator: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        jsonschema.Draft201909Validator.check_schema(self.document)
        validator = jsonschema.Draft201909Validator(self.document, format_checker=_format_checker())
        object.__setattr__(self, "_validator", validator)

    @classmethod
    def load(cls, path: Path | None = None) -> CredentialSchema:
        """The schema at `path`, or the packaged 1EdTech AchievementCredential schema (src/schemas/data)."""
        if path is not None:
            text = path.read_text(encoding="utf-8")
        else:
            text = resources.files("schemas").joinpath("data", SCHEMA_FILE).read_text(encoding="utf-8")
        return cls(json.loads(text))

    def problems(self, instance: Mapping[str, Any]) -> list[FieldProblem]:
        """Every schema violation, most relevant cause first for each, with its location in the instance."""
        found = sorted(self._validator.iter_errors(instance), key=jsonschema.exceptions.relevance)
        return [_problem(jsonschema.exceptions.best_match([error])) for error in found]


def _problem(error: Any) -> FieldProblem:
    message = str(error.message)
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return FieldProblem(tuple(error.absolute_path), message, "json_schema")


@functools.cache
def packaged_credential_schema() -> CredentialSchema:
    """The packaged 1EdTech AchievementCredential schema, loaded and compiled on first use."""
    return CredentialSchema.load()


def validate_issuable(
    credential: Mapping[str, Any], contexts: ContextStore, *, schema: CredentialSchema | None = None
) -> None:
    """Raise RenderError unless `credential` passes strict JSON-LD canonicalization and the JSON Schema.

    `proof` members are left out of the JSON-LD check (a proof is not part of what it secures). A credentialStatus
    array (revocation and suspension entries) is checked entry by entry: the published schema allows one object
    only, so each entry is validated in place of the array, and every entry must pass.
    """
    problems = [*_json_ld_problems(credential, contexts)]
    problems.extend(_schema_problems(credential, schema or packaged_credential_schema()))
    if problems:
        raise RenderError(problems[:MAX_REPORTED_PROBLEMS])


def _json_ld_problems(credential: Mapping[str, Any], contexts: ContextStore) -> Iterator[FieldProblem]:
    unsecured = {key: value for key, value in credential.items() if key != "proof"}
    try:
        rdf_canonical_form(unsecured, contexts)
    except ProofTransformationError as exc:
        yield FieldProblem((), f"JSON-LD: {exc.problem.detail}", exc.problem.code)


def _schema_problems(credential: Mapping[str, Any], schema: CredentialSchema) -> Iterator[FieldProblem]:
    entries = credential.get("credentialStatus")
    if not isinstance(entries, list) or not entries:
        yield from schema.problems(credential)
        return
    seen: set[tuple[Loc, str]] = set()
    for index, entry in enumerate(entries):
        view = {**credential, "credentialStatus": entry}
        for problem in schema.problems(view):
            located = _in_status_array(problem, index)
            if (located.loc, located.msg) not in seen:
                seen.add((located.loc, located.msg))
                yield located


def _in_status_array(problem: FieldProblem, index: int) -> FieldProblem:
    if problem.loc[:1] != ("credentialStatus",):
        return problem
    return FieldProblem(("credentialStatus", index, *problem.loc[1:]), problem.msg, problem.type)
