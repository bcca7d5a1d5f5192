"""Credentials from elsewhere in the system through `POST /api/v1/verify`: one the service itself issued (its
did:web and status list answered from its own database, never the network), before and after revocation, and one
the JavaScript reference signed (tests/interop)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsref import JsReference, available

from issuer.db import create_database_engine, session_factory
from support.clock import FakeClock
from support.issuance import CREDENTIALS, LEARNER, issue, issued_credential, issuing
from support.tenancy import Tenant, two_tenants
from support.verify_inputs import baked_png, interop_fixture

VERIFY = "/api/v1/verify"
JS_SEED = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"  # the interop fixtures' issuer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def issuing_client(make_verify_app: Any, clock: FakeClock) -> Iterator[TestClient]:
    app: FastAPI = make_verify_app(clock=clock)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def tenant(verify_database: str, clock: FakeClock) -> Tenant:
    engine = create_database_engine(verify_database)
    try:
        return two_tenants(session_factory(engine), now=clock()).a
    finally:
        engine.dispose()


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}


def test_service_issued_credential(issuing_client: TestClient, tenant: Tenant, clock: FakeClock) -> None:
    setup = issuing(issuing_client, tenant)
    issued = issue(issuing_client, setup)
    credential = issued_credential(issued)
    response = issuing_client.post(f"{VERIFY}?recipient_email={LEARNER}", json=credential)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["verified"] is True, response.text
    assert statuses(report) == {
        "parse": "passed",
        "conformance": "passed",
        "proof": "passed",
        "proof_purpose": "passed",
        "validity": "passed",
        "status": "passed",
        "recipient": "passed",
        "endorsements": "skipped",
    }
    assert report["credential"]["issuer_id"] == setup.issuer["did"]
    baked = issuing_client.post(VERIFY, files={"file": ("badge.png", baked_png(credential), "image/png")})
    assert baked.json()["verified"] is True

    clock.advance(minutes=5)
    revoked = issuing_client.post(
        f"{CREDENTIALS}/{issued.json()['id']}/revoke", json={"reason": "in error"}, headers=setup.headers
    )
    assert revoked.status_code == 200, revoked.text
    clock.advance(hours=1)  # past any cached copy of the status list
    after = issuing_client.post(VERIFY, json=credential).json()
    assert after["verified"] is False
    assert statuses(after)["status"] == "failed"


@pytest.fixture(scope="module")
def js_reference() -> Iterator[JsReference]:
    if not available():
        pytest.fail("the JavaScript reference is not installed: run `make install-node` (npm ci in tests/interop)")
    with JsReference() as reference:
        yield reference


@pytest.mark.parametrize("fixture", ["ob3-vcdm2", "ob3-vcdm11"])
def test_js_reference_credential(verify_client: TestClient, js_reference: JsReference, fixture: str) -> None:
    signed = js_reference.sign(interop_fixture(fixture), "eddsa-rdfc-2022", JS_SEED, "2024-06-01T12:00:00Z")
    report = verify_client.post(VERIFY, json=signed).json()
    assert report["verified"] is True, report
    signed["credentialSubject"]["achievement"]["name"] = "Something else"
    assert statuses(verify_client.post(VERIFY, json=signed).json())["proof"] == "failed"
