"""`credstack serve --ssl-certfile/--ssl-keyfile`: checked before uvicorn starts, then handed to uvicorn (one process)
and to every worker's uvicorn.Config (several). Serving HTTPS for real: tests/interop/wallets (wallet_server.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from wallets.wallet_tls import write_self_signed

from credstack import serve as serve_module
from credstack.cli import main
from credstack.serve import Supervisor, Tls, run_worker


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    monkeypatch.setattr("credstack.app.create_app", lambda settings: object())
    return calls


def test_certificate_and_key_reach_uvicorn(tmp_path: Path, uvicorn_calls: list[dict[str, Any]]) -> None:
    tls = write_self_signed(tmp_path)
    assert main(["serve", "--port", "8443", "--ssl-certfile", str(tls.cert), "--ssl-keyfile", str(tls.key)]) == 0
    assert uvicorn_calls == [
        {"host": "127.0.0.1", "port": 8443, "ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key)}
    ]


def test_without_options_uvicorn_serves_http(uvicorn_calls: list[dict[str, Any]]) -> None:
    assert main(["serve", "--port", "8001"]) == 0
    assert uvicorn_calls == [{"host": "127.0.0.1", "port": 8001}]


def test_key_inside_the_certificate_file(tmp_path: Path, uvicorn_calls: list[dict[str, Any]]) -> None:
    tls = write_self_signed(tmp_path)
    combined = tmp_path / "combined.pem"
    combined.write_bytes(tls.cert.read_bytes() + tls.key.read_bytes())
    assert main(["serve", "--ssl-certfile", str(combined)]) == 0
    assert uvicorn_calls[0]["ssl_certfile"] == str(combined)
    assert "ssl_keyfile" not in uvicorn_calls[0]


@pytest.mark.parametrize("case", ["key_only", "missing_file", "other_key", "key_missing"])
def test_unusable_options_are_one_line_and_exit_2(
    case: str, tmp_path: Path, uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    tls = write_self_signed(tmp_path / "one")
    other = write_self_signed(tmp_path / "two")
    args = {
        "key_only": ["--ssl-keyfile", str(tls.key)],
        "missing_file": ["--ssl-certfile", str(tmp_path / "nope.pem"), "--ssl-keyfile", str(tls.key)],
        "other_key": ["--ssl-certfile", str(tls.cert), "--ssl-keyfile", str(other.key)],
        "key_missing": ["--ssl-certfile", str(tls.cert)],
    }[case]
    assert main(["serve", *args]) == 2
    error = capsys.readouterr().err
    assert error.startswith("credstack: --ssl-") and error.count("\n") == 1, error
    assert uvicorn_calls == []


def test_every_worker_gets_the_tls_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tls = Tls(certfile=tmp_path / "cert.pem", keyfile=tmp_path / "key.pem")
    configs: list[Any] = []

    class FakeServer:
        def __init__(self, config: Any) -> None:
            configs.append(config)

        def run(self, sockets: list[Any]) -> None:
            for sock in sockets:
                sock.close()

    monkeypatch.setattr(serve_module.uvicorn, "Server", FakeServer)
    run_worker("127.0.0.1", 0, tls)
    run_worker("127.0.0.1", 0)
    assert (configs[0].ssl_certfile, configs[0].ssl_keyfile) == (str(tls.certfile), str(tls.keyfile))
    assert (configs[1].ssl_certfile, configs[1].ssl_keyfile) == (None, None)

    started: list[tuple[Any, ...]] = []

    class FakeProcess:
        def __init__(self, target: Any, args: tuple[Any, ...], name: str) -> None:
            started.append(args)

        def start(self) -> None:
            pass

    supervisor = Supervisor("127.0.0.1", 0, 2, tls)
    monkeypatch.setattr(supervisor.context, "Process", FakeProcess)
    supervisor._start()
    assert started == [("127.0.0.1", 0, tls)]
