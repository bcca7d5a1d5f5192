"""did:jwk Method Specification, operations Create and Read: a DID that is the base64url JSON of a public JWK.

The document has one verification method `<did>#0` of type JsonWebKey2020. Its relationships follow the JWK's
`use`: "sig" -> all but keyAgreement, "enc" -> keyAgreement only, absent -> all five.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from credentials.did.resolver import InvalidDid, parse_did
from credentials.keys import (
    InvalidMultibase,
    KeyMaterialError,
    b64url,
    b64url_decode,
    check_public_jwk,
    load_public_jwk,
)

DID_JWK_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1")
_SIGNING = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")
_B64URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def did_jwk_from_jwk(jwk: Any) -> str:
    """did:jwk (Create): `did:jwk:` + base64url(UTF-8 JSON of the public JWK); private members are refused."""
    public = check_public_jwk(jwk)
    load_public_jwk(public)
    return "did:jwk:" + b64url(json.dumps(public, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def decode_did_jwk(did: str) -> dict[str, Any]:
    """did:jwk (Read) steps 1-3: the public JWK a did:jwk DID encodes (strict base64url, JSON object, public)."""
    method, encoded = parse_did(did)
    if method != "jwk" or not set(encoded) <= _B64URL_CHARS:
        raise InvalidDid(f"{did!r} is not a did:jwk DID with a base64url method-specific id")
    try:
        raw = b64url_decode(encoded)
        if b64url(raw) != encoded:
            raise InvalidMultibase("not canonical base64url")
        jwk = json.loads(raw.decode("utf-8"))
        public = check_public_jwk(jwk)
        load_public_jwk(public)
    except (KeyMaterialError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidDid(f"{did!r} does not encode a usable public JWK: {exc}") from exc
    return public


def did_jwk_document(did: str) -> dict[str, Any]:
    """did:jwk (Read) step 4: the DID document with the single `#0` JsonWebKey2020 verification method."""
    jwk = decode_did_jwk(did)
    method_id = f"{did}#0"
    method = {"id": method_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
    use = jwk.get("use")
    relationships = _SIGNING if use == "sig" else ("keyAgreement",) if use == "enc" else (*_SIGNING, "keyAgreement")
    document: dict[str, Any] = {"@context": list(DID_JWK_CONTEXTS), "id": did, "verificationMethod": [method]}
    document.update({relationship: [method_id] for relationship in relationships})
    return document


@dataclass(frozen=True, slots=True)
class DidJwkResolver:
    """DID Resolution (Resolving a DID) for did:jwk: decoding only, never touches the network."""

    async def resolve(self, did: str) -> dict[str, Any]:
        return did_jwk_document(did)
