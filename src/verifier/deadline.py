"""ARCHITECTURE.md habit 8 (bound work on untrusted input: time): one deadline for a whole verification.

Nested work (the credentials of a presentation or CLR, status lists, endorsements) shares its caller's deadline,
so the total is bounded, not each part. A step still running when the deadline passes is cancelled at its next
await (a DID or status fetch); a step that has not started is not run. Either way the check is reported ERROR
with code TIMEOUT: time running out says nothing about the credential, so it is never shown as passed or failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from schemas.report import CheckResult
from verifier.problems import errored, problem

TIMEOUT = "TIMEOUT"


@dataclass(frozen=True, slots=True)
class Deadline:
    """An instant on the event loop's monotonic clock, and the budget it was set from (for the explanation)."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(asyncio.get_running_loop().time() + seconds, seconds)

    def expired(self) -> bool:
        return asyncio.get_running_loop().time() >= self.at

    def timed_out(self, check_id: str) -> CheckResult:
        """The result of a check the deadline did not leave time for."""
        detail = f"verification exceeded its {self.seconds:g} second limit before this check finished"
        return errored(
            check_id,
            [problem(TIMEOUT, "Verification ran out of time", detail)],
            "Verification took longer than the time allowed, so this was not checked.",
        )

    async def run(self, check_id: str, step: Callable[[], Awaitable[CheckResult]]) -> CheckResult:
        """Run one check within the deadline: TIMEOUT if it has passed already or passes while the check waits."""
        if self.expired():
            return self.timed_out(check_id)
        try:
            async with asyncio.timeout_at(self.at):
                return await step()
        except TimeoutError:
            if not self.expired():
                raise  # not ours: a bug below must not pass for running out of time
            return self.timed_out(check_id)
