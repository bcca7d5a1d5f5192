"""`credstack keys generate` (CID 1.0 §2.2.2 Multikey): the W3C vc-di-eddsa key pair from its seed."""

from __future__ import annotations

import json

import pytest

from credstack.cli import main

W3C_SEED = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"


def test_keys_generate_from_seed_reproduces_w3c_key_pair(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "generate", "--seed", W3C_SEED]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["publicKeyMultibase"] == "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert out["secretKeyMultibase"] == "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
    assert out["did"] == "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert out["verificationMethod"] == out["did"] + "#" + out["publicKeyMultibase"]


def test_keys_generate_random_keys_differ(capsys: pytest.CaptureFixture[str]) -> None:
    main(["keys", "generate"])
    first = json.loads(capsys.readouterr().out)
    main(["keys", "generate"])
    second = json.loads(capsys.readouterr().out)
    assert first["publicKeyMultibase"].startswith("z6Mk")
    assert first["publicKeyMultibase"] != second["publicKeyMultibase"]


@pytest.mark.parametrize("seed", ["zz", "00" * 31, "00" * 33])
def test_keys_generate_bad_seed_exits_2_without_traceback(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "generate", "--seed", seed]) == 2
    err = capsys.readouterr().err
    assert err.startswith("credstack: ") and "Traceback" not in err
