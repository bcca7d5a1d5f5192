"""did:key, did:jwk and did:web resolution, the resolver registry and cache, and credentials.http fetching."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from credentials.did import (
    DidJwkResolver,
    DidKeyResolver,
    DidNotFound,
    DidResolverRegistry,
    DidWebResolver,
    HttpsDocumentResolver,
    InvalidDid,
    InvalidDidDocument,
    InvalidDidUrl,
    InvalidPublicKeyLength,
    MethodNotSupported,
    ResolutionFailed,
    UnsupportedPublicKeyType,
    VerificationMethodNotFound,
    decode_did_jwk,
    default_registry,
    did_jwk_document,
    did_jwk_from_jwk,
    did_key_document,
    did_web_to_url,
)
from credentials.http import AddressPolicy, InvalidJson, cache_max_age, fetch_body, fetch_json, is_public_address
from credentials.keys import (
    Ed25519KeyPair,
    PrivateKeyMaterial,
    b64url,
    base58btc_encode,
    decode_public_key_multibase,
    generate_p256_jwk,
    public_jwk_of,
)

VECTOR_MB = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_DID = f"did:key:{VECTOR_MB}"
OB_VECTOR_MB = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
OB_VECTOR_VM = f"https://example.edu/issuers/565049#{OB_VECTOR_MB}"
OB_VECTOR_PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
WEB_DID = "did:web:issuer.example"
PUBLIC_IP = "93.184.216.34"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fake_dns(table: dict[str, list[str]]) -> Callable[[str, int], Any]:
    async def resolve(host: str, port: int) -> list[str]:
        return table[host]

    return resolve


def web_document(did: str = WEB_DID, key: Ed25519KeyPair | None = None) -> dict[str, Any]:
    key = key or Ed25519KeyPair.from_public_key_multibase(VECTOR_MB)
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": "#key-1", "type": "Multikey", "controller": did, "publicKeyMultibase": key.public_key_multibase},
            {"id": f"{did}#auth", "type": "Multikey", "controller": did, "publicKeyMultibase": VECTOR_MB},
        ],
        "assertionMethod": ["#key-1"],
        "authentication": [f"{did}#auth"],
    }


class Server:
    """An httpx.MockTransport handler serving JSON by (Host header, path), recording every request."""

    def __init__(self, routes: dict[tuple[str, str], httpx.Response | Callable[[], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get((request.headers["host"], request.url.path))
        if route is None:
            return httpx.Response(404)
        return route() if callable(route) else route


def ok(document: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=document, headers=headers)


def web_resolver(server: Server, dns: dict[str, list[str]] | None = None, **kwargs: Any) -> DidWebResolver:
    policy = AddressPolicy(
        allow_hosts=kwargs.pop("allow_hosts", frozenset()),
        resolve_host=fake_dns(dns or {"issuer.example": [PUBLIC_IP]}),
    )
    return DidWebResolver(httpx.AsyncClient(transport=httpx.MockTransport(server)), policy, **kwargs)


# did:key


def test_did_key_vector_document() -> None:
    vm = f"{VECTOR_DID}#{VECTOR_MB}"
    assert did_key_document(VECTOR_DID) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": VECTOR_DID,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": VECTOR_DID, "publicKeyMultibase": VECTOR_MB}
        ],
        "authentication": [vm],
        "assertionMethod": [vm],
        "capabilityInvocation": [vm],
        "capabilityDelegation": [vm],
    }


async def test_did_key_ed25519_2020_option() -> None:
    document = await DidKeyResolver("Ed25519VerificationKey2020").resolve(VECTOR_DID)
    assert document["@context"][1] == "https://w3id.org/security/suites/ed25519-2020/v1"
    assert document["verificationMethod"][0]["type"] == "Ed25519VerificationKey2020"


@pytest.mark.parametrize(
    ("did", "error", "code"),
    [
        ("did:key:" + "a" + VECTOR_MB[1:], InvalidDid, "invalidDid"),
        ("did:key:z0OIl", InvalidDid, "invalidDid"),
        ("did:key:z" + base58btc_encode(b"\xed\x01" + bytes(31)), InvalidPublicKeyLength, "invalidPublicKeyLength"),
        ("did:key:z" + base58btc_encode(b"\xed\x01" + bytes(33)), InvalidPublicKeyLength, "invalidPublicKeyLength"),
        ("did:key:z" + base58btc_encode(b"\x80\x24" + bytes(33)), UnsupportedPublicKeyType, "unsupportedPublicKeyType"),
        (VECTOR_DID + "#" + VECTOR_MB, InvalidDid, "invalidDid"),
        ("did:web:" + VECTOR_MB, InvalidDid, "invalidDid"),
    ],
)
def test_did_key_errors(did: str, error: type[Exception], code: str) -> None:
    with pytest.raises(error) as caught:
        did_key_document(did)
    assert caught.value.code == code  # type: ignore[attr-defined]


# did:jwk


def test_did_jwk_spec_example_decodes() -> None:
    did = (
        "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgy"
        "VjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
    )
    assert decode_did_jwk(did) == {
        "crv": "P-256",
        "kty": "EC",
        "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
        "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
    }
    assert did_jwk_from_jwk(decode_did_jwk(did)) == did


async def test_did_jwk_round_trip() -> None:
    public = public_jwk_of(generate_p256_jwk())
    did = did_jwk_from_jwk(public)
    document = await DidJwkResolver().resolve(did)
    method = {"id": f"{did}#0", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": public}
    assert document["verificationMethod"] == [method]
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]
    for relationship in ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"):
        assert document[relationship] == [f"{did}#0"]
    assert document["keyAgreement"] == [f"{did}#0"]


def test_did_jwk_use_selects_relationships() -> None:
    public = public_jwk_of(generate_p256_jwk())
    signing = did_jwk_document(did_jwk_from_jwk({**public, "use": "sig"}))
    assert "keyAgreement" not in signing and "assertionMethod" in signing
    encryption = did_jwk_document(did_jwk_from_jwk({**public, "use": "enc"}))
    assert "keyAgreement" in encryption and "assertionMethod" not in encryption


def test_did_jwk_refuses_private_members() -> None:
    private = generate_p256_jwk()
    with pytest.raises(PrivateKeyMaterial):
        did_jwk_from_jwk(private)
    forged = "did:jwk:" + b64url(json.dumps(private).encode())
    with pytest.raises(InvalidDid):
        did_jwk_document(forged)


@pytest.mark.parametrize(
    "suffix",
    ["", "e30", b64url(b"[1]"), b64url(b'{"kty":"EC"}'), "eyJrdHkiOiJFQyJ9=", base64.b64encode(b"\xff\xfe").decode()],
)
def test_did_jwk_malformed(suffix: str) -> None:
    with pytest.raises(InvalidDid):
        did_jwk_document("did:jwk:" + suffix)


# did:web URL rules


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:example.com%3a3000", "https://example.com:3000/.well-known/did.json"),
    ],
)
def test_did_web_to_url(did: str, url: str) -> None:
    assert did_web_to_url(did) == url


def test_did_web_numeric_path_segment_is_a_path_not_a_port() -> None:
    assert did_web_to_url("did:web:example.com:3000") == "https://example.com/3000/did.json"


@pytest.mark.parametrize(
    "did",
    [
        "did:web:127.0.0.1",
        "did:web:10.0.0.1%3A8443",
        "did:web:1.2.3.4.",
        "did:web:example.com%3A99999",
        "did:web:example.com%3A",
        "did:web:example.com%3A1%3A2",
        "did:web:-bad.example",
        "did:web:example.com:..",
        "did:web:example.com:%2e%2e",
        "did:web:example.com#frag",
        "did:web:",
        "did:key:example.com",
    ],
)
def test_did_web_invalid(did: str) -> None:
    with pytest.raises(InvalidDid):
        did_web_to_url(did)


# did:web resolution over httpx.MockTransport


async def test_did_web_resolves_through_the_checked_address() -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): ok(web_document())})
    document = await web_resolver(server).resolve(WEB_DID)
    assert document == web_document()
    (request,) = server.requests
    # Pinned: the connection goes to the address that passed the policy, the name stays in Host and SNI.
    assert request.url.host == PUBLIC_IP
    assert request.extensions["sni_hostname"] == "issuer.example"
    assert request.headers["connection"] == "close"


async def test_did_web_404_is_not_found() -> None:
    with pytest.raises(DidNotFound) as caught:
        await web_resolver(Server({})).resolve(WEB_DID)
    assert caught.value.code == "notFound"


async def test_did_web_500_is_transient() -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): httpx.Response(503)})
    with pytest.raises(ResolutionFailed) as caught:
        await web_resolver(server).resolve(WEB_DID)
    assert caught.value.transient and caught.value.reason == "HTTP_STATUS"


async def test_did_web_document_id_must_be_the_did() -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): ok(web_document("did:web:attacker.example"))})
    with pytest.raises(InvalidDidDocument) as caught:
        await web_resolver(server).resolve(WEB_DID)
    assert caught.value.code == "invalidDidDocument"


@pytest.mark.parametrize("body", [b"not json", b"[" * 300_000, b'{"id": NaN}'])
async def test_did_web_body_must_be_json(body: bytes) -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): httpx.Response(200, content=body)})
    with pytest.raises(InvalidDidDocument):
        await web_resolver(server, max_bytes=400_000).resolve(WEB_DID)


async def test_did_web_requires_the_did_context_when_json_ld() -> None:
    document = {**web_document(), "@context": "https://www.w3.org/2018/credentials/v1"}
    server = Server({("issuer.example", "/.well-known/did.json"): ok(document)})
    with pytest.raises(InvalidDidDocument):
        await web_resolver(server).resolve(WEB_DID)


async def test_oversize_declared_body_is_refused() -> None:
    big = {**web_document(), "padding": "x" * 2000}
    server = Server({("issuer.example", "/.well-known/did.json"): ok(big)})
    with pytest.raises(ResolutionFailed) as caught:
        await web_resolver(server, max_bytes=1024).resolve(WEB_DID)
    assert caught.value.reason == "RESPONSE_TOO_LARGE" and not caught.value.transient


async def test_oversize_streamed_body_stops_at_the_cap() -> None:
    served: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(1000):
            served.append(1)
            yield b" " * 512

    server = Server({("issuer.example", "/.well-known/did.json"): lambda: httpx.Response(200, content=endless())})
    with pytest.raises(ResolutionFailed) as caught:
        await web_resolver(server, max_bytes=2048).resolve(WEB_DID)
    assert caught.value.reason == "RESPONSE_TOO_LARGE"
    assert len(served) <= 5


async def test_transport_timeout_is_a_transient_failure() -> None:
    def timeout() -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    server = Server({("issuer.example", "/.well-known/did.json"): timeout})
    with pytest.raises(ResolutionFailed) as caught:
        await web_resolver(server).resolve(WEB_DID)
    assert caught.value.reason == "TIMEOUT" and caught.value.transient


async def test_overall_deadline_covers_a_stalled_server() -> None:
    async def stalled(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return ok(web_document())

    policy = AddressPolicy(resolve_host=fake_dns({"issuer.example": [PUBLIC_IP]}))
    resolver = DidWebResolver(httpx.AsyncClient(transport=httpx.MockTransport(stalled)), policy, timeout=0.05)
    with pytest.raises(ResolutionFailed) as caught:
        await resolver.resolve(WEB_DID)
    assert caught.value.reason == "TIMEOUT"


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.1"], ["10.1.2.3"], ["169.254.169.254"], ["::1"], ["::ffff:192.168.0.1"], [PUBLIC_IP, "10.0.0.1"], []],
)
async def test_non_public_addresses_are_refused(addresses: list[str]) -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): ok(web_document())})
    with pytest.raises(ResolutionFailed) as caught:
        await web_resolver(server, {"issuer.example": addresses}).resolve(WEB_DID)
    assert caught.value.reason in {"ADDRESS_NOT_ALLOWED", "HOST_NOT_FOUND"}
    assert server.requests == []


async def test_allow_listed_host_may_be_private_and_is_contacted_by_name() -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): ok(web_document())})
    resolver = web_resolver(server, {"issuer.example": ["127.0.0.1"]}, allow_hosts=frozenset({"Issuer.Example"}))
    assert (await resolver.resolve(WEB_DID))["id"] == WEB_DID
    assert server.requests[0].url.host == "issuer.example"


async def test_redirect_to_a_private_address_is_refused() -> None:
    moved = httpx.Response(302, headers={"location": "https://internal.example/did.json"})
    server = Server({("issuer.example", "/.well-known/did.json"): moved, ("internal.example", "/did.json"): ok({})})
    dns = {"issuer.example": [PUBLIC_IP], "internal.example": ["10.0.0.5"]}
    with pytest.raises(ResolutionFailed) as caught:
        await web_resolver(server, dns).resolve(WEB_DID)
    assert caught.value.reason == "ADDRESS_NOT_ALLOWED"
    assert len(server.requests) == 1


async def test_redirect_to_a_public_https_host_is_followed_and_checked() -> None:
    moved = httpx.Response(301, headers={"location": "https://cdn.example/docs/did.json"})
    server = Server(
        {("issuer.example", "/.well-known/did.json"): moved, ("cdn.example", "/docs/did.json"): ok(web_document())}
    )
    dns = {"issuer.example": [PUBLIC_IP], "cdn.example": ["2606:4700:4700::1111"]}
    assert (await web_resolver(server, dns).resolve(WEB_DID))["id"] == WEB_DID
    assert server.requests[1].url.host == "2606:4700:4700::1111"


@pytest.mark.parametrize(
    ("location", "reason"),
    [("http://issuer.example/did.json", "INSECURE_URL"), ("/.well-known/did.json", "TOO_MANY_REDIRECTS")],
)
async def test_bad_redirects(location: str, reason: str) -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): httpx.Response(307, headers={"location": location})})
    with pytest.raises(ResolutionFailed) as caught:
        await web_resolver(server).resolve(WEB_DID)
    assert caught.value.reason == reason
    assert len(server.requests) <= 4


async def test_fetch_json_refuses_plain_http_and_credentials() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(Server({})))
    for url in ("http://issuer.example/x", "https://user:pw@issuer.example/x", "ftp://issuer.example/x"):
        with pytest.raises(Exception) as caught:
            await fetch_json(client, url, policy=AddressPolicy())
        assert caught.value.code == "INSECURE_URL"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:7f00:1::", False),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("value", "max_age"),
    [("max-age=60", 60.0), ("public, max-age=10, must-revalidate", 10.0), ("no-store", 0.0), ("private", None)],
)
def test_cache_max_age(value: str, max_age: float | None) -> None:
    assert cache_max_age(httpx.Headers({"Cache-Control": value})) == max_age


# Registry, cache and dereferencing


def counting_registry(
    document: dict[str, Any], clock: FakeClock, *, cache_control: str | None = None, **kwargs: Any
) -> tuple[DidResolverRegistry, Server]:
    headers = {"cache-control": cache_control} if cache_control else {}
    server = Server({("issuer.example", "/.well-known/did.json"): lambda: ok(document, **headers)})
    return DidResolverRegistry({"web": web_resolver(server)}, clock=clock, **kwargs), server


async def test_cache_ttl_with_a_fake_clock() -> None:
    clock = FakeClock()
    registry, server = counting_registry(web_document(), clock)
    await registry.resolve(WEB_DID)
    clock.now += 299
    await registry.resolve(WEB_DID)
    assert len(server.requests) == 1
    clock.now += 2
    await registry.resolve(WEB_DID)
    assert len(server.requests) == 2


async def test_cache_honours_max_age_and_no_store() -> None:
    clock = FakeClock()
    registry, server = counting_registry(web_document(), clock, cache_control="max-age=10")
    await registry.resolve(WEB_DID)
    clock.now += 11
    await registry.resolve(WEB_DID)
    assert len(server.requests) == 2
    registry, server = counting_registry(web_document(), clock, cache_control="no-store")
    await registry.resolve(WEB_DID)
    await registry.resolve(WEB_DID)
    assert len(server.requests) == 2


async def test_cache_is_bounded_and_returns_copies() -> None:
    registry = DidResolverRegistry({"key": DidKeyResolver()}, max_entries=1)
    first = await registry.resolve(VECTOR_DID)
    first["id"] = "changed"
    assert (await registry.resolve(VECTOR_DID))["id"] == VECTOR_DID
    await registry.resolve("did:key:" + OB_VECTOR_MB)
    assert len(registry._cache) == 1


async def test_unknown_method_and_bad_syntax() -> None:
    registry = DidResolverRegistry({"key": DidKeyResolver()})
    with pytest.raises(MethodNotSupported) as caught:
        await registry.resolve("did:example:123")
    assert caught.value.code == "methodNotSupported"
    for bad in ("did:KEY:z6Mk", "urn:uuid:1", f"{VECTOR_DID}/path", ""):
        with pytest.raises(InvalidDid):
            await registry.resolve(bad)


async def test_local_documents_are_consulted_first_and_checked() -> None:
    did = "did:web:localhost%3A8000:issuers:1"
    local = {did: web_document(did)}
    registry = DidResolverRegistry({"web": web_resolver(Server({}))}, local_documents=local)
    method = await registry.dereference_verification_method(f"{did}#key-1")
    assert method.controller == did and "assertionMethod" in method.relationships
    wrong = DidResolverRegistry({"web": web_resolver(Server({}))}, local_documents=lambda _: web_document())
    with pytest.raises(InvalidDidDocument):
        await wrong.resolve(did)


async def test_local_controller_document_over_plain_http_in_development() -> None:
    controller = "http://localhost:8000/issuers/1"
    document = {
        "id": controller,
        "verificationMethod": [
            {"id": f"{controller}#k", "type": "Multikey", "controller": controller, "publicKeyMultibase": VECTOR_MB}
        ],
        "assertionMethod": ["#k"],
    }
    registry = DidResolverRegistry({}, local_documents={controller: document})
    method = await registry.dereference_verification_method(f"{controller}#k")
    assert method.relationships == frozenset({"assertionMethod"})
    with pytest.raises(MethodNotSupported):
        await registry.dereference_verification_method("http://localhost:8000/issuers/2#k")


async def test_fetch_body_keeps_media_type() -> None:
    response = httpx.Response(200, content=b"eyJ.e30.sig", headers={"content-type": "application/vc+jwt"})
    server = Server({("issuer.example", "/status/1"): response})
    policy = AddressPolicy(resolve_host=fake_dns({"issuer.example": [PUBLIC_IP]}))
    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    fetched = await fetch_body(client, "https://issuer.example/status/1", policy=policy)
    assert (fetched.body, fetched.content_type, fetched.url) == (
        b"eyJ.e30.sig",
        "application/vc+jwt",
        "https://issuer.example/status/1",
    )
    with pytest.raises(InvalidJson):
        await fetch_json(client, "https://issuer.example/status/1", policy=policy)


async def test_dereference_the_ob_test_vector_offline() -> None:
    registry = DidResolverRegistry({})
    method = await registry.dereference_verification_method(OB_VECTOR_VM)
    assert method.id == OB_VECTOR_VM
    assert method.type == "Multikey"
    assert method.controller == "https://example.edu/issuers/565049"
    assert method.public_key == bytes.fromhex(OB_VECTOR_PUBLIC_HEX)
    assert method.relationships == frozenset({"assertionMethod"})


async def test_dereference_did_key_and_did_jwk() -> None:
    registry = default_registry(httpx.AsyncClient(transport=httpx.MockTransport(Server({}))))
    method = await registry.dereference_verification_method(f"{VECTOR_DID}#{VECTOR_MB}")
    assert method.public_key == decode_public_key_multibase(VECTOR_MB)
    assert {"assertionMethod", "authentication"} <= method.relationships
    did = did_jwk_from_jwk(public_jwk_of(generate_p256_jwk()))
    jwk_method = await registry.dereference_verification_method(f"{did}#0")
    assert jwk_method.public_key_jwk == decode_did_jwk(did) and jwk_method.type == "JsonWebKey2020"
    with pytest.raises(VerificationMethodNotFound):
        await registry.dereference_verification_method(f"{VECTOR_DID}#other")


async def test_dereference_did_web_reports_relationships() -> None:
    server = Server({("issuer.example", "/.well-known/did.json"): ok(web_document())})
    registry = DidResolverRegistry({"web": web_resolver(server)})
    asserting = await registry.dereference_verification_method(f"{WEB_DID}#key-1")
    assert asserting.relationships == frozenset({"assertionMethod"})
    authenticating = await registry.dereference_verification_method(f"{WEB_DID}#auth")
    assert authenticating.relationships == frozenset({"authentication"})
    assert len(server.requests) == 1


async def test_dereference_embedded_method_and_jwk_method() -> None:
    jwk = public_jwk_of(generate_p256_jwk())
    embedded = {"id": f"{WEB_DID}#jwk", "type": "JsonWebKey", "controller": WEB_DID, "publicKeyJwk": jwk}
    document = {**web_document(), "assertionMethod": ["#key-1", embedded]}
    server = Server({("issuer.example", "/.well-known/did.json"): ok(document)})
    method = await DidResolverRegistry({"web": web_resolver(server)}).dereference_verification_method(f"{WEB_DID}#jwk")
    assert method.public_key_jwk == jwk and method.relationships == frozenset({"assertionMethod"})


@pytest.mark.parametrize("url", [VECTOR_DID, "#key-1", f"{VECTOR_DID}#", f"{VECTOR_DID}/path#x", "urn:x:y#z"])
async def test_dereference_invalid_urls(url: str) -> None:
    with pytest.raises(InvalidDidUrl):
        await DidResolverRegistry({"key": DidKeyResolver()}).dereference_verification_method(url)


def https_registry(document: dict[str, Any], **kwargs: Any) -> tuple[DidResolverRegistry, Server]:
    server = Server({("example.edu", "/issuers/1"): ok(document)})
    policy = AddressPolicy(resolve_host=fake_dns({"example.edu": [PUBLIC_IP]}))
    fetcher = HttpsDocumentResolver(httpx.AsyncClient(transport=httpx.MockTransport(server)), policy)
    return DidResolverRegistry({}, controller_documents=fetcher, **kwargs), server


async def test_https_controller_document() -> None:
    controller = "https://example.edu/issuers/1"
    document = {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": controller,
        "verificationMethod": [
            {"id": f"{controller}#a", "type": "Multikey", "controller": controller, "publicKeyMultibase": VECTOR_MB},
            {"id": f"{controller}#b", "type": "Multikey", "controller": controller, "publicKeyMultibase": VECTOR_MB},
            {
                "id": f"{controller}#c",
                "type": "Multikey",
                "controller": "https://other.example/",
                "publicKeyMultibase": VECTOR_MB,
            },
        ],
        "assertionMethod": [f"{controller}#a"],
    }
    registry, _ = https_registry(document, fragment_keys=False)
    assert (await registry.dereference_verification_method(f"{controller}#a")).relationships == {"assertionMethod"}
    # Listed as a method but not under assertionMethod: reported, the proof-purpose check decides.
    assert (await registry.dereference_verification_method(f"{controller}#b")).relationships == frozenset()
    with pytest.raises(InvalidDidDocument):
        await registry.dereference_verification_method(f"{controller}#c")
    with pytest.raises(InvalidDidDocument):
        await https_registry({**document, "id": "https://example.edu/other"})[0].dereference_verification_method(
            f"{controller}#a"
        )


async def test_fragment_keys_can_be_turned_off() -> None:
    registry, server = https_registry({"id": "https://example.edu/issuers/565049"}, fragment_keys=False)
    with pytest.raises(DidNotFound):
        await registry.dereference_verification_method(OB_VECTOR_VM)
    assert server.requests[0].headers["host"] == "example.edu"


async def test_https_without_fetcher_or_plain_http_is_refused() -> None:
    with pytest.raises(MethodNotSupported):
        await DidResolverRegistry({}).dereference_verification_method("https://example.edu/issuers/1#key")
    registry, server = https_registry({})
    with pytest.raises(InvalidDidUrl):
        await registry.dereference_verification_method("http://example.edu/issuers/1#key")
    assert server.requests == []


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ({"type": "Multikey", "publicKeyMultibase": "zQ3sh"}, "unsupportedPublicKeyType"),
        ({"type": "Multikey", "publicKeyMultibase": "f00"}, "invalidPublicKey"),
        ({"type": "Multikey"}, "invalidPublicKey"),
        (
            {"type": "JsonWebKey2020", "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "a", "d": "b"}},
            "invalidPublicKey",
        ),
        ({"type": "EcdsaSecp256k1VerificationKey2019"}, "unsupportedPublicKeyType"),
    ],
)
async def test_unusable_key_material(method: dict[str, Any], code: str) -> None:
    document = {**web_document(), "verificationMethod": [{"id": "#key-1", "controller": WEB_DID, **method}]}
    server = Server({("issuer.example", "/.well-known/did.json"): ok(document)})
    with pytest.raises(Exception) as caught:
        await DidResolverRegistry({"web": web_resolver(server)}).dereference_verification_method(f"{WEB_DID}#key-1")
    assert caught.value.code == code  # type: ignore[attr-defined]
