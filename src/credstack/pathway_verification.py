"""Issue 5 "Evaluate and award": the issuer's `verify` port, composed from the service's verification runner.

The issuer package judges credentials through a port (issuer.pathways.candidates.VerifyPort) because it may not
import the verifier. Here the port runs `verifier.service.verify_input` on the runner's own loop and thread
(verifier.api.runner), with the service's verifier ports (its own DIDs and status lists answered from its database),
and turns input the verifier cannot read at all into the verifier's own report with a failed `parse` check.
"""

from __future__ import annotations

from issuer.pathways.candidates import VerifyPort
from schemas.report import VerificationReport
from verifier.api.runner import VerificationRunner
from verifier.parse import UnreadableInput
from verifier.service import VerifierPorts, unreadable_report, verify_input


def runner_verify_port(runner: VerificationRunner) -> VerifyPort:
    """A VerifyPort answering every input with a report; it may be awaited from any event loop."""

    async def verify(data: bytes) -> VerificationReport:
        async def job(ports: VerifierPorts) -> VerificationReport:
            try:
                return await verify_input(data, ports)
            except UnreadableInput as exc:
                return unreadable_report(str(exc), ports.clock())

        return await runner.run(job)

    return verify
