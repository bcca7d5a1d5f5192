"""DID Resolution v0.3 (Resolving a DID, Dereferencing a DID URL), CID 1.0 §3.3 "Retrieve Verification Method".

A registry maps DID method names to resolvers, caches resolved documents for a bounded time, and dereferences
verification method URLs: DID URLs through the methods, HTTPS URLs through a controlled-identifier document
fetcher (or, as the 1EdTech OB test vector does, from a fragment that is itself an Ed25519 publicKeyMultibase).
Errors carry the DID Resolution error names as `code`; `transient` marks failures a retry may cure.
"""

from __future__ import annotations

import copy
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from credentials.keys import (
    KeyMaterialError,
    UnsupportedKeyType,
    VerificationMethod,
    decode_public_key_multibase,
    jwk_to_verification_method,
)

DEFAULT_TTL = 300.0
DEFAULT_MAX_TTL = 3600.0
DEFAULT_MAX_ENTRIES = 1024
VERIFICATION_RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)
MULTIBASE_KEY_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})
JWK_KEY_TYPES = frozenset({"JsonWebKey2020", "JsonWebKey"})
# DID Core §3.1: did:<method-name>:<method-specific-id>; a DID URL's path, query and fragment are not part of it.
_DID = re.compile(r"did:([a-z0-9]+):((?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}))")

LocalDocuments = Mapping[str, Mapping[str, Any]] | Callable[[str], Mapping[str, Any] | None]
"""The service's own documents by identifier (DID or URL), consulted before any method or network."""


class DidResolutionError(Exception):
    """Base of resolution and dereferencing errors; `code` is the DID Resolution error name."""

    code = "internalError"
    transient = False


class InvalidDid(DidResolutionError):
    code = "invalidDid"


class InvalidDidUrl(DidResolutionError):
    code = "invalidDidUrl"


class MethodNotSupported(DidResolutionError):
    code = "methodNotSupported"


class DidNotFound(DidResolutionError):
    code = "notFound"


class VerificationMethodNotFound(DidResolutionError):
    """The document resolved but has no verification method with the requested id."""

    code = "notFound"


class InvalidDidDocument(DidResolutionError):
    """The document is not a usable DID/controlled-identifier document (e.g. its `id` is not the DID)."""

    code = "invalidDidDocument"


class InvalidPublicKey(DidResolutionError):
    code = "invalidPublicKey"


class InvalidPublicKeyLength(DidResolutionError):
    code = "invalidPublicKeyLength"


class UnsupportedPublicKeyType(DidResolutionError):
    code = "unsupportedPublicKeyType"


class ResolutionFailed(DidResolutionError):
    """Retrieval failed (network, timeout, size, address policy); `reason` is the http module's error code."""

    code = "internalError"

    def __init__(self, message: str, *, reason: str, transient: bool) -> None:
        super().__init__(message)
        self.reason = reason
        self.transient = transient


@dataclass(frozen=True, slots=True)
class ResolutionResult:
    """A resolved document and how long it may be reused (seconds; None means the registry's default)."""

    document: dict[str, Any]
    max_age: float | None = None


class DidResolver(Protocol):
    """DID Resolution (Resolving a DID): one DID method's resolve function."""

    async def resolve(self, did: str) -> dict[str, Any]: ...


@runtime_checkable
class MetadataDidResolver(Protocol):
    """A resolver that also reports caching metadata (did:web passes on Cache-Control max-age)."""

    async def resolve_with_metadata(self, did: str) -> ResolutionResult: ...


def parse_did(did: str) -> tuple[str, str]:
    """DID Core §3.1: (method name, method-specific id) of a plain DID; DID URLs and bad syntax are invalidDid."""
    match = _DID.fullmatch(did) if isinstance(did, str) else None
    if match is None:
        raise InvalidDid(f"{did!r} is not a DID (did:<method>:<id>, no path, query or fragment)")
    return match.group(1), match.group(2)


