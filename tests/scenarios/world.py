"""The scenarios' world: fixed keys, a fixed clock, and the issuers' web presence behind an httpx.MockTransport.

Nothing here touches the network. Hosts are let through the address policy by name (what `--allow-host` and
CREDSTACK_FETCH_ALLOW_HOSTS do), so the ports are built by the same `credstack.verification.verifier_ports` the CLI
uses, with the transport replaced. Every request is recorded so a scenario can say what was (not) fetched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair, private_key_to_jwk, public_jwk_of
from credstack.settings import Settings
from credstack.verification import verifier_ports
from verifier.service import VerifierPorts

Json = dict[str, Any]
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CREATED = "2025-06-01T00:00:00Z"
HERE = Path(__file__).parent
IMAGES = HERE.parent / "fixtures" / "images"

HOST = "issuer.example"
ISSUER_DID = f"did:web:{HOST}"
DID_PATH = "/.well-known/did.json"
MISSING_HOST = "gone.example"  # answers 404 for everything, its DID document included
OTHER_DID = "did:web:other.example"  # a DID that exists in no document: the controller of a stray key
ALLOWED_HOSTS = frozenset({HOST, MISSING_HOST})

# Ed25519 keys from fixed seeds: every signature, and so every run, is the same.
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(32)))
OTHER_KEY = Ed25519KeyPair.from_seed(bytes(range(32, 64)))
ENDORSER_KEY = Ed25519KeyPair.from_seed(bytes(range(64, 96)))
RETIRED_KEY = Ed25519KeyPair.from_seed(bytes(range(96, 128)))
FOREIGN_KEY = Ed25519KeyPair.from_seed(bytes(range(128, 160)))

# Verification methods of did:web:issuer.example (see `did_document`).
KEY_1 = f"{ISSUER_DID}#key-1"  # Multikey, assertionMethod: the Data Integrity and EdDSA JWT key
KEY_2020 = f"{ISSUER_DID}#key-2020"  # the same key as an Ed25519VerificationKey2020
ES256_KEY = f"{ISSUER_DID}#es256"  # P-256 JsonWebKey
RS256_KEY = f"{ISSUER_DID}#rs256"  # RSA JsonWebKey
RETIRED = f"{ISSUER_DID}#key-0"  # still listed, but no longer under assertionMethod
REMOVED = f"{ISSUER_DID}#key-old"  # gone from the document altogether
FOREIGN = f"{ISSUER_DID}#delegated"  # under assertionMethod, but controlled by another DID

# A fixed P-256 scalar; the RSA key is a committed test-only key (generating one per run is slow and random).
P256_JWK = private_key_to_jwk(ec.derive_private_key(0x5CE7A10_C0FFEE_D15EA5E_5EED, ec.SECP256R1()))
RSA_JWK: dict[str, Any] = json.loads((HERE / "fixtures" / "rs256-test-key.jwk.json").read_text(encoding="utf-8"))


@cache
def contexts() -> ContextStore:
    return ContextStore.load()


def did_document() -> dict[str, Any]:
    """did:web:issuer.example as its issuer publishes it: current keys, a retired key and a delegated one."""

    def multikey(
        method: str, key: Ed25519KeyPair, kind: str = "Multikey", controller: str = ISSUER_DID
    ) -> dict[str, Any]:
        return {"id": method, "type": kind, "controller": controller, "publicKeyMultibase": key.public_key_multibase}

    def jwk(method: str, private: Json) -> Json:
        return {"id": method, "type": "JsonWebKey", "controller": ISSUER_DID, "publicKeyJwk": public_jwk_of(private)}

    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ISSUER_DID,
        "verificationMethod": [
            multikey(KEY_1, ISSUER_KEY),
            multikey(KEY_2020, ISSUER_KEY, "Ed25519VerificationKey2020"),
            jwk(ES256_KEY, P256_JWK),
            jwk(RS256_KEY, RSA_JWK),
            multikey(RETIRED, RETIRED_KEY),
            multikey(FOREIGN, FOREIGN_KEY, controller=OTHER_DID),
        ],
        "assertionMethod": [KEY_1, KEY_2020, ES256_KEY, RS256_KEY, FOREIGN],
        "authentication": [KEY_1, RETIRED],
    }


Route = Callable[[httpx.Request], httpx.Response]


def respond(document: Any, status_code: int = 200) -> Route:
    return lambda request: httpx.Response(status_code, json=document)


def raising(exc_type: type[httpx.TransportError]) -> Route:
    def route(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated network failure", request=request)

    return route


class World:
    """URLs served by a MockTransport (anything else: 404), with every requested URL recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requested: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url.copy_with(query=None, fragment=None))
        self.requested.append(url)
        route = self.routes.get(url)
        return httpx.Response(404, text="not found") if route is None else route(request)

    def serve(self, url: str, route: Route | dict[str, Any]) -> None:
        self.routes[url] = route if callable(route) else respond(route)

    @asynccontextmanager
    async def ports(self) -> AsyncIterator[VerifierPorts]:
        """The CLI's composition (credstack.verification), over this world's transport and the fixed clock."""
        async with verifier_ports(
            Settings(),
            transport=httpx.MockTransport(self),
            allow_hosts=ALLOWED_HOSTS,
            contexts=contexts(),
            clock=lambda: NOW,
        ) as ports:
            yield ports
