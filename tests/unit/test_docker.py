"""The container image's files (Dockerfile, docker/entrypoint.sh, .dockerignore): what can be checked without Docker.

No Docker engine runs where the tests run, so the image is not built here. These tests check that every file the
Dockerfile names exists and is not excluded from the build context, that the entry point is an executable bash
script that parses, and what it runs, with a stand-in `credstack` on PATH that records its arguments.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from credentials.jsonld import DEFAULT_CONTEXTS_DIR
from credstack.db import MIGRATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
BASH = shutil.which("bash") or "/bin/bash"
# What the image needs from the build context: the code, the data it reads from the source tree, the entry point,
# and what `pip install -e` reads (pyproject.toml names README.md as the readme).
NEEDED = ("pyproject.toml", "README.md", "src", "contexts", "migrations", "docker/entrypoint.sh")


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule for the patterns used here: a match of the path or of any parent directory excludes it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatchcase(prefix, pattern) or fnmatch.fnmatchcase(prefix, pattern.removeprefix("**/"))
        for pattern in patterns
        for prefix in prefixes
    )


def test_dockerfile_shape() -> None:
    instructions = _instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [argument for keyword, argument in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("VOLUME", '["/data"]') in instructions
    assert ("EXPOSE", "8000") in instructions
    assert any(keyword == "ENV" and "CREDSTACK_DATA_DIR=/data" in argument for keyword, argument in instructions)
    assert ("ENTRYPOINT", '["/app/docker/entrypoint.sh"]') in instructions
    assert any(keyword == "RUN" and "pip install -e /app" in argument for keyword, argument in instructions)


def test_files_the_image_needs_exist_and_reach_the_build_context() -> None:
    patterns = _ignore_patterns()
    for path in NEEDED:
        assert (ROOT / path).exists(), path
        assert not _ignored(path, patterns), f".dockerignore excludes {path}"
    assert (ROOT / "contexts" / "manifest.json").is_file()
    assert (ROOT / "migrations" / "env.py").is_file()
    for path in (".venv", "tests/interop/node_modules", "var", ".mypy_cache", "src/credstack/__pycache__"):
        assert _ignored(path, patterns), f".dockerignore lets {path} in"


def test_source_tree_paths_that_the_editable_install_keeps() -> None:
    """The Dockerfile's reason for `pip install -e`: contexts and migrations are found next to the source tree."""
    assert DEFAULT_CONTEXTS_DIR == ROOT / "contexts"
    assert MIGRATIONS_DIR == ROOT / "migrations"


def test_entrypoint_is_executable_bash_that_parses() -> None:
    mode = ENTRYPOINT.stat().st_mode
    assert mode & stat.S_IXUSR and mode & stat.S_IXGRP and mode & stat.S_IXOTH
    assert ENTRYPOINT.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    subprocess.run([BASH, "-n", str(ENTRYPOINT)], check=True)


def _run_entrypoint(tmp_path: Path, *args: str, **env: str) -> tuple[int, list[str], str]:
    """Run the entry point with a `credstack` that logs its arguments; the exit code, the calls, stderr."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls"
    fake = bin_dir / "credstack"
    fake.write_text(f'#!/bin/sh\necho "credstack $*" >> "{log}"\n', encoding="utf-8")
    fake.chmod(0o755)
    environment = {"PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", **env}
    done = subprocess.run([str(ENTRYPOINT), *args], env=environment, capture_output=True, text=True, check=False)
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return done.returncode, calls, done.stderr


def test_entrypoint_migrates_then_serves_with_workers(tmp_path: Path) -> None:
    code, calls, _ = _run_entrypoint(tmp_path)
    assert code == 0
    assert calls == ["credstack db upgrade", "credstack serve --host 0.0.0.0 --port 8000 --workers 2"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"CREDSTACK_WORKERS": "4"},
            ["credstack db upgrade", "credstack serve --host 0.0.0.0 --port 8000 --workers 4"],
        ),
        ({"CREDSTACK_MIGRATE": "0"}, ["credstack serve --host 0.0.0.0 --port 8000 --workers 2"]),
    ],
    ids=["workers", "no-migration"],
)
def test_entrypoint_settings(tmp_path: Path, env: dict[str, str], expected: list[str]) -> None:
    code, calls, _ = _run_entrypoint(tmp_path, **env)
    assert (code, calls) == (0, expected)


@pytest.mark.parametrize("workers", ["0", "two", "-1", "2; rm -rf /"])
def test_entrypoint_refuses_bad_worker_counts(tmp_path: Path, workers: str) -> None:
    code, calls, stderr = _run_entrypoint(tmp_path, CREDSTACK_WORKERS=workers)
    assert (code, calls) == (2, [])
    assert re.search("CREDSTACK_WORKERS must be a positive integer", stderr)


def test_entrypoint_runs_arguments_instead(tmp_path: Path) -> None:
    code, calls, _ = _run_entrypoint(
        tmp_path, "credstack", "clients", "create", "--org", "X", "--scopes", "issuers:write"
    )
    assert (code, calls) == (0, ["credstack clients create --org X --scopes issuers:write"])
