"""End-to-end scenarios of the verification pipeline (ARCHITECTURE.md habit 11), each with its expected report.

The world is built here: Ed25519 issuer keys; a did:web issuer (did:web:issuer.example) whose DID document, key
document and signed BitstringStatusListCredentials are served by an httpx.MockTransport; and the ports
credstack.verification composes in production, assembled directly around that transport with a fixed clock. Every
scenario asserts `verified`, the status of every check in report order and the problem codes of each failing or
erroring check (passed and skipped checks must carry none).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import baking
from credentials.did import default_registry, did_jwk_from_jwk
from credentials.http import AddressPolicy
from credentials.identity import identity_hash
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair, b64url, generate_p256_jwk, public_jwk_of
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credentials.proofs.vc_jwt import sign_vc_jwt, vc_jwt_payload
from credentials.status.bitstring import StatusList
from credentials.status.fetch import StatusListFetcher
from schemas.report import CHECK_IDS, CheckStatus, VerificationReport
from verifier.service import VerifierPorts, VerifyOptions, verify_input

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CREATED = "2025-06-01T00:00:00Z"
PUBLIC_IP = "93.184.215.14"
HOST = "issuer.example"
ISSUER_DID = "did:web:issuer.example"
ISSUER_VM = f"{ISSUER_DID}#key-1"
ISSUER_JWT_VM = f"{ISSUER_DID}#jwt-key"
DID_PATH = "/.well-known/did.json"
REVOCATION_URL = f"https://{HOST}/status/1"
SUSPENSION_URL = f"https://{HOST}/status/2"
PROFILE_PATH = "/issuers/1"
PROFILE_URL = f"https://{HOST}{PROFILE_PATH}"
INDEX = 94567
ACHIEVEMENT_ID = "https://issuer.example/achievements/data-cleaning"
EMAIL = "learner@example.edu"
SALT = "s4lt-9f2c"
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
PLAIN_SVG = Path(__file__).parents[1] / "fixtures" / "images" / "plain.svg"

ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
OTHER_KEY = Ed25519KeyPair.from_seed(bytes(range(32, 64)))
ENDORSER_KEY = Ed25519KeyPair.from_seed(bytes(range(64, 96)))
FRAGMENT_VM = f"{PROFILE_URL}#{ISSUER_KEY.public_key_multibase}"
P256_JWK = generate_p256_jwk()  # the VC-JWT key: in did:web:issuer.example (#jwt-key) and as a did:jwk
P256_DID = did_jwk_from_jwk(public_jwk_of(P256_JWK))


@cache
def contexts() -> ContextStore:
    return ContextStore.load()


# The expected report


@dataclass(frozen=True, slots=True)
class Outcome:
    """One check as a scenario expects it: its status and the codes of its problems, in order."""

    status: CheckStatus
    codes: tuple[str, ...] = ()


PASSED = Outcome(CheckStatus.PASSED)
SKIPPED = Outcome(CheckStatus.SKIPPED)


def failed(*codes: str) -> Outcome:
    return Outcome(CheckStatus.FAILED, codes)


def error(*codes: str) -> Outcome:
    return Outcome(CheckStatus.ERROR, codes)


def expect(report: VerificationReport, *, verified: bool, **checks: Outcome) -> None:
    """The whole report: every check id in order with its status and problem codes, then `verified`."""
    assert tuple(checks) == CHECK_IDS, "a scenario names every check, in report order"
    assert [c.id for c in report.checks] == list(CHECK_IDS)
    actual = {c.id: Outcome(c.status, tuple(p.code for p in c.problems)) for c in report.checks}
    assert actual == checks
    assert report.verified is verified


# The world: the issuer's web presence behind an httpx.MockTransport

Route = Callable[[httpx.Request], httpx.Response]


def respond(document: Any, status_code: int = 200) -> Route:
    return lambda request: httpx.Response(status_code, json=document)


def raising(exc_type: type[httpx.TransportError]) -> Route:
    def route(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return route


async def fake_public_dns(host: str, port: int) -> list[str]:
    return [PUBLIC_IP]


class World:
    """Paths on issuer.example, served by a MockTransport; every requested path is recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requested: list[str] = []
        self.client = httpx.AsyncClient(transport=httpx.MockTransport(self))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requested.append(request.url.path)
        route = self.routes.get(request.url.path) if request.headers.get("host") == HOST else None
        return httpx.Response(404) if route is None else route(request)

    def serve(self, path: str, route: Route | dict[str, Any]) -> None:
        self.routes[path] = route if callable(route) else respond(route)

    def ports(self, *, strict: bool = True) -> VerifierPorts:
        policy = AddressPolicy(resolve_host=fake_public_dns)
        return VerifierPorts(
            contexts=contexts(),
            resolver=default_registry(self.client, policy=policy),
            strict_resolver=default_registry(self.client, policy=policy, fragment_keys=False) if strict else None,
            status_fetcher=StatusListFetcher(self.client, policy=policy),
            clock=lambda: NOW,
        )

    async def verify(
        self, document: dict[str, Any] | str | bytes, options: VerifyOptions | None = None, *, strict: bool = True
    ) -> VerificationReport:
        if isinstance(document, dict):
            document = json.dumps(document)
        data = document.encode("utf-8") if isinstance(document, str) else document
        return await verify_input(data, self.ports(strict=strict), options or VerifyOptions())


