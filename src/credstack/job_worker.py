"""Issue 3 composition: the app's lifespan starts the batch job worker (issuer.job_worker) unless it is switched off.

`CREDSTACK_JOB_WORKER=0` leaves a process without a worker (an API-only instance, or tests that drive
`issuer.job_runner.process_next_job` themselves); jobs then wait for a process that has one.
"""

from __future__ import annotations

import asyncio

from credstack.settings import Settings
from issuer.issuance import IssuancePorts
from issuer.job_worker import JobWorker
from issuer.runtime import IssuerContext


def start_job_worker(settings: Settings, context: IssuerContext) -> JobWorker | None:
    """A started worker issuing as the service does (its contexts, master key, base URL and clock), or None."""
    if not settings.job_worker:
        return None
    ports = IssuancePorts.of(context, settings.base_url)
    worker = JobWorker(context.sessions, ports)
    worker.start()
    return worker


async def stop_job_worker(worker: JobWorker | None) -> None:
    """Stop it off the event loop: the current item finishes first."""
    if worker is not None:
        await asyncio.to_thread(worker.stop)
