"""did:key Method v0.7 "Document Creation Algorithm" for Ed25519: a DID document made from the key, offline.

`did:key:<mb>` where mb = "z" + base58btc(0xed 0x01 || 32-byte key). The document has one verification method,
`did:key:<mb>#<mb>`, referenced from authentication, assertionMethod, capabilityInvocation and
capabilityDelegation (no X25519 keyAgreement is derived).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from credentials.did.resolver import (
    InvalidDid,
    InvalidPublicKeyLength,
    UnsupportedPublicKeyType,
    parse_did,
)
from credentials.keys import ED25519_PUB_PREFIX, InvalidMultibase, multibase_decode_z

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
KEY_TYPE_CONTEXTS = {
    "Multikey": "https://w3id.org/security/multikey/v1",
    "Ed25519VerificationKey2020": "https://w3id.org/security/suites/ed25519-2020/v1",
}
DidKeyVerificationMethodType = Literal["Multikey", "Ed25519VerificationKey2020"]
_ED25519_KEY_LENGTH = 32
_KEY_RELATIONSHIPS = ("authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation")


def decode_did_key(did: str) -> bytes:
    """did:key "Decode Public Key Algorithm": the 32 raw Ed25519 key bytes of a did:key DID."""
    method, multibase = parse_did(did)
    if method != "key":
        raise InvalidDid(f"{did!r} is not a did:key DID")
    if not multibase.startswith("z"):
        raise InvalidDid("a did:key multibase value must start with 'z' (base58btc)")
    try:
        raw = multibase_decode_z(multibase)
    except InvalidMultibase as exc:
        raise InvalidDid(f"{did!r}: {exc}") from exc
    if raw[:2] != ED25519_PUB_PREFIX:
        raise UnsupportedPublicKeyType("only Ed25519 did:key values (multicodec 0xed01) are supported")
    if len(raw) - 2 != _ED25519_KEY_LENGTH:
        raise InvalidPublicKeyLength(f"an Ed25519 key is {_ED25519_KEY_LENGTH} bytes, not {len(raw) - 2}")
    return raw[2:]


def did_key_document(did: str, *, key_type: DidKeyVerificationMethodType = "Multikey") -> dict[str, Any]:
    """did:key "Document Creation Algorithm": the expanded DID document of an Ed25519 did:key."""
    decode_did_key(did)
    multibase = did.removeprefix("did:key:")
    method_id = f"{did}#{multibase}"
    method = {"id": method_id, "type": key_type, "controller": did, "publicKeyMultibase": multibase}
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, KEY_TYPE_CONTEXTS[key_type]],
        "id": did,
        "verificationMethod": [method],
    }
    document.update({relationship: [method_id] for relationship in _KEY_RELATIONSHIPS})
    return document


@dataclass(frozen=True, slots=True)
class DidKeyResolver:
    """DID Resolution (Resolving a DID) for did:key: purely generative, never touches the network."""

    key_type: DidKeyVerificationMethodType = "Multikey"

    async def resolve(self, did: str) -> dict[str, Any]:
        return did_key_document(did, key_type=self.key_type)
