"""Credstack ARCHITECTURE "Habits" §2: bounded HTTPS retrieval of JSON (DID documents, key documents, status lists).

Everything remote that verification needs comes through `fetch_json`: HTTPS only, a total time limit, a byte cap
enforced while streaming, at most a few redirects, and an address policy checked on every hop. The policy resolves
the host itself and refuses private, loopback, link-local, multicast, reserved and unspecified addresses (also
when tunnelled in IPv6) unless the host is allow-listed; the request is then sent to the address that was checked
(the Host header and TLS SNI keep the name, so the certificate is still verified for the name), which closes the
DNS-rebinding gap between checking a name and connecting to it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BYTES = 256 * 1024
DEFAULT_MAX_REDIRECTS = 3
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)

HostResolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolves (host, port) to IP address strings; tests inject a fake, production uses `system_host_resolver`."""

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """Base of the retrieval errors; `code` is stable, `transient` says a retry later may succeed."""

    code = "FETCH_ERROR"
    transient = False


class InsecureUrl(FetchError):
    """The URL (or a redirect target) is not an absolute https URL."""

    code = "INSECURE_URL"


class AddressNotAllowed(FetchError):
    """The host resolves to an address the policy refuses (private, loopback, ...)."""

    code = "ADDRESS_NOT_ALLOWED"


class HostNotFound(FetchError):
    """The host name does not resolve."""

    code = "HOST_NOT_FOUND"
    transient = True


class FetchTimeout(FetchError):
    """The whole retrieval, redirects included, took longer than the time limit."""

    code = "TIMEOUT"
    transient = True


class NetworkError(FetchError):
    """Connecting or reading failed below HTTP (refused, reset, TLS failure)."""

    code = "NETWORK_ERROR"
    transient = True


class TooManyRedirects(FetchError):
    code = "TOO_MANY_REDIRECTS"


class ResponseTooLarge(FetchError):
    """The body (declared or streamed) exceeds the byte cap; reading stops at the cap."""

    code = "RESPONSE_TOO_LARGE"


class InvalidJson(FetchError):
    """The body is not UTF-8 JSON."""

    code = "INVALID_JSON"


class HttpStatusError(FetchError):
    """A final response outside 2xx; 5xx and 429 are transient."""

    code = "HTTP_STATUS"

    def __init__(self, status_code: int, url: str) -> None:
        super().__init__(f"GET {url} answered HTTP {status_code}")
        self.status_code = status_code
        self.transient = status_code >= 500 or status_code == 429


async def system_host_resolver(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo), run off the event loop by asyncio."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise HostNotFound(f"cannot resolve {host!r}: {exc}") from exc
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which hosts may be contacted: public addresses always, anything else only for hosts in `allow_hosts`."""

    allow_hosts: frozenset[str] = frozenset()
    resolve_host: HostResolver = field(default=system_host_resolver)

    def __post_init__(self) -> None:
        # Host names compare case-insensitively and without the root dot.
        object.__setattr__(self, "allow_hosts", frozenset(_normal_host(h) for h in self.allow_hosts))

    def allows_host(self, host: str) -> bool:
        return _normal_host(host) in self.allow_hosts


def _normal_host(host: str) -> str:
    return host.lower().rstrip(".")


@dataclass(frozen=True, slots=True)
class FetchedBody:
    """A retrieved body with the final URL (after redirects), its media type and Cache-Control max-age."""

    url: str
    body: bytes
    content_type: str | None
    max_age: float | None


@dataclass(frozen=True, slots=True)
class FetchedJson:
    """A retrieved JSON value with the final URL (after redirects) and the response's Cache-Control max-age."""

    url: str
    data: Any
    max_age: float | None


@dataclass(frozen=True, slots=True)
class _Limits:
    timeout: float
    max_bytes: int
    max_redirects: int
    accept: str


