"""DID Resolution v0.3 for did:key, did:jwk and did:web, plus CID 1.0 https controller documents.

`default_registry` wires the three methods into one `DidResolverRegistry`; nothing is built at import time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from credentials.did.jwk import DidJwkResolver, decode_did_jwk, did_jwk_document, did_jwk_from_jwk
from credentials.did.key import DidKeyResolver, DidKeyVerificationMethodType, decode_did_key, did_key_document
from credentials.did.resolver import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_TTL,
    DEFAULT_TTL,
    DidNotFound,
    DidResolutionError,
    DidResolver,
    DidResolverRegistry,
    InvalidDid,
    InvalidDidDocument,
    InvalidDidUrl,
    InvalidPublicKey,
    InvalidPublicKeyLength,
    LocalDocuments,
    MethodNotSupported,
    ResolutionFailed,
    ResolutionResult,
    UnsupportedPublicKeyType,
    VerificationMethodNotFound,
    find_verification_method,
    parse_did,
)
from credentials.did.web import DidWebResolver, HttpsDocumentResolver, did_web_to_url
from credentials.http import AddressPolicy

__all__ = [
    "DidJwkResolver",
    "DidKeyResolver",
    "DidNotFound",
    "DidResolutionError",
    "DidResolver",
    "DidResolverRegistry",
    "DidWebResolver",
    "HttpsDocumentResolver",
    "InvalidDid",
    "InvalidDidDocument",
    "InvalidDidUrl",
    "InvalidPublicKey",
    "InvalidPublicKeyLength",
    "LocalDocuments",
    "MethodNotSupported",
    "ResolutionFailed",
    "ResolutionResult",
    "UnsupportedPublicKeyType",
    "VerificationMethodNotFound",
    "decode_did_jwk",
    "decode_did_key",
    "default_registry",
    "did_jwk_document",
    "did_jwk_from_jwk",
    "did_key_document",
    "did_web_to_url",
    "find_verification_method",
    "parse_did",
]


def default_registry(
    client: httpx.AsyncClient,
    *,
    policy: AddressPolicy | None = None,
    local_documents: LocalDocuments | None = None,
    did_key_type: DidKeyVerificationMethodType = "Multikey",
    fragment_keys: bool = True,
    clock: Callable[[], float] = time.monotonic,
    ttl: float = DEFAULT_TTL,
    max_ttl: float = DEFAULT_MAX_TTL,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> DidResolverRegistry:
    """DID Resolution v0.3 (Resolving a DID): did:key, did:jwk, did:web and https controller documents."""
    policy = policy or AddressPolicy()
    return DidResolverRegistry(
        {"key": DidKeyResolver(did_key_type), "jwk": DidJwkResolver(), "web": DidWebResolver(client, policy)},
        controller_documents=HttpsDocumentResolver(client, policy),
        local_documents=local_documents,
        fragment_keys=fragment_keys,
        clock=clock,
        ttl=ttl,
        max_ttl=max_ttl,
        max_entries=max_entries,
    )
