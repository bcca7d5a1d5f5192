"""The installed `credstack` command against the JavaScript reference: what the CLI signs, JS verifies, and what
JS signs, `credstack verify` accepts (exit 0) and rejects once tampered (exit 1, the `proof` check named)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

import pytest
from jsref import JsReference

SEED: Final = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"  # issuer of the fixtures
SECRET_KEY: Final = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
FIXTURES: Final = Path(__file__).resolve().parent / "fixtures"
CREDSTACK: Final = str(Path(sys.executable).parent / "credstack")


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CREDSTACK, *args], input=stdin, capture_output=True, text=True, check=False, timeout=120)


def _fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
@pytest.mark.parametrize("fixture", ["ob3-vcdm2", "ob3-vcdm11"])
def test_cli_signs_and_js_verifies(suite: str, fixture: str, js_reference: JsReference) -> None:
    done = _run("sign", "-", "--secret-key", SECRET_KEY, "--suite", suite, stdin=json.dumps(_fixture(fixture)))
    assert done.returncode == 0, done.stderr
    verdict = js_reference.verify(json.loads(done.stdout))
    assert verdict["verified"] is True and verdict["allProofsVerified"] is True, verdict["errors"]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "Ed25519Signature2020"])
def test_js_signs_and_cli_verifies(suite: str, js_reference: JsReference, tmp_path: Path) -> None:
    signed = js_reference.sign(_fixture("ob3-vcdm2"), suite, SEED, "2024-06-01T12:00:00Z")
    path = tmp_path / "signed.json"
    path.write_text(json.dumps(signed), encoding="utf-8")
    done = _run("verify", str(path), "--offline")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["verified"] is True

    signed["credentialSubject"]["achievement"]["name"] = "Something else"
    done = _run("verify", "-", "--offline", "--format", "text", stdin=json.dumps(signed))
    assert done.returncode == 1
    assert "[FAIL ] proof:" in done.stdout
