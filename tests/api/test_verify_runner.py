"""verifier.api.runner: verifications run on their own loop and thread, so the caller's loop keeps serving while a
verification holds the CPU; results, exceptions and cancellation cross between the loops intact."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from credentials.jsonld import ContextStore
from credstack.settings import Settings
from credstack.verification import verifier_ports
from verifier.api.runner import VerificationRunner
from verifier.service import VerifierPorts


@asynccontextmanager
async def offline_ports() -> AsyncIterator[VerifierPorts]:
    async with verifier_ports(Settings(), offline=True, contexts=ContextStore.load()) as ports:
        yield ports


async def test_jobs_run_on_the_runner_thread_with_its_ports() -> None:
    async with VerificationRunner.started(offline_ports) as runner:

        async def job(ports: VerifierPorts) -> tuple[str, int]:
            return threading.current_thread().name, ports.limits.max_json_bytes

        assert await runner.run(job) == ("credstack-verifier", Settings().max_json_bytes)


async def test_cpu_work_does_not_stall_the_callers_loop() -> None:
    async with VerificationRunner.started(offline_ports) as runner:

        async def hog(_ports: VerifierPorts) -> str:
            time.sleep(0.4)  # stands for canonicalizing a large credential: no await for a long while
            return "done"

        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        assert await runner.run(hog) == "done"
        ticking.cancel()
        assert ticks >= 10  # the caller's loop kept running meanwhile


async def test_exceptions_reach_the_caller() -> None:
    async with VerificationRunner.started(offline_ports) as runner:

        async def broken(_ports: VerifierPorts) -> None:
            raise LookupError("as raised")

        with pytest.raises(LookupError, match="as raised"):
            await runner.run(broken)


async def test_cancelling_the_caller_cancels_the_job() -> None:
    async with VerificationRunner.started(offline_ports) as runner:
        started, cancelled = threading.Event(), threading.Event()

        async def slow(_ports: VerifierPorts) -> None:
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        task = asyncio.create_task(runner.run(slow))
        await asyncio.to_thread(started.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(cancelled.wait, 5)


async def test_concurrency_is_bounded() -> None:
    async with VerificationRunner.started(offline_ports, concurrency=2) as runner:
        running = peak = 0

        async def job(_ports: VerifierPorts) -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.02)
            running -= 1

        await asyncio.gather(*(runner.run(job) for _ in range(6)))
        assert peak == 2


async def test_a_failing_start_is_reported() -> None:
    @asynccontextmanager
    async def no_ports() -> AsyncIterator[VerifierPorts]:
        raise OSError("cannot build the ports")
        yield  # pragma: no cover

    with pytest.raises(OSError, match="cannot build the ports"):
        async with VerificationRunner.started(no_ports):
            pass


async def test_run_needs_a_started_runner() -> None:
    async def job(_ports: VerifierPorts) -> None:
        return None

    with pytest.raises(RuntimeError, match="not started"):
        await VerificationRunner(offline_ports).run(job)
