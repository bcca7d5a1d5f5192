"""A stack of three micro-credentials and a composite through the API (issue 5 "Evaluate and award"), and a
partner's credential signed in the test with a did:key, for the evaluate and award scenario tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient

from credentials.identity import identity_hash
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from support.api import bearer
from support.competencies import create_achievement, create_competency, post_pathway
from support.issuers import create_issuer
from support.signed_badges import contexts, ob3_credential
from support.tenancy import Tenant

CREDENTIALS = "/api/v1/credentials"
LEARNER = "ada@example.edu"
OTHER_LEARNER = "grace@example.edu"
NAMES = ("Data Cleaning", "SQL Basics", "Dashboards")
PARTNER_SEED = bytes(range(40, 72))
PARTNER_KEY = Ed25519KeyPair.from_seed(PARTNER_SEED)
PARTNER_ACHIEVEMENT = "https://northwind.example.edu/achievements/dsc-210"
PARTNER_SALT = "partner-salt"


@dataclass(frozen=True)
class Stack:
    """A tenant's issuer, three micro-credentials (2 credits each, the first two aligned to competency 0, the third
    to competency 1), a composite achievement and two competencies."""

    headers: dict[str, str]
    issuer: dict[str, Any]
    micro: list[dict[str, Any]]
    composite: dict[str, Any]
    competencies: list[dict[str, Any]]

    def pathway(self, client: TestClient, rule: dict[str, Any] | None = None, **changes: Any) -> str:
        """POST /api/v1/pathways (default rule: all three micro-credentials); the new pathway's id."""
        body = {
            "issuer_id": self.issuer["id"],
            "composite_achievement_id": self.composite["uuid"],
            "name": "Data Analyst",
            "rule": rule or {"all_of": [{"achievement": micro["uuid"]} for micro in self.micro]},
            **changes,
        }
        response = post_pathway(client, self.headers, body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def issue(self, client: TestClient, index: int, email: str = LEARNER) -> dict[str, Any]:
        """Issue micro-credential `index` to `email`; the 201 body `{"id", "credential"}`."""
        body = {"achievement_id": self.micro[index]["uuid"], "recipient": {"email": email}}
        response = client.post(CREDENTIALS, json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        issued: dict[str, Any] = response.json()
        return issued

    def evaluate(self, client: TestClient, pathway_id: str, **body: Any) -> dict[str, Any]:
        response = self.post(client, pathway_id, "evaluate", **body)
        assert response.status_code == 200, response.text
        evaluation: dict[str, Any] = response.json()
        return evaluation

    def post(self, client: TestClient, pathway_id: str, action: str, **body: Any) -> httpx.Response:
        payload = {"learner": {"email": LEARNER}} | body
        return client.post(f"/api/v1/pathways/{pathway_id}/{action}", json=payload, headers=self.headers)


def make_stack(client: TestClient, tenant: Tenant) -> Stack:
    headers = bearer(client, tenant)
    issuer = create_issuer(client, headers, name="Example University")
    competencies = [create_competency(client, headers, code) for code in ("DS.1", "DS.2")]
    aligned = [[competencies[0]["uuid"]], [competencies[0]["uuid"]], [competencies[1]["uuid"]]]
    micro = [
        create_achievement(client, headers, issuer["id"], name, creditsAvailable=2, competencies=aligned[index])
        for index, name in enumerate(NAMES)
    ]
    composite = create_achievement(client, headers, issuer["id"], "Data Analyst Certificate")
    return Stack(headers, issuer, micro, composite, competencies)


def partner_did() -> str:
    return PARTNER_KEY.did_key_verification_method.split("#", 1)[0]


def partner_unsigned(email: str = LEARNER) -> dict[str, Any]:
    """A partner college's OB 3.0 credential for PARTNER_ACHIEVEMENT (3 credits earned), issued to `email` by the
    partner's did:key, not yet signed."""
    credential = ob3_credential()
    credential["issuer"]["id"] = partner_did()
    identity = credential["credentialSubject"]["identifier"][0]
    identity["identityHash"] = identity_hash(email, PARTNER_SALT)
    identity["salt"] = PARTNER_SALT
    return credential


def partner_credential(email: str = LEARNER) -> dict[str, Any]:
    """`partner_unsigned`, signed here (VC-DI-EdDSA eddsa-rdfc-2022) with the partner's did:key."""
    credential = partner_unsigned(email)
    suite = SUITES["eddsa-rdfc-2022"]
    method = PARTNER_KEY.did_key_verification_method
    options = ProofOptions.for_suite(suite, method, created="2024-06-01T00:00:00Z")
    return add_proof(credential, suite, options, PARTNER_KEY.signer(method), contexts())


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential with its achievement renamed after signing: its proof no longer matches."""
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something Else Entirely"
    return changed


def entries_by_reason(evaluation: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(entry["reason"], entry["failure"]) for entry in evaluation["credentials"]]
