"""did:web Method Specification §3.2 (Read): DID documents over HTTPS, and CID 1.0 documents at https URLs.

`did:web:<domain>[%3A<port>][:<path>]*` maps to `https://<domain>[:<port>]/<path>/did.json`, or to
`/.well-known/did.json` without a path. Retrieval goes through `credentials.http.fetch_json` (time limit, byte
cap, redirect limit, address policy); the document's `id` must be the DID.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import unquote

import httpx

from credentials.did.resolver import (
    DidNotFound,
    DidResolutionError,
    InvalidDid,
    InvalidDidDocument,
    InvalidDidUrl,
    ResolutionFailed,
    ResolutionResult,
    check_document_id,
    parse_did,
)
from credentials.http import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT,
    AddressPolicy,
    FetchError,
    HttpStatusError,
    InvalidJson,
    fetch_json,
)

_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_PATH_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+")
_PORT_SEPARATOR = re.compile("%3a", re.IGNORECASE)
_DID_CONTEXT_PREFIX = "https://www.w3.org/ns/did/v1"


def _check_host(host: str) -> None:
    """did:web (Method-Specific Identifier): a domain name; IP addresses are refused (no name for TLS to check)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise InvalidDid(f"did:web hosts must be domain names, not IP addresses ({host})")
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidDid(f"{host!r} is not a valid domain name")
    if labels[-1].isdigit():
        # WHATWG URL parsing treats a numeric last label as an IPv4 address (e.g. "1.2.3.4." or "0.1").
        raise InvalidDid(f"{host!r} looks like an IPv4 address, not a domain name")


def _split_port(domain: str) -> tuple[str, str]:
    host, *port = _PORT_SEPARATOR.split(domain)
    if not port:
        return host, ""
    if len(port) > 1 or not port[0].isdigit() or not 0 < int(port[0]) < 65536:
        raise InvalidDid(f"{domain!r} does not end in a valid %3A-encoded port")
    return host, port[0]


def did_web_to_url(did: str) -> str:
    """did:web §3.2 steps 1-5: the https URL of the DID document of `did`."""
    method, specific_id = parse_did(did)
    if method != "web":
        raise InvalidDid(f"{did!r} is not a did:web DID")
    domain, *path = specific_id.split(":")
    host, port = _split_port(domain)
    _check_host(host)
    for segment in path:
        if not _PATH_SEGMENT.fullmatch(segment) or unquote(segment) in (".", ".."):
            raise InvalidDid(f"{did!r} has an invalid path segment {segment!r}")
    authority = f"{host}:{port}" if port else host
    return f"https://{authority}/{'/'.join(path) if path else '.well-known'}/did.json"


def _check_did_context(document: dict[str, Any]) -> None:
    """did:web §3.2: a document with @context is JSON-LD and must use the DID context (v1 or v1.1)."""
    if "@context" not in document:
        return
    contexts = document["@context"] if isinstance(document["@context"], list) else [document["@context"]]
    if not any(isinstance(c, str) and c.startswith(_DID_CONTEXT_PREFIX) for c in contexts):
        raise InvalidDidDocument(f"the document of {document.get('id')} does not use the DID context")


def _resolution_error(exc: FetchError, url: str) -> DidResolutionError:
    if isinstance(exc, HttpStatusError) and exc.status_code in (404, 410):
        return DidNotFound(f"{url} answered HTTP {exc.status_code}")
    if isinstance(exc, InvalidJson):
        return InvalidDidDocument(str(exc))
    return ResolutionFailed(str(exc), reason=exc.code, transient=exc.transient)


@dataclass(frozen=True, slots=True)
class HttpsDocumentResolver:
    """CID 1.0 §3.3 step "dereference the controller document URL": a JSON document whose `id` is its URL."""

    client: httpx.AsyncClient
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    accept: ClassVar[str] = "application/ld+json, application/json;q=0.9"

    async def resolve(self, identifier: str) -> dict[str, Any]:
        return (await self.resolve_with_metadata(identifier)).document

    async def resolve_with_metadata(self, identifier: str) -> ResolutionResult:
        if not identifier.startswith("https://") or "#" in identifier:
            raise InvalidDidUrl(f"{identifier!r} is not an https document URL without fragment")
        return await self._fetch_document(identifier, identifier)

    async def _fetch_document(self, url: str, identifier: str) -> ResolutionResult:
        try:
            fetched = await fetch_json(
                self.client,
                url,
                policy=self.policy,
                max_bytes=self.max_bytes,
                timeout=self.timeout,
                max_redirects=self.max_redirects,
                accept=self.accept,
            )
        except FetchError as exc:
            raise _resolution_error(exc, url) from exc
        return ResolutionResult(check_document_id(fetched.data, identifier), fetched.max_age)


@dataclass(frozen=True, slots=True)
class DidWebResolver(HttpsDocumentResolver):
    """did:web §3.2 (Read) as a DID resolver, passing Cache-Control max-age on to the registry's cache."""

    accept: ClassVar[str] = "application/did+json, application/did+ld+json, application/json;q=0.9"

    async def resolve_with_metadata(self, identifier: str) -> ResolutionResult:
        result = await self._fetch_document(did_web_to_url(identifier), identifier)
        _check_did_context(result.document)
        return result
