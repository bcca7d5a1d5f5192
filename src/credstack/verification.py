"""Composition of the verifier's ports from settings: HTTP client, DID resolvers, status fetcher, clock.

`verifier_ports` builds them for one run (the CLI); `service_verifier_ports` for the service's lifetime, with its own
issuers' DID documents and status lists read from its database (so a plain-http development base URL still works).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from credentials.did import LocalDocuments, default_registry
from credentials.http import AddressPolicy
from credentials.jsonld import ContextStore
from credentials.status.fetch import LocalStatusLists, StatusListFetcher
from credstack.settings import Settings
from issuer.did_documents import local_documents
from issuer.runtime import IssuerContext
from issuer.status_list_publishing import PublishingPorts, local_status_lists
from verifier.parse import Limits
from verifier.service import VerifierPorts


def utc_now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def verifier_ports(
    settings: Settings,
    *,
    offline: bool = False,
    allow_hosts: frozenset[str] = frozenset(),
    extra_contexts: Path | None = None,
    local_documents: LocalDocuments | None = None,
    local_status_lists: LocalStatusLists | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    contexts: ContextStore | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> AsyncIterator[VerifierPorts]:
    """Build the ports for one run; offline means no DID document or status list is fetched at all.

    `local_documents` answers for the service's own DIDs before any resolver (issuer.did_documents.local_documents),
    `local_status_lists` for the status lists it publishes (issuer.status_list_publishing.local_status_lists).
    `transport` replaces the network when not offline (tests pass an httpx.MockTransport).
    """
    if contexts is None:
        contexts = ContextStore.load(extra_dir=extra_contexts or settings.extra_contexts)
    policy = AddressPolicy(allow_hosts=settings.fetch_allow_hosts | allow_hosts)
    limits = Limits(max_json_bytes=settings.max_json_bytes, max_image_bytes=settings.max_image_bytes)
    async with httpx.AsyncClient(transport=_offline_transport() if offline else transport) as client:
        resolver = default_registry(client, policy=policy, local_documents=local_documents)
        strict = None
        if not offline:
            strict = default_registry(client, policy=policy, fragment_keys=False, local_documents=local_documents)
        fetcher = None if offline else StatusListFetcher(client, policy=policy, local=local_status_lists)
        yield VerifierPorts(
            contexts=contexts,
            resolver=resolver,
            strict_resolver=strict,
            status_fetcher=fetcher,
            clock=clock,
            limits=limits,
        )


@asynccontextmanager
async def service_verifier_ports(
    settings: Settings, issuer: IssuerContext, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[VerifierPorts]:
    """The service's verifier: `verifier_ports` with local answers for the service's own DIDs and status lists."""
    contexts = issuer.contexts or ContextStore.load(extra_dir=settings.extra_contexts)
    publishing = PublishingPorts(
        sessions=issuer.sessions,
        contexts=contexts,
        master=issuer.require_master_key(),
        base_url=settings.base_url,
        clock=issuer.clock,
    )
    async with verifier_ports(
        settings,
        local_documents=local_documents(issuer.sessions),
        local_status_lists=local_status_lists(publishing),
        transport=transport,
        contexts=contexts,
        clock=issuer.clock,
    ) as ports:
        yield ports


def _offline_transport() -> httpx.MockTransport:
    """Offline runs still resolve did:key and did:jwk; anything that would go to the network fails fast."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"offline: not fetching {request.url}", request=request)

    return httpx.MockTransport(refuse)