@pytest.fixture
async def world() -> AsyncIterator[World]:
    world = World()
    yield world
    await world.client.aclose()


# Documents


def did_document(relationships: tuple[str, ...] = ("assertionMethod",)) -> dict[str, Any]:
    """did:web:issuer.example: an Ed25519 Multikey and a P-256 JsonWebKey, both under `relationships`."""
    methods = [
        {
            "id": ISSUER_VM,
            "type": "Multikey",
            "controller": ISSUER_DID,
            "publicKeyMultibase": ISSUER_KEY.public_key_multibase,
        },
        {
            "id": ISSUER_JWT_VM,
            "type": "JsonWebKey2020",
            "controller": ISSUER_DID,
            "publicKeyJwk": public_jwk_of(P256_JWK),
        },
    ]
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ISSUER_DID,
        "verificationMethod": methods,
    }
    return document | {name: [ISSUER_VM, ISSUER_JWT_VM] for name in relationships}


def key_document(assertion_methods: list[str]) -> dict[str, Any]:
    """A CID 1.0 controlled-identifier document at PROFILE_URL listing the issuer's key by its fragment URL."""
    return {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": PROFILE_URL,
        "verificationMethod": [
            {
                "id": FRAGMENT_VM,
                "type": "Multikey",
                "controller": PROFILE_URL,
                "publicKeyMultibase": ISSUER_KEY.public_key_multibase,
            }
        ],
        "assertionMethod": assertion_methods,
    }


def signed(document: dict[str, Any], key: Ed25519KeyPair = ISSUER_KEY, method: str = ISSUER_VM) -> dict[str, Any]:
    """VC-DI 1.0 §4.2 Add Proof with eddsa-rdfc-2022 (a second call makes a proof set)."""
    suite = SUITES["eddsa-rdfc-2022"]
    options = ProofOptions.for_suite(suite, method, created=CREATED)
    return add_proof(document, suite, options, key.signer(method), contexts())


def did_key_signed(document: dict[str, Any], key: Ed25519KeyPair = ISSUER_KEY) -> dict[str, Any]:
    return signed(document, key, key.did_key_verification_method)


def achievement() -> dict[str, Any]:
    return {
        "id": ACHIEVEMENT_ID,
        "type": ["Achievement"],
        "name": "Data Cleaning",
        "description": "Cleans real data sets.",
        "criteria": {"narrative": "Pass the practical assessment."},
    }


def ob_credential(issuer: str = ISSUER_DID, **changes: Any) -> dict[str, Any]:
    credential = {
        "@context": [V2, OB],
        "id": "urn:uuid:3f1c1e0a-7c1d-4d0e-9a57-2d7f3a0b9c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Data Cleaning",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": achievement(),
        },
    }
    return credential | changes


def status_entry(url: str = REVOCATION_URL, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "id": f"{url}#{INDEX}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(INDEX),
        "statusListCredential": url,
    }


def unsigned_status_list(url: str, purpose: str, *, set_bit: bool = False) -> dict[str, Any]:
    bits = StatusList.new()
    if set_bit:
        bits.set(INDEX, 1)
    return {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER_DID,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }


@cache
def _status_list(url: str, purpose: str, set_bit: bool) -> str:
    return json.dumps(signed(unsigned_status_list(url, purpose, set_bit=set_bit)))


def status_list(url: str, purpose: str, *, set_bit: bool = False) -> dict[str, Any]:
    """A BitstringStatusListCredential signed by the issuer (cached as JSON: signing is the slow part)."""
    document: dict[str, Any] = json.loads(_status_list(url, purpose, set_bit))
    return document


def publish_issuer(world: World, *, revoked: bool = False, suspended: bool = False) -> None:
    """The issuer's DID document, revocation list (/status/1) and suspension list (/status/2)."""
    world.serve(DID_PATH, did_document())
    world.serve("/status/1", status_list(REVOCATION_URL, "revocation", set_bit=revoked))
    world.serve("/status/2", status_list(SUSPENSION_URL, "suspension", set_bit=suspended))


def with_status(*entries: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An OB credential of the did:web issuer with these status entries, signed with its Multikey."""
    return signed(ob_credential(credentialStatus=list(entries) or [status_entry()], **changes))


# Data Integrity credentials: did:key, did:web and status


async def test_valid_did_key_credential_verifies_without_any_fetch(world: World) -> None:
    credential = did_key_signed(ob_credential(ISSUER_KEY.did_key))
    expect(
        await world.verify(credential),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == []


async def test_valid_did_web_credential_with_clear_revocation_status_verifies(world: World) -> None:
    publish_issuer(world)
    report = await world.verify(with_status())
    expect(
        report,
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=PASSED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert set(world.requested) == {DID_PATH, "/status/1"}


async def test_revoked_credential_fails_status(world: World) -> None:
    publish_issuer(world, revoked=True)
    expect(
        await world.verify(with_status()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=failed("CREDENTIAL_REVOKED"),
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_suspended_credential_fails_status_although_not_revoked(world: World) -> None:
    publish_issuer(world, suspended=True)
    credential = with_status(status_entry(), status_entry(SUSPENSION_URL, "suspension"))
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=failed("CREDENTIAL_SUSPENDED"),
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_expired_credential_fails_validity(world: World) -> None:
    publish_issuer(world)
    expect(
        await world.verify(with_status(validUntil="2026-01-01T00:00:00Z")),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=failed("CREDENTIAL_EXPIRED"),
        status=PASSED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_not_yet_valid_credential_fails_validity(world: World) -> None:
    publish_issuer(world)
    expect(
        await world.verify(with_status(validFrom="2026-06-01T00:00:00Z")),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=failed("CREDENTIAL_NOT_YET_VALID"),
        status=PASSED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_tampered_subject_fails_proof_and_fetches_no_status_list(world: World) -> None:
    publish_issuer(world)
    credential = with_status()
    credential["credentialSubject"]["achievement"]["name"] = "Data Science PhD"
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=failed("PROOF_VERIFICATION_ERROR"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == [DID_PATH]


async def test_did_web_document_404_means_the_key_does_not_exist(world: World) -> None:
    world.serve("/status/1", status_list(REVOCATION_URL, "revocation"))
    expect(
        await world.verify(with_status()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=failed("INVALID_VERIFICATION_METHOD"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == [DID_PATH]


@pytest.mark.parametrize("timeout", [httpx.ConnectTimeout, httpx.ReadTimeout])
async def test_did_web_timeout_leaves_the_proof_unchecked(world: World, timeout: type[httpx.TransportError]) -> None:
    publish_issuer(world)
    world.serve(DID_PATH, raising(timeout))
    expect(
        await world.verify(with_status()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=error("INVALID_VERIFICATION_METHOD"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


@pytest.mark.parametrize("route", [respond({}, 500), raising(httpx.ReadTimeout)], ids=["http-500", "timeout"])
async def test_status_list_unreachable_leaves_status_unknown(world: World, route: Route) -> None:
    publish_issuer(world)
    world.serve("/status/1", route)
    expect(
        await world.verify(with_status()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=error("STATUS_RETRIEVAL_ERROR"),
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_status_list_with_bad_signature_is_not_trusted(world: World) -> None:
    publish_issuer(world)
    forged = status_list(REVOCATION_URL, "revocation", set_bit=True)
    forged["credentialSubject"]["encodedList"] = StatusList.new().encode()  # someone clears the revocation bit
    world.serve("/status/1", forged)
    expect(
        await world.verify(with_status()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=failed("STATUS_VERIFICATION_ERROR", "PROOF_VERIFICATION_ERROR"),
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_status_list_signed_by_a_stranger_in_the_issuers_name_is_not_trusted(world: World) -> None:
    publish_issuer(world)
    # A clear list that names did:web:issuer.example as its issuer, signed with someone else's key.
    world.serve("/status/1", did_key_signed(unsigned_status_list(REVOCATION_URL, "revocation"), OTHER_KEY))
    expect(
        await world.verify(with_status()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=failed("STATUS_VERIFICATION_ERROR", "INVALID_VERIFICATION_METHOD"),
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_status_list_validly_signed_by_another_issuer_cannot_clear_a_credential(world: World) -> None:
    publish_issuer(world)
    # A clear list, properly signed by its own issuer (a did:key), served where the credential points.
    stranger_list = unsigned_status_list(REVOCATION_URL, "revocation") | {"issuer": OTHER_KEY.did_key}
    world.serve("/status/1", did_key_signed(stranger_list, OTHER_KEY))
    report = await world.verify(with_status())
    expect(
        report,
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=failed("STATUS_VERIFICATION_ERROR", "STATUS_VERIFICATION_ERROR"),
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    status = next(c for c in report.checks if c.id == "status")
    assert any(OTHER_KEY.did_key in p.detail for p in status.problems)


# Who signed: verification relationships and key controllers


async def test_key_only_in_authentication_may_not_sign_credentials(world: World) -> None:
    world.serve(DID_PATH, did_document(relationships=("authentication",)))
    expect(
        await world.verify(signed(ob_credential())),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=failed("INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_issuer_that_does_not_control_the_key_fails_proof_purpose(world: World) -> None:
    publish_issuer(world)
    credential = did_key_signed(ob_credential(ISSUER_DID), OTHER_KEY)
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=failed("INVALID_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


def fragment_key_credential() -> dict[str, Any]:
    """The 1EdTech test-vector form: the key is the fragment of the issuer's https URL."""
    return signed(ob_credential(PROFILE_URL), method=FRAGMENT_VM)


async def test_fragment_key_confirmed_by_the_issuers_document(world: World) -> None:
    world.serve(PROFILE_PATH, key_document([FRAGMENT_VM]))
    expect(
        await world.verify(fragment_key_credential()),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == [PROFILE_PATH]


async def test_fragment_key_the_issuers_document_does_not_list_fails(world: World) -> None:
    """The issuer's document was read and does not name the key: a determined "no", not an unknown."""
    document = key_document([])
    document["verificationMethod"] = []
    world.serve(PROFILE_PATH, document)
    expect(
        await world.verify(fragment_key_credential()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=failed("INVALID_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_fragment_key_not_in_assertion_method_fails(world: World) -> None:
    world.serve(PROFILE_PATH, key_document([]) | {"authentication": [FRAGMENT_VM]})
    expect(
        await world.verify(fragment_key_credential()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=failed("INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_fragment_key_issuer_document_404_fails(world: World) -> None:
    """No document at the issuer's URL: nothing there lists the key, just as with a did:web 404."""
    expect(
        await world.verify(fragment_key_credential()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=failed("INVALID_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == [PROFILE_PATH]


async def test_fragment_key_issuer_document_timeout_is_unknown(world: World) -> None:
    world.serve(PROFILE_PATH, raising(httpx.ReadTimeout))
    expect(
        await world.verify(fragment_key_credential()),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=error("INVALID_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_fragment_key_offline_cannot_be_confirmed(world: World) -> None:
    world.serve(PROFILE_PATH, key_document([FRAGMENT_VM]))
    expect(
        await world.verify(fragment_key_credential(), strict=False),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=error("INVALID_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == []


async def test_proof_set_with_one_bad_proof_fails_proof(world: World) -> None:
    credential = did_key_signed(did_key_signed(ob_credential(ISSUER_KEY.did_key)), OTHER_KEY)
    first, second = credential["proof"]
    second["proofValue"] = first["proofValue"]  # a well-formed signature, but not OTHER_KEY's over this document
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=failed("PROOF_VERIFICATION_ERROR"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


# Recipient and endorsements


def email_credential() -> dict[str, Any]:
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(EMAIL, SALT),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": SALT,
            }
        ],
        "achievement": achievement(),
    }
    return did_key_signed(ob_credential(ISSUER_KEY.did_key, credentialSubject=subject))


async def test_recipient_email_matches_the_salted_hash(world: World) -> None:
    expect(
        await world.verify(email_credential(), VerifyOptions(recipient_email=EMAIL)),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=PASSED,
        endorsements=SKIPPED,
    )


async def test_recipient_email_mismatch_fails(world: World) -> None:
    expect(
        await world.verify(email_credential(), VerifyOptions(recipient_email="someone@example.edu")),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=failed("RECIPIENT_MISMATCH"),
        endorsements=SKIPPED,
    )


def unsigned_endorsement(issuer: str) -> dict[str, Any]:
    return {
        "@context": [V2, OB],
        "id": "urn:uuid:7d3e4c52-19a4-4b8e-8f0a-5b1f2c6d9e01",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example Accreditor"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Accreditor endorsement",
        "credentialSubject": {
            "id": ACHIEVEMENT_ID,
            "type": ["EndorsementSubject"],
            "endorsementComment": "A rigorous assessment.",
        },
    }


def endorsement() -> dict[str, Any]:
    """An EndorsementCredential of the achievement, signed by the endorser's did:key."""
    return did_key_signed(unsigned_endorsement(ENDORSER_KEY.did_key), ENDORSER_KEY)


async def test_valid_endorsement_by_another_key_passes(world: World) -> None:
    credential = did_key_signed(ob_credential(ISSUER_KEY.did_key, endorsement=[endorsement()]))
    expect(
        await world.verify(credential),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=PASSED,
    )


async def test_tampered_endorsement_fails_endorsements_only(world: World) -> None:
    tampered = endorsement()
    tampered["credentialSubject"]["endorsementComment"] = "The best programme in the world."
    credential = did_key_signed(ob_credential(ISSUER_KEY.did_key, endorsement=[tampered]))
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=failed("ENDORSEMENT_NOT_VERIFIED"),
    )


async def test_endorsement_whose_key_cannot_be_fetched_is_unknown_not_failed(world: World) -> None:
    """An endorsement signed with a did:web key whose document times out could not be checked: ERROR."""
    world.serve(DID_PATH, raising(httpx.ConnectTimeout))
    by_did_web = signed(unsigned_endorsement(ISSUER_DID))
    credential = did_key_signed(ob_credential(ISSUER_KEY.did_key, endorsement=[by_did_web]))
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=error("ENDORSEMENT_NOT_VERIFIED"),
    )
    assert world.requested == [DID_PATH]


# Data model versions and JSON-LD


async def test_vcdm_1_1_credential_verifies(world: World) -> None:
    unsigned = ob_credential(ISSUER_KEY.did_key, issuanceDate="2025-01-01T00:00:00Z")
    del unsigned["validFrom"]
    credential = did_key_signed(unsigned | {"@context": [V1, OB]})
    assert credential["@context"] == [V1, OB, DATA_INTEGRITY_V2]
    expect(
        await world.verify(credential),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_unknown_context_fails_conformance_and_proof(world: World) -> None:
    credential = did_key_signed(ob_credential(ISSUER_KEY.did_key))
    credential["@context"].append("https://example.org/contexts/unknown/v1")
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=failed("CONTEXT_NOT_ALLOWED"),
        proof=failed("PROOF_TRANSFORMATION_ERROR"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_undefined_term_is_data_loss(world: World) -> None:
    credential = did_key_signed(ob_credential(ISSUER_KEY.did_key)) | {"favouriteColour": "teal"}
    expect(
        await world.verify(credential),
        verified=False,
        parse=PASSED,
        conformance=failed("DATA_LOSS_DETECTION_ERROR"),
        proof=failed("DATA_LOSS_DETECTION_ERROR"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_unsigned_presentation_verifies_the_credential_inside(world: World) -> None:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [did_key_signed(ob_credential(ISSUER_KEY.did_key))],
    }
    report = await world.verify(presentation)
    expect(
        report,
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=SKIPPED,
        proof_purpose=SKIPPED,
        validity=SKIPPED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert report.kind == "presentation"
    assert [nested.verified for nested in report.credentials] == [True]


# VC-JWT


def jwt_for(issuer: str, kid: str) -> str:
    """An OB 3.0 §8.2 VC-JWT over the credential, ES256 with the module's P-256 key."""
    return sign_vc_jwt(ob_credential(issuer), key=P256_JWK, alg="ES256", kid=kid)


@pytest.mark.parametrize("kid", ["{did}#0", "#0"], ids=["absolute-kid", "fragment-kid"])
async def test_jwt_es256_with_did_jwk_kid_verifies(world: World, kid: str) -> None:
    expect(
        await world.verify(jwt_for(P256_DID, kid.format(did=P256_DID))),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_jwt_es256_with_did_web_kid_verifies(world: World) -> None:
    publish_issuer(world)
    expect(
        await world.verify(jwt_for(ISSUER_DID, ISSUER_JWT_VM)),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == [DID_PATH]


async def test_jwt_did_web_kid_timeout_leaves_the_proof_unchecked(world: World) -> None:
    world.serve(DID_PATH, raising(httpx.ConnectTimeout))
    expect(
        await world.verify(jwt_for(ISSUER_DID, ISSUER_JWT_VM)),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=error("INVALID_VERIFICATION_METHOD"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_jwt_signed_with_another_dids_key_fails_proof_purpose(world: World) -> None:
    expect(
        await world.verify(jwt_for(ISSUER_DID, f"{P256_DID}#0")),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=failed("INVALID_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_jwt_with_tampered_payload_fails_proof(world: World) -> None:
    header, _payload, signature = jwt_for(P256_DID, f"{P256_DID}#0").split(".")
    forged = sign_vc_jwt(ob_credential(P256_DID, name="Data Science PhD"), key=P256_JWK, alg="ES256", kid="#0")
    expect(
        await world.verify(f"{header}.{forged.split('.')[1]}.{signature}"),  # another payload, the old signature
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=failed("PROOF_VERIFICATION_ERROR"),
        proof_purpose=SKIPPED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )


async def test_baked_svg_with_jwt_verifies(world: World) -> None:
    baked = baking.bake_svg(PLAIN_SVG.read_bytes(), jwt_for(P256_DID, f"{P256_DID}#0"))
    report = await world.verify(baked)
    expect(
        report,
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert report.credential.format == "svg"
    assert report.checks[0].explanation == "Read a credential from a JWT inside a baked SVG image."


def eddsa_jwt(credential: dict[str, Any], kid: str) -> str:
    """A VC-JWT signed with EdDSA (verifiable, though Credstack only signs RS256/ES256), made by hand."""
    header = {"alg": "EdDSA", "typ": "JWT", "kid": kid}
    segments = [
        b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, vc_jwt_payload(credential))
    ]
    signing_input = ".".join(segments)
    return f"{signing_input}.{b64url(ISSUER_KEY.sign(signing_input.encode('ascii')))}"


async def test_jwt_with_fragment_key_kid_confirmed_by_the_issuers_document(world: World) -> None:
    world.serve(PROFILE_PATH, key_document([FRAGMENT_VM]))
    expect(
        await world.verify(eddsa_jwt(ob_credential(PROFILE_URL), FRAGMENT_VM)),
        verified=True,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=PASSED,
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == [PROFILE_PATH]


async def test_jwt_with_fragment_key_kid_offline_cannot_be_confirmed(world: World) -> None:
    expect(
        await world.verify(eddsa_jwt(ob_credential(PROFILE_URL), FRAGMENT_VM), strict=False),
        verified=False,
        parse=PASSED,
        conformance=PASSED,
        proof=PASSED,
        proof_purpose=error("INVALID_VERIFICATION_METHOD"),
        validity=PASSED,
        status=SKIPPED,
        recipient=SKIPPED,
        endorsements=SKIPPED,
    )
    assert world.requested == []