def is_public_address(address: IpAddress) -> bool:
    """True for a globally routable unicast address, looking through IPv4-mapped, 6to4 and Teredo IPv6 forms."""
    embedded: list[IpAddress] = []
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
        if address.teredo is not None:
            embedded.extend(address.teredo)
    if any(not is_public_address(inner) for inner in embedded):
        return False
    refused = (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
    # is_global also catches shared (100.64/10) and documentation ranges that is_private leaves out.
    return address.is_global and not refused


def cache_max_age(headers: Mapping[str, str]) -> float | None:
    """RFC 9111 §5.2.2: max-age from Cache-Control; no-store and no-cache mean 0 (do not reuse)."""
    value = headers.get("cache-control")
    if value is None:
        return None
    if re.search(r"(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)", value, re.IGNORECASE):
        return 0.0
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None


def _https_url(url: httpx.URL | str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InsecureUrl(f"{url!r} is not a valid URL") from exc
    if parsed.scheme != "https" or not parsed.host or parsed.userinfo:
        raise InsecureUrl(f"only https URLs without credentials are fetched, not {str(parsed)!r}")
    return parsed


def _redirect_target(url: httpx.URL, location: str) -> httpx.URL:
    try:
        return _https_url(url.join(location))
    except httpx.InvalidURL as exc:
        raise InsecureUrl(f"invalid redirect location {location!r}") from exc


async def _pinned_request(
    client: httpx.AsyncClient, url: httpx.URL, policy: AddressPolicy, limits: _Limits
) -> httpx.Request:
    """Build the request for one hop: to the checked address, or by name for an allow-listed host."""
    headers = {"Accept": limits.accept, "Accept-Encoding": "identity"}
    extensions: dict[str, Any] = {}
    target = url
    host = url.raw_host.decode("ascii")
    if not policy.allows_host(host):
        address = await _checked_address(host, url.port or 443, policy)
        target = url.copy_with(host=str(address))
        # The name travels in Host and SNI; "close" stops the pool from reusing this socket for another name
        # that happens to share the address (its certificate was only checked for this one).
        headers |= {"Host": url.netloc.decode("ascii"), "Connection": "close"}
        extensions["sni_hostname"] = host
    return client.build_request("GET", target, headers=headers, timeout=limits.timeout, extensions=extensions)


async def _checked_address(host: str, port: int, policy: AddressPolicy) -> IpAddress:
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    addresses = [literal] if literal is not None else [_parse_ip(a) for a in await policy.resolve_host(host, port)]
    if not addresses:
        raise HostNotFound(f"{host!r} has no addresses")
    # Every answer must be public: the connection could otherwise land on whichever one the OS prefers.
    refused = [str(a) for a in addresses if not is_public_address(a)]
    if refused:
        raise AddressNotAllowed(f"{host!r} resolves to non-public address(es) {refused}")
    return addresses[0]


def _parse_ip(text: str) -> IpAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError as exc:
        raise AddressNotAllowed(f"the resolver returned {text!r}, which is not an IP address") from exc


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"the response declares {declared} bytes; the cap is {max_bytes}")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise ResponseTooLarge(f"the response exceeds the cap of {max_bytes} bytes")
    return bytes(body)


def _parse_json(body: bytes, url: str) -> Any:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: a small body of nested brackets still exhausts the parser's stack.
        raise InvalidJson(f"{url} did not return UTF-8 JSON: {exc}") from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def _follow(client: httpx.AsyncClient, url: httpx.URL, policy: AddressPolicy, limits: _Limits) -> FetchedBody:
    for _ in range(limits.max_redirects + 1):
        request = await _pinned_request(client, url, policy, limits)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_STATUSES and location:
                url = _redirect_target(url, location)
                continue
            if not response.is_success:
                raise HttpStatusError(response.status_code, str(url))
            body = await _read_capped(response, limits.max_bytes)
        finally:
            await response.aclose()
        content_type = response.headers.get("content-type")
        return FetchedBody(str(url), body, content_type, cache_max_age(response.headers))
    raise TooManyRedirects(f"more than {limits.max_redirects} redirects")


async def fetch_body(
    client: httpx.AsyncClient,
    url: str,
    *,
    policy: AddressPolicy,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    accept: str = "application/json",
) -> FetchedBody:
    """ARCHITECTURE Habits §2: GET an https URL within the time, size, redirect and address limits.

    Raises a FetchError subclass; `timeout` bounds the whole retrieval, every redirect hop included.
    """
    limits = _Limits(timeout, max_bytes, max_redirects, accept)
    try:
        async with asyncio.timeout(timeout):
            return await _follow(client, _https_url(url), policy, limits)
    except TimeoutError as exc:
        raise FetchTimeout(f"GET {url} took longer than {timeout} s") from exc
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"GET {url} timed out: {exc}") from exc
    except httpx.HTTPError as exc:
        raise NetworkError(f"GET {url} failed: {exc}") from exc


async def fetch_json(
    client: httpx.AsyncClient,
    url: str,
    *,
    policy: AddressPolicy,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    accept: str = "application/json",
) -> FetchedJson:
    """ARCHITECTURE Habits §2: `fetch_body`, then the body as strict UTF-8 JSON (InvalidJson otherwise)."""
    fetched = await fetch_body(
        client, url, policy=policy, max_bytes=max_bytes, timeout=timeout, max_redirects=max_redirects, accept=accept
    )
    return FetchedJson(fetched.url, _parse_json(fetched.body, fetched.url), fetched.max_age)
