"""`credstack bake` / `unbake` (OB 3.0 baking) through the CLI, including unusable input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credstack.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "images"
CREDENTIAL = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "name": "é✓"}


@pytest.mark.parametrize("image", ["plain-1x1.png", "plain.svg"])
def test_bake_then_unbake_round_trips(image: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "credential.json"
    source.write_text(json.dumps(CREDENTIAL), encoding="utf-8")
    out = tmp_path / f"baked-{image}"
    assert main(["bake", str(source), "--image", str(FIXTURES / image), "-o", str(out)]) == 0
    assert main(["unbake", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == CREDENTIAL


def test_unbake_image_without_credential_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unbake", str(FIXTURES / "plain-1x1.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("credstack: ") and "Traceback" not in err


def test_unbake_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unbake", str(tmp_path / "nope.png")]) == 2
    assert "cannot read" in capsys.readouterr().err
