"""The VC-API routes on a test database: a tenant's did:key issuer configured as the VC-API issuer.

The VC-API issuer is a setting (CREDSTACK_VCAPI_ISSUER), read when the app is built, and issuers get their ids
when they are created: so a first app creates the issuer through the API, and a second app on the same database
and data directory (the same master key file) is built with that issuer configured.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from credentials.status.bitstring import StatusList
from credstack.app import create_app
from credstack.settings import Settings
from support.achievements import BASE_URL
from support.api import bearer
from support.clock import FakeClock
from support.issuers import create_issuer
from support.tenancy import Tenant

ISSUE = "/credentials/issue"
STATUS = "/credentials/status"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
SUBJECT_DID = "did:key:z6MktKwz7Ge1Yxzr4JHavN33wiwa8y81QdcMRLXQsrH9T53b"


@dataclass(frozen=True)
class VcApi:
    """A running app with a VC-API issuer, and the owning tenant's token (every scope)."""

    app: FastAPI
    client: TestClient
    issuer: dict[str, Any]
    headers: dict[str, str]

    @property
    def did(self) -> str:
        return str(self.issuer["did"])

    def issue(self, credential: dict[str, Any], options: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        body: dict[str, Any] = {"credential": credential}
        if options is not None:
            body["options"] = options
        headers = kw.pop("headers", self.headers)
        return self.client.post(ISSUE, json=body, headers=headers, **kw)

    def issued(self, credential: dict[str, Any], options: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.issue(credential, options)
        assert response.status_code == 201, response.text
        issued: dict[str, Any] = response.json()["verifiableCredential"]
        return issued

    def update(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.client.post(STATUS, json=body, headers=self.headers if headers is None else headers)


def vc2(did: str, **members: Any) -> dict[str, Any]:
    """The VCDM 2.0 credential of VC-API.md §3.1, issued by `did`, with a fresh id, plus `members`."""
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "credentialSubject": {"id": SUBJECT_DID, "name": "ExampleClaim"},
    }
    credential.update(copy.deepcopy(members))
    return credential


def vc11(did: str, **members: Any) -> dict[str, Any]:
    """A VCDM 1.1 credential as the eddsa suite's "Data Integrity issuers" block sends it."""
    credential: dict[str, Any] = {
        "@context": [VC_V1],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": SUBJECT_DID},
    }
    credential.update(copy.deepcopy(members))
    return credential


@contextmanager
def vcapi_service(
    database_url: str,
    data_dir: Path,
    clock: FakeClock,
    tenant: Tenant,
    *,
    did_method: str = "key",
    suspension: bool = False,
    open_mode: bool = False,
) -> Iterator[VcApi]:
    """The app with `tenant`'s new issuer as the VC-API issuer (`open_mode`: CREDSTACK_VCAPI_OPEN)."""
    with TestClient(create_app(Settings(data_dir=data_dir, database_url=database_url), clock=clock)) as setup:
        issuer = create_issuer(setup, bearer(setup, tenant), did_method=did_method, suspension_enabled=suspension)
    settings = Settings(
        data_dir=data_dir, database_url=database_url, vcapi_issuer=uuid.UUID(issuer["id"]), vcapi_open=open_mode
    )
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        yield VcApi(app, client, issuer, bearer(client, tenant))


def entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    status = credential.get("credentialStatus", [])
    return status if isinstance(status, list) else [status]


def served_bit(client: TestClient, entry: dict[str, Any]) -> int:
    """The entry's bit in the list the service serves (and signs) right now."""
    response = client.get(entry["statusListCredential"].removeprefix(BASE_URL))
    assert response.status_code == 200, response.text
    subject = response.json()["credentialSubject"]
    assert subject["statusPurpose"] == entry["statusPurpose"]
    return StatusList.decode(subject["encodedList"]).get(int(entry["statusListIndex"]))
