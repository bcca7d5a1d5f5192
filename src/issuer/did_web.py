"""did:web Method Specification §3.1 (Create): the service's own did:web identifiers, from its public base URL.

The base URL `https://badges.example.edu` gives issuer DIDs `did:web:badges.example.edu:issuers:<uuid>`, whose
documents did:web §3.2 (Read) finds at `https://badges.example.edu/issuers/<uuid>/did.json`, which is where the
service serves them. A port becomes `%3A<port>` and a path prefix more colon-separated segments
(`https://example.edu:8443/badges` -> `did:web:example.edu%3A8443:badges:issuers:<uuid>`).

did:web documents are only ever fetched over https. A plain-http base URL (development) still gets did:web
identifiers, but only Credstack resolves them, from its own database (issuer.did_documents.local_documents).
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from credentials.did import DidResolutionError, did_web_to_url

ISSUERS_PATH = "issuers"
_DEFAULT_PORTS = {"https": 443, "http": 80}


class InvalidBaseUrl(ValueError):
    """CREDSTACK_BASE_URL cannot carry did:web identifiers: a configuration error, reported at start-up."""


@dataclass(frozen=True, slots=True)
class PublicBase:
    """The service's public base URL (no trailing slash) and the did:web prefix it implies."""

    url: str
    did_prefix: str

    @classmethod
    def parse(cls, base_url: str) -> PublicBase:
        """did:web §3.1: host (IDNA, lower case), `%3A`-encoded non-default port, then the path's segments.

        `url` is the normalized form (IDNA host, no default port, no trailing slash), so that did:web resolution of
        every issuer DID gives exactly the URL this service serves its document at.
        """
        parts = urlsplit(base_url.strip())
        if parts.scheme not in _DEFAULT_PORTS:
            raise InvalidBaseUrl(f"the base URL must be http(s)://host[:port][/path], not {base_url!r}")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise InvalidBaseUrl("the base URL must not hold credentials, a query or a fragment")
        try:
            port = parts.port
        except ValueError as exc:
            raise InvalidBaseUrl(f"the base URL has an invalid port: {exc}") from exc
        host = _host(parts.hostname)
        port_text = "" if port is None or port == _DEFAULT_PORTS[parts.scheme] else str(port)
        segments = [_did_segment(unquote(segment)) for segment in parts.path.split("/") if segment]
        url = f"{parts.scheme}://{host}{':' + port_text if port_text else ''}{''.join('/' + s for s in segments)}"
        authority = f"{host}%3A{port_text}" if port_text else host
        base = cls(url=url, did_prefix=":".join(["did:web", authority, *segments]))
        if not _is_ip_address(host):
            base._check_domain()
        return base

    @property
    def is_https(self) -> bool:
        return self.url.startswith("https://")

    def issuer_did(self, issuer_id: uuid.UUID) -> str:
        return f"{self.did_prefix}:{ISSUERS_PATH}:{issuer_id}"

    def profile_url(self, issuer_id: uuid.UUID) -> str:
        return f"{self.url}/{ISSUERS_PATH}/{issuer_id}"

    def did_document_url(self, issuer_id: uuid.UUID) -> str:
        """Where this service serves the DID document: did:web §3.2 steps 1-5 of `issuer_did` for an https base."""
        return f"{self.profile_url(issuer_id)}/did.json"

    def _check_domain(self) -> None:
        # Every resolver must be able to read our DIDs: check them with the resolver Credstack ships.
        try:
            did_web_to_url(self.issuer_did(uuid.UUID(int=0)))
        except DidResolutionError as exc:
            raise InvalidBaseUrl(f"the base URL {self.url!r} cannot carry did:web identifiers: {exc}") from exc


def _host(hostname: str | None) -> str:
    if not hostname:
        raise InvalidBaseUrl("the base URL has no host")
    if ":" in hostname:
        raise InvalidBaseUrl("did:web cannot name an IPv6 address; use a host name")
    try:
        return hostname.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidBaseUrl(f"the base URL host {hostname!r} is not a valid domain name") from exc


def _did_segment(segment: str) -> str:
    """did:web §3.1: a path segment, percent-encoded so that only unreserved characters remain."""
    if segment in (".", ".."):
        raise InvalidBaseUrl("the base URL path must not contain '.' or '..' segments")
    return quote(segment, safe="")


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
