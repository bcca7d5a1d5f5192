"""Shared world for the presentation, CLR and caps tests: did:key issuers and holders (no network), signing with
the production Data Integrity code, and report assertions by check id.

did:web issuers (for the deadline tests) are served by an httpx.MockTransport whose handler may be slow.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx

from credentials.did import default_registry
from credentials.http import AddressPolicy
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credentials.proofs.vc_jwt import sign_vc_jwt_eddsa
from credentials.status.fetch import StatusListFetcher
from schemas.report import CHECK_IDS, CheckResult, VerificationReport
from verifier.parse import Limits
from verifier.service import VerifierPorts, VerifyOptions, verify_input

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CREATED = "2025-06-01T00:00:00Z"
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
WEB_ISSUER = "did:web:slow.example"

ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
HOLDER_KEY = Ed25519KeyPair.from_seed(bytes(range(100, 132)))
STRANGER_KEY = Ed25519KeyPair.from_seed(bytes(range(150, 182)))
CHALLENGE = "c-8f3e1b"
DOMAIN = "verifier.example"


@cache
def contexts() -> ContextStore:
    return ContextStore.load()


Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


async def not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404)


async def public_dns(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]


def ports(
    *, handler: Handler = not_found, limits: Limits | None = None, deadline_seconds: float = 30.0
) -> VerifierPorts:
    """The production ports around a MockTransport (did:key needs none of it) and a fixed clock."""
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    policy = AddressPolicy(resolve_host=public_dns)
    return VerifierPorts(
        contexts=contexts(),
        resolver=default_registry(client, policy=policy),
        strict_resolver=default_registry(client, policy=policy, fragment_keys=False),
        status_fetcher=StatusListFetcher(client, policy=policy),
        clock=lambda: NOW,
        limits=limits or Limits(),
        deadline_seconds=deadline_seconds,
    )


async def verify(
    document: dict[str, Any] | str, options: VerifyOptions | None = None, **port_options: Any
) -> VerificationReport:
    data = document if isinstance(document, str) else json.dumps(document)
    return await verify_input(data.encode("utf-8"), ports(**port_options), options or VerifyOptions())


# Documents


def ob_credential(issuer: str, name: str = "Data Cleaning", **changes: Any) -> dict[str, Any]:
    credential = {
        "@context": [V2, OB],
        "id": f"urn:uuid:3f1c1e0a-7c1d-4d0e-9a57-{abs(hash(name)) % 10**12:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": name,
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/" + name.lower().replace(" ", "-"),
                "type": ["Achievement"],
                "name": name,
                "description": f"{name}, assessed.",
                "criteria": {"narrative": "Pass the practical assessment."},
            },
        },
    }
    return credential | changes


def sign(
    document: dict[str, Any],
    key: Ed25519KeyPair,
    *,
    purpose: str = "assertionMethod",
    method: str | None = None,
    **proof_fields: Any,
) -> dict[str, Any]:
    """VC-DI 1.0 §4.2 Add Proof, eddsa-rdfc-2022, with the key's did:key method unless `method` is given."""
    suite = SUITES["eddsa-rdfc-2022"]
    vm = method or key.did_key_verification_method
    options = ProofOptions.for_suite(suite, vm, created=CREATED, proof_purpose=purpose, **proof_fields)
    return add_proof(document, suite, options, key.signer(vm), contexts())


ISSUER_SEED = bytes(range(32))
SECOND_ISSUER_SEED = bytes(range(1, 33))


@cache
def _signed_credential(name: str, issuer_seed: bytes) -> str:
    key = Ed25519KeyPair.from_seed(issuer_seed)
    return json.dumps(sign(ob_credential(key.did_key, name), key))


def signed_credential(name: str = "Data Cleaning", issuer_seed: bytes = ISSUER_SEED) -> dict[str, Any]:
    """An OB credential signed by the seed's did:key (cached as JSON: signing is the slow part)."""
    document: dict[str, Any] = json.loads(_signed_credential(name, issuer_seed))
    return document


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Data Science PhD"
    return changed


def jwt_credential(name: str = "Data Cleaning") -> str:
    """An EdDSA VC-JWT of an OB credential from the did:key issuer."""
    return sign_vc_jwt_eddsa(ob_credential(ISSUER_KEY.did_key, name), signer=ISSUER_KEY.signer())


def presentation(*credentials: Any, holder: str | None = HOLDER_KEY.did_key, context: str = V2) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": [context], "type": ["VerifiablePresentation"]}
    if holder is not None:
        document["holder"] = holder
    if credentials:
        document["verifiableCredential"] = list(credentials)
    return document


def holder_signed(document: dict[str, Any], key: Ed25519KeyPair = HOLDER_KEY, **proof_fields: Any) -> dict[str, Any]:
    fields = {"challenge": CHALLENGE, "domain": DOMAIN} | proof_fields
    return sign(document, key, purpose="authentication", **{k: v for k, v in fields.items() if v is not None})


def clr(*credentials: Any, key: Ed25519KeyPair = ISSUER_KEY) -> dict[str, Any]:
    """An unsigned CLR 2.0 ClrCredential bundling `credentials`, issued by `key`'s did:key."""
    return {
        "@context": [V2, CLR, OB],
        "id": "urn:uuid:8a1f6c2e-0b7d-4e3a-9c55-1d2e3f4a5b6c",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": key.did_key, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Comprehensive Learner Record",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["ClrSubject"],
            "verifiableCredential": list(credentials),
        },
    }


# Assertions


def statuses(report: VerificationReport) -> dict[str, str]:
    """Every check id, in report order, with its status; asserts the stable shape on the way."""
    assert [c.id for c in report.checks] == list(CHECK_IDS)
    return {c.id: c.status.value for c in report.checks}


def codes(report: VerificationReport, check_id: str) -> list[str]:
    return [p.code for c in report.checks if c.id == check_id for p in c.problems]


def check(report: VerificationReport, check_id: str) -> CheckResult:
    return next(c for c in report.checks if c.id == check_id)


CREDENTIAL_VERIFIED = {
    "parse": "passed",
    "conformance": "passed",
    "proof": "passed",
    "proof_purpose": "passed",
    "validity": "passed",
    "status": "skipped",
    "recipient": "skipped",
    "endorsements": "skipped",
}
