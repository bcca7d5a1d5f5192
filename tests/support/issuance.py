"""Issuance through the API: an issuer with an achievement, issuing requests, and the service's own verifier.

Everything goes through HTTP with a tenant's OAuth token, except `verify`, which runs the verification pipeline
the service composes (credstack.verification.verifier_ports) with the service's own DID documents and status lists
answered from its database, as they must be for the test app's plain-http base URL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from credstack.settings import Settings
from credstack.verification import verifier_ports
from issuer.did_documents import local_documents
from issuer.status_list_publishing import PublishingPorts, local_status_lists
from schemas.report import CheckStatus, VerificationReport
from support.achievements import API as ACHIEVEMENTS
from support.achievements import BASE_URL, MINIMAL_TEMPLATE
from support.api import bearer
from support.issuers import create_issuer, issuer_context
from support.tenancy import Tenant
from verifier.service import VerifierPorts, verify_input

CREDENTIALS = "/api/v1/credentials"
LEARNER = "Learner@Example.edu"


@dataclass(frozen=True)
class Issuing:
    """A tenant's token (every scope), one of its issuers and one achievement of that issuer."""

    headers: dict[str, str]
    issuer: dict[str, Any]
    achievement: dict[str, Any]

    @property
    def achievement_id(self) -> str:
        return str(self.achievement["uuid"])

    def body(self, **changes: Any) -> dict[str, Any]:
        """An issuance request for the achievement, to LEARNER by email, with `changes`."""
        return {"achievement_id": self.achievement_id, "recipient": {"email": LEARNER}, **changes}


def issuing(
    client: TestClient,
    tenant: Tenant,
    *,
    did_method: str = "web",
    suspension: bool = False,
    template: dict[str, Any] | None = None,
) -> Issuing:
    headers = bearer(client, tenant)
    issuer = create_issuer(client, headers, did_method=did_method, suspension_enabled=suspension)
    body = {"issuer_id": issuer["id"], **(template or MINIMAL_TEMPLATE)}
    response = client.post(ACHIEVEMENTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return Issuing(headers, issuer, response.json())


def issue(
    client: TestClient, setup: Issuing, *, key: str | None = None, expect: int | None = 201, **changes: Any
) -> httpx.Response:
    headers = {**setup.headers, **({"Idempotency-Key": key} if key is not None else {})}
    response = client.post(CREDENTIALS, json=setup.body(**changes), headers=headers)
    if expect is not None:
        assert response.status_code == expect, response.text
    return response


def issued_credential(response: httpx.Response) -> dict[str, Any]:
    credential: dict[str, Any] = response.json()["credential"]
    return credential


def status_urls(credential: dict[str, Any]) -> dict[str, str]:
    """purpose -> statusListCredential URL of each credentialStatus entry."""
    entries = credential.get("credentialStatus", [])
    entries = entries if isinstance(entries, list) else [entries]
    return {entry["statusPurpose"]: entry["statusListCredential"] for entry in entries}


def publishing_ports(app: FastAPI) -> PublishingPorts:
    context = issuer_context(app)
    assert context.master_key is not None and context.contexts is not None
    return PublishingPorts(
        sessions=context.sessions,
        contexts=context.contexts,
        master=context.master_key,
        base_url=BASE_URL,
        clock=context.clock,
    )


def _no_network(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"the test reached for the network: {request.url}", request=request)


@asynccontextmanager
async def service_verifier(app: FastAPI) -> AsyncIterator[VerifierPorts]:
    """The service's verifier ports: its DIDs and status lists from its database, nothing from the network."""
    context = issuer_context(app)
    async with verifier_ports(
        Settings(base_url=BASE_URL),
        local_documents=local_documents(context.sessions),
        local_status_lists=local_status_lists(publishing_ports(app)),
        transport=httpx.MockTransport(_no_network),
    ) as ports:
        yield ports


async def verify(app: FastAPI, credential: dict[str, Any] | str) -> VerificationReport:
    data = credential.encode() if isinstance(credential, str) else json.dumps(credential).encode()
    async with service_verifier(app) as ports:
        return await verify_input(data, ports)


def check(report: VerificationReport, check_id: str) -> CheckStatus:
    return next(c.status for c in report.checks if c.id == check_id)


def problem_codes(report: VerificationReport, check_id: str) -> list[str]:
    return [p.code for c in report.checks if c.id == check_id for p in c.problems]
