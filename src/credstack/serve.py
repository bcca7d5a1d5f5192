"""`credstack serve`: the HTTP service under uvicorn, in one process or in N worker processes.

Why not uvicorn's own `workers=N`: its workers share one listening socket, and the worker whose event loop wakes
first accepts every connection that is waiting. Clients that keep their connections open (an LMS, a coordinator,
any HTTP client pool) then stay on that worker, and the others idle: measured with 16 keep-alive clients, one of two
workers served all of them (bench/issue_http.py). Here each worker listens on a socket of its own, bound with
SO_REUSEPORT, and the kernel spreads new connections across the workers' sockets. Where SO_REUSEPORT does not exist,
uvicorn's shared socket is used.

The parent only supervises: a worker that exits is started again (after a pause, and not forever when workers die
as soon as they start, e.g. because the port is taken); SIGTERM or SIGINT stops them all.

TLS: `Tls` (a PEM certificate chain and its key, uvicorn's `ssl_certfile`/`ssl_keyfile`) makes every worker serve
HTTPS. Meant for a test or a small deployment without a TLS proxy in front (OpenID4VCI wallets require https).
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any, Final

import uvicorn

from credstack.settings import Settings

APP: Final = "credstack.asgi:app"
RESTART_PAUSE_S: Final = 1.0
QUICK_EXIT_S: Final = 5.0
MAX_QUICK_EXITS: Final = 5
STOP_TIMEOUT_S: Final = 30.0


@dataclass(frozen=True)
class Tls:
    """HTTPS for uvicorn: a PEM certificate (chain) file and its private key file (None: the key is in `certfile`)."""

    certfile: Path
    keyfile: Path | None = None

    def uvicorn_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"ssl_certfile": str(self.certfile)}
        if self.keyfile is not None:
            options["ssl_keyfile"] = str(self.keyfile)
        return options


def _tls_options(tls: Tls | None) -> dict[str, Any]:
    return {} if tls is None else tls.uvicorn_options()


def serve(settings: Settings, *, host: str, port: int, workers: int, tls: Tls | None = None) -> int:
    """Run until stopped; the exit code."""
    if workers <= 1:
        from credstack.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, **_tls_options(tls))
        return 0
    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(APP, host=host, port=port, workers=workers, factory=True, **_tls_options(tls))
        return 0
    return Supervisor(host, port, workers, tls).run()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port with SO_REUSEPORT (uvicorn's server calls listen() on it)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


def run_worker(host: str, port: int, tls: Tls | None = None) -> None:
    """One worker process: the app built from the environment (credstack.asgi), on its own socket."""
    config = uvicorn.Config(APP, host=host, port=port, factory=True, **_tls_options(tls))
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


class Supervisor:
    """Starts the workers, restarts those that exit, and stops them all on SIGTERM or SIGINT."""

    def __init__(self, host: str, port: int, workers: int, tls: Tls | None = None) -> None:
        self.host, self.port, self.count, self.tls = host, port, workers, tls
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.quick_exits = 0

    def _start(self) -> tuple[BaseProcess, float]:
        process = self.context.Process(
            target=run_worker, args=(self.host, self.port, self.tls), name="credstack-worker"
        )
        process.start()
        return process, time.monotonic()

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopping.set()

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        workers = [self._start() for _ in range(self.count)]
        code = 0
        while not self.stopping.wait(0.5):
            for index, (process, started) in enumerate(workers):
                if process.is_alive():
                    continue
                self.quick_exits = self.quick_exits + 1 if time.monotonic() - started < QUICK_EXIT_S else 0
                if self.quick_exits >= MAX_QUICK_EXITS:
                    sys.stderr.write("credstack: workers exit as soon as they start (is the port taken?); stopping\n")
                    self.stopping.set()
                    code = 1
                    break
                sys.stderr.write(f"credstack: worker {process.pid} exited ({process.exitcode}); starting another\n")
                time.sleep(RESTART_PAUSE_S)
                workers[index] = self._start()
        self._stop([process for process, _ in workers])
        return code

    def _stop(self, processes: list[BaseProcess]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