def check_document_id(document: Any, identifier: str) -> dict[str, Any]:
    """did:web §3.2 (Read) step 7 and CID 1.0 §3.3: the document is a JSON object whose `id` is the identifier."""
    if not isinstance(document, dict):
        raise InvalidDidDocument(f"the document for {identifier} is not a JSON object")
    if document.get("id") != identifier:
        raise InvalidDidDocument(f"the document's id {document.get('id')!r} is not {identifier!r}")
    return document


def _absolute(ref: str, document_id: str) -> str:
    # DID Core §3.2.2: relative DID URLs (here only fragments are meaningful) resolve against the document id.
    return document_id + ref if ref.startswith("#") else ref


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _method_objects(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Verification methods listed in `verificationMethod` and those embedded in relationship arrays."""
    for name in ("verificationMethod", *VERIFICATION_RELATIONSHIPS):
        for entry in _as_list(document.get(name)):
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                yield entry


def relationships_of(document: Mapping[str, Any], method_id: str) -> frozenset[str]:
    """DID Core §5.3: the relationships that reference `method_id`, by (possibly relative) id or embedded."""
    found = set()
    for name in VERIFICATION_RELATIONSHIPS:
        for entry in _as_list(document.get(name)):
            ref = entry.get("id") if isinstance(entry, Mapping) else entry
            if isinstance(ref, str) and _absolute(ref, document["id"]) == method_id:
                found.add(name)
    return frozenset(found)


def find_verification_method(document: Mapping[str, Any], method_id: str) -> VerificationMethod:
    """CID 1.0 §3.3 / DID Resolution (Dereferencing a DID URL): method `method_id` of a document, with its key."""
    document_id = document["id"]
    entry = next((e for e in _method_objects(document) if _absolute(e["id"], document_id) == method_id), None)
    if entry is None:
        raise VerificationMethodNotFound(f"{document_id} has no verification method {method_id}")
    controller = entry.get("controller")
    if not isinstance(controller, str):
        raise InvalidDidDocument(f"verification method {method_id} has no controller")
    return verification_method_from_entry(
        entry, method_id=method_id, controller=controller, relationships=relationships_of(document, method_id)
    )


def verification_method_from_entry(
    entry: Mapping[str, Any], *, method_id: str, controller: str, relationships: frozenset[str]
) -> VerificationMethod:
    """CID 1.0 §2.2.2 Multikey / §2.2.3 JsonWebKey (and Ed25519VerificationKey2020): decode the public key."""
    kind = entry.get("type")
    try:
        if kind in MULTIBASE_KEY_TYPES:
            multibase = entry.get("publicKeyMultibase")
            if not isinstance(multibase, str):
                raise InvalidPublicKey(f"{method_id} has no publicKeyMultibase string")
            raw = decode_public_key_multibase(multibase)
            return VerificationMethod(method_id, kind, controller, raw, None, relationships)
        if kind in JWK_KEY_TYPES:
            return jwk_to_verification_method(
                entry.get("publicKeyJwk"),
                id=method_id,
                controller=controller,
                type=kind,
                relationships=relationships,
            )
    except UnsupportedKeyType as exc:
        raise UnsupportedPublicKeyType(f"{method_id}: {exc}") from exc
    except KeyMaterialError as exc:
        raise InvalidPublicKey(f"{method_id}: {exc}") from exc
    raise UnsupportedPublicKeyType(f"{method_id} has unsupported verification method type {kind!r}")


@dataclass(slots=True)
class _CacheEntry:
    expires_at: float
    document: dict[str, Any]


async def _resolve_with_metadata(resolver: DidResolver, identifier: str) -> ResolutionResult:
    if isinstance(resolver, MetadataDidResolver):
        return await resolver.resolve_with_metadata(identifier)
    return ResolutionResult(await resolver.resolve(identifier))


def _split_method_url(url: str) -> tuple[str, str]:
    base, hash_sign, fragment = url.partition("#") if isinstance(url, str) else ("", "", "")
    if not base or not hash_sign or not fragment:
        raise InvalidDidUrl(f"{url!r} is not a verification method URL (<DID or https URL>#<fragment>)")
    return base, fragment


def _fragment_key(base: str, fragment: str, url: str) -> VerificationMethod | None:
    """1EdTech OB 3.0 test vector form `<controller>#<publicKeyMultibase>`: the key is the fragment itself."""
    try:
        raw = decode_public_key_multibase(fragment)
    except KeyMaterialError:
        return None
    return VerificationMethod(url, "Multikey", base, raw, None, frozenset({"assertionMethod"}))


class DidResolverRegistry:
    """DID Resolution (Resolving a DID) over the configured methods, with a bounded TTL cache and dereferencing.

    `fragment_keys` accepts `https://issuer#z6Mk...` as a key without any document. That is what the 1EdTech
    validator and the OB test vector do, but it binds nothing to the URL: anyone can name any https controller
    with their own key, so a verifier relying on it learns only "signed by this key", not "by that issuer".
    """

    def __init__(
        self,
        methods: Mapping[str, DidResolver],
        *,
        controller_documents: DidResolver | None = None,
        local_documents: LocalDocuments | None = None,
        fragment_keys: bool = True,
        clock: Callable[[], float] = time.monotonic,
        ttl: float = DEFAULT_TTL,
        max_ttl: float = DEFAULT_MAX_TTL,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        self._methods = dict(methods)
        self._controller_documents = controller_documents
        self._local_documents = local_documents
        self._fragment_keys = fragment_keys
        self._clock = clock
        self._ttl = ttl
        self._max_ttl = max_ttl
        self._max_entries = max_entries
        self._cache: OrderedDict[str, _CacheEntry] = OrderedDict()

    @property
    def methods(self) -> frozenset[str]:
        return frozenset(self._methods)

    async def resolve(self, did: str) -> dict[str, Any]:
        """DID Resolution (Resolving a DID): the DID document of `did` (a copy; callers may change it freely)."""
        method, _ = parse_did(did)
        resolver = self._methods.get(method)
        if resolver is None:
            raise MethodNotSupported(f"DID method {method!r} is not supported")
        return await self._cached(did, resolver)

    async def dereference_verification_method(self, url: str) -> VerificationMethod:
        """CID 1.0 §3.3 Retrieve Verification Method: the key, controller and relationships behind `url`."""
        base, fragment = _split_method_url(url)
        if base.startswith("did:"):
            if not _DID.fullmatch(base):
                raise InvalidDidUrl(f"{url!r}: DID URL paths and queries are not supported")
            return find_verification_method(await self.resolve(base), url)
        if not base.startswith(("https://", "http://")):
            raise InvalidDidUrl(f"{url!r} is neither a DID URL nor an http(s) URL")
        method = _fragment_key(base, fragment, url) if self._fragment_keys else None
        if method is not None:
            return method
        method = find_verification_method(await self._cached(base, self._controller_documents), url)
        if method.controller != base:
            # CID 1.0 §3.3: a controlled identifier document only speaks for keys it controls itself.
            raise InvalidDidDocument(f"{url} is controlled by {method.controller}, not by {base}")
        return method

    def _local(self, identifier: str) -> dict[str, Any] | None:
        source = self._local_documents
        if source is None:
            return None
        document = source(identifier) if callable(source) else source.get(identifier)
        return None if document is None else check_document_id(copy.deepcopy(dict(document)), identifier)

    async def _cached(self, identifier: str, resolver: DidResolver | None) -> dict[str, Any]:
        local = self._local(identifier)
        if local is not None:
            return local
        if resolver is None:
            raise MethodNotSupported(f"no resolver is configured for {identifier}")
        entry = self._cache.get(identifier)
        if entry is not None and entry.expires_at > self._clock():
            self._cache.move_to_end(identifier)
            return copy.deepcopy(entry.document)
        result = await _resolve_with_metadata(resolver, identifier)
        self._store(identifier, result)
        return copy.deepcopy(result.document)

    def _store(self, identifier: str, result: ResolutionResult) -> None:
        ttl = min(self._ttl if result.max_age is None else result.max_age, self._max_ttl)
        self._cache.pop(identifier, None)
        if ttl <= 0 or self._max_entries <= 0:
            return
        self._cache[identifier] = _CacheEntry(self._clock() + ttl, result.document)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
