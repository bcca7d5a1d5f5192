"""Issue 3 background job worker: one thread per service process that runs `process_next_job` in a loop.

A thread rather than an asyncio task, because issuing is CPU-bound and synchronous (signing, canonicalization, the
database); the event loop keeps serving requests meanwhile. When no job is claimable the thread sleeps for the
poll interval. `stop()` asks it to hand its job back (issuer.job_runner) after the current item and waits for it.
Several processes and instances each run a worker: the lease gives every job to one of them at a time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from sqlalchemy.orm import Session, sessionmaker

from issuer.issuance import IssuancePorts
from issuer.job_runner import WorkerOptions, process_next_job

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
STOP_TIMEOUT_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 60.0


def worker_id() -> str:
    """Unique per worker: the host, the process and a random suffix (a restarted process is a new worker)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobWorker:
    """The loop around `process_next_job`; errors are logged and retried after a growing wait."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        ports: IssuancePorts,
        *,
        options: WorkerOptions | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.sessions = sessions
        self.ports = ports
        self.options = options or WorkerOptions(worker_id=worker_id())
        self.poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="credstack-job-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Stop after the current item; a job still running is handed back for the next worker."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            logger.warning("job worker did not stop within %.0f s; its lease will run out", timeout)

    def _loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                ran = process_next_job(self.sessions, self.ports, self.options, should_stop=self._stopping.is_set)
                failures = 0
            except Exception:
                failures += 1
                logger.exception("job worker: processing failed (%d in a row); trying again", failures)
                ran = None
            if ran is None:
                # Doubling waits after failures in a row (a database outage), up to a minute.
                self._stopping.wait(min(self.poll_seconds * 2 ** min(failures, 6), MAX_BACKOFF_SECONDS))
