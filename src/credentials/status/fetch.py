"""Bitstring Status List v1.0 §3.2 (dereference statusListCredential) and §2.2 ttl: cached status list retrieval.

Status list credentials (and 1EdTech revocation lists) come through `credentials.http.fetch_body`, so the time
limit, byte cap, redirect limit and address policy apply. Documents are cached per URL (fragment removed) for
the shortest lifetime the publisher states (Cache-Control max-age, the list's `credentialSubject.ttl` in
milliseconds), or a default when it states none, never longer than a maximum; the cache is LRU-bounded and hands
out deep copies. Concurrent fetches of one URL share a single request. Only JSON lists are read: a VC-JWT list
would need its own proof check, so it is reported as a retrieval error instead of being half-trusted.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import httpx

from credentials.http import AddressPolicy, FetchError, HttpStatusError, fetch_body

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_MAX_TTL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TTL",
    "LocalStatusLists",
    "StatusListFetcher",
    "StatusRetrievalError",
    "strip_fragment",
]

# A 131,072-entry list is a few KB once compressed; 2 MiB leaves room for long multi-bit lists.
DEFAULT_MAX_BYTES: Final = 2 * 1024 * 1024
DEFAULT_TIMEOUT: Final = 5.0
DEFAULT_TTL: Final = 300.0
DEFAULT_MAX_TTL: Final = 86_400.0
DEFAULT_MAX_ENTRIES: Final = 256
_ACCEPT: Final = "application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8"
_COMPACT_JWS: Final = re.compile(rb"\s*[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\s*")
_SUMMARIES: Final = {
    "TIMEOUT": "timeout",
    "HOST_NOT_FOUND": "host not found",
    "NETWORK_ERROR": "network error",
    "ADDRESS_NOT_ALLOWED": "address not allowed",
    "INSECURE_URL": "not an https URL",
    "RESPONSE_TOO_LARGE": "response too large",
    "TOO_MANY_REDIRECTS": "too many redirects",
}


LocalStatusLists = Callable[[str], Mapping[str, Any] | None]
"""A status list URL (fragment removed) to the list credential the caller publishes itself, or None; may block."""


class StatusRetrievalError(Exception):
    """Bitstring Status List v1.0 §3.5 STATUS_RETRIEVAL_ERROR: the list could not be retrieved or read.

    `reason` is the underlying code (the http module's, e.g. TIMEOUT or HTTP_STATUS, or INVALID_JSON /
    UNSUPPORTED_FORMAT), `summary` a few words for people, and `transient` says a retry later may succeed.
    """

    code: ClassVar[str] = "STATUS_RETRIEVAL_ERROR"

    def __init__(self, message: str, *, url: str, reason: str, summary: str, transient: bool = False) -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason
        self.summary = summary
        self.transient = transient


def strip_fragment(url: str) -> str:
    """RFC 3986 §3.5: the fragment is not sent to the server, so it does not name a different document."""
    return url.partition("#")[0]


@dataclass(frozen=True, slots=True)
class _CacheEntry:
    expires_at: float
    document: dict[str, Any]


class StatusListFetcher:
    """Bitstring Status List v1.0 §3.2: dereference status list URLs, with a bounded TTL cache."""

    __slots__ = (
        "_cache",
        "_client",
        "_clock",
        "_default_ttl",
        "_in_flight",
        "_local",
        "_max_bytes",
        "_max_entries",
        "_max_ttl",
        "_policy",
        "_timeout",
    )

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        policy: AddressPolicy,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        default_ttl: float = DEFAULT_TTL,
        max_ttl: float = DEFAULT_MAX_TTL,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        local: LocalStatusLists | None = None,
    ) -> None:
        self._client = client
        self._local = local
        self._policy = policy
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._clock = clock
        self._default_ttl = default_ttl
        self._max_ttl = max_ttl
        self._max_entries = max_entries
        self._cache: OrderedDict[str, _CacheEntry] = OrderedDict()
        self._in_flight: dict[str, asyncio.Task[dict[str, Any]]] = {}

    async def fetch(self, url: str) -> dict[str, Any]:
        """Bitstring Status List v1.0 §3.2: the JSON object at `url` (a copy), or StatusRetrievalError."""
        key = strip_fragment(url)
        if self._local is not None:
            # Off the event loop: the port may read a database (and sign a list that changed).
            own = await asyncio.to_thread(self._local, key)
            if own is not None:
                return copy.deepcopy(dict(own))
        entry = self._cache.get(key)
        if entry is not None and entry.expires_at > self._clock():
            self._cache.move_to_end(key)
            return copy.deepcopy(entry.document)
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._retrieve(key))
            self._in_flight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        # shield: one caller giving up (cancelled) must not cancel the request other callers share.
        return copy.deepcopy(await asyncio.shield(task))

    def _forget(self, key: str, task: asyncio.Task[dict[str, Any]]) -> None:
        if self._in_flight.get(key) is task:
            del self._in_flight[key]
        if not task.cancelled():
            # Marks the exception as retrieved when every waiter was cancelled, so asyncio does not log it.
            task.exception()

    async def _retrieve(self, url: str) -> dict[str, Any]:
        try:
            fetched = await fetch_body(
                self._client, url, policy=self._policy, max_bytes=self._max_bytes, timeout=self._timeout, accept=_ACCEPT
            )
        except FetchError as exc:
            raise _retrieval_error(exc, url) from exc
        document = _parse_document(fetched.body, url)
        self._store(url, document, fetched.max_age)
        return document

    def _store(self, url: str, document: dict[str, Any], max_age: float | None) -> None:
        ttl = self._ttl(document, max_age)
        self._cache.pop(url, None)
        if ttl <= 0 or self._max_entries <= 0:
            return
        self._cache[url] = _CacheEntry(self._clock() + ttl, document)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)

    def _ttl(self, document: dict[str, Any], max_age: float | None) -> float:
        """The shortest lifetime the publisher states (HTTP or §2.2 ttl), else the default; capped at the maximum."""
        stated = [hint for hint in (max_age, _list_ttl(document)) if hint is not None]
        return min(min(stated) if stated else self._default_ttl, self._max_ttl)


def _list_ttl(document: dict[str, Any]) -> float | None:
    """Bitstring Status List v1.0 §2.2 ttl: milliseconds the list may be cached, as seconds; None if absent or bad."""
    subject = document.get("credentialSubject")
    ttl = subject.get("ttl") if isinstance(subject, dict) else None
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl < 0:
        return None
    return ttl / 1000.0


def _retrieval_error(exc: FetchError, url: str) -> StatusRetrievalError:
    if isinstance(exc, HttpStatusError):
        summary = f"HTTP {exc.status_code}"
    else:
        summary = _SUMMARIES.get(exc.code, exc.code.lower().replace("_", " "))
    return StatusRetrievalError(
        f"the status list at {url} could not be retrieved: {exc}",
        url=url,
        reason=exc.code,
        summary=summary,
        transient=exc.transient,
    )


def _parse_document(body: bytes, url: str) -> dict[str, Any]:
    if _COMPACT_JWS.fullmatch(body):
        raise StatusRetrievalError(
            f"the status list at {url} is a VC-JWT; only JSON status list credentials are supported",
            url=url,
            reason="UNSUPPORTED_FORMAT",
            summary="a VC-JWT, which is not supported",
        )
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: a small body of nested brackets still exhausts the parser's stack.
        raise StatusRetrievalError(
            f"the status list credential at {url} is not JSON: {exc}",
            url=url,
            reason="INVALID_JSON",
            summary="not JSON",
        ) from exc
    if not isinstance(document, dict):
        raise StatusRetrievalError(
            f"the status list credential at {url} is not a JSON object",
            url=url,
            reason="INVALID_JSON",
            summary="not a JSON object",
        )
    return document


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
