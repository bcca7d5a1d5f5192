"""Issue 4 "Safety and speed": every verification runs on one event loop of its own, in its own thread, so its CPU
work never stalls the service's event loop.

A verification is mostly CPU: decoding JSON, JWTs and images, JSON-LD expansion, RDFC-1.0 canonicalization (about
a second for half a megabyte of credential), signature checks, and the database reads and status list signing that
answer for the service's own DIDs. The pipeline is async because it also fetches DID documents and status lists,
and it calls those CPU steps between its awaits: `anyio.to_thread.run_sync` could only take single steps off the
loop by changing every check, so the whole run moves instead. The run needs an event loop for its fetches, and an
HTTP client belongs to the loop its connections were opened on, so the verifier ports (client, resolvers, caches)
are built inside the runner's loop and used only there, for the process's lifetime. Runs still overlap their
network waits on that loop; at most `concurrency` run at once (each may hold megabytes of input) and the rest
queue. The service's loop only reads request bodies and writes responses.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from verifier.service import VerifierPorts

T = TypeVar("T")
DEFAULT_CONCURRENCY = 4

PortsFactory = Callable[[], AbstractAsyncContextManager[VerifierPorts]]
Job = Callable[[VerifierPorts], Awaitable[T]]


@dataclass(frozen=True, slots=True)
class _Running:
    """What exists only inside the runner's thread once it has started."""

    loop: asyncio.AbstractEventLoop
    ports: VerifierPorts
    limiter: asyncio.Semaphore
    stop: asyncio.Event


class VerificationRunner:
    """Runs `job(ports)` coroutines on the verifier's own loop; `run` awaits them from any other loop."""

    def __init__(self, open_ports: PortsFactory, *, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self._open_ports = open_ports
        self._concurrency = concurrency
        self._ready: Future[_Running] = Future()
        self._finished: Future[None] = Future()
        self._running: _Running | None = None
        self._thread = threading.Thread(target=self._main, name="credstack-verifier", daemon=True)

    @classmethod
    @asynccontextmanager
    async def started(
        cls, open_ports: PortsFactory, *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> AsyncIterator[VerificationRunner]:
        """The runner for an app's lifespan: its thread and ports exist inside the block, and are closed after it."""
        runner = cls(open_ports, concurrency=concurrency)
        runner._thread.start()
        runner._running = await asyncio.wrap_future(runner._ready)
        try:
            yield runner
        finally:
            runner._running.loop.call_soon_threadsafe(runner._running.stop.set)
            await asyncio.wrap_future(runner._finished)

    async def run(self, job: Job[T]) -> T:
        """Run `job` with the verifier's ports on its loop. Cancelling the caller (a client that went away, a
        shutdown) cancels the job too, at its next await; exceptions the job raises reach the caller as they are."""
        if self._running is None:
            raise RuntimeError("the verification runner is not started")
        running = self._running

        async def limited() -> T:
            async with running.limiter:
                return await job(running.ports)

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(limited(), running.loop))

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # start-up failed (or the loop broke): whoever waits must hear of it
            if not self._ready.done():
                self._ready.set_exception(exc)
            self._finished.set_exception(exc)
        else:
            self._finished.set_result(None)

    async def _serve(self) -> None:
        async with self._open_ports() as ports:
            stop = asyncio.Event()
            running = _Running(asyncio.get_running_loop(), ports, asyncio.Semaphore(self._concurrency), stop)
            self._ready.set_result(running)
            await stop.wait()
