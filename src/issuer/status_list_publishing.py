"""Bitstring Status List v1.0 §3.1 (Generate Algorithm) step 5 and §3.2: the signed list credentials the service serves.

A list credential is signed by the list's issuer with eddsa-rdfc-2022 and its active key, like the credentials it
covers. The signed text is cached per list version (`status_lists.signed_credential`): a bit change bumps the version
and drops the copy, and the next request signs the new state. Signing happens outside any transaction (the read is
committed first), and the copy is stored in a short write transaction only if no other request cached one for the
same version meanwhile, in which case that one is served: every client sees one text, and one ETag, per version.

`local_status_lists` is the `credentials.status.fetch.LocalStatusLists` port: the service's own verifier reads its
own lists from here, without HTTP (also when the base URL is plain http in development).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from credentials.jsonld import ContextStore
from issuer.credential_signing import sign_credential
from issuer.db import write_session
from issuer.errors import NotFound
from issuer.keystore import MasterKey
from issuer.repositories.issuers import find_published_issuer
from issuer.repositories.status_lists import StatusListRepository, find_status_list
from issuer.runtime import Clock
from issuer.signing_keys import NoActiveKey, active_signer
from issuer.status_lists import STATUS_LIST_PATH, status_list_credential, status_list_url

LIST_CRYPTOSUITE = "eddsa-rdfc-2022"


@dataclass(frozen=True, slots=True)
class PublishingPorts:
    sessions: sessionmaker[Session]
    contexts: ContextStore
    master: MasterKey
    base_url: str
    clock: Clock


@dataclass(frozen=True, slots=True)
class PublishedList:
    """The exact text served and the SHA-256 (hex) of its UTF-8 bytes."""

    text: str
    digest: str


def _published(text: str, digest: str | None = None) -> PublishedList:
    return PublishedList(text, digest or hashlib.sha256(text.encode("utf-8")).hexdigest())


def published_status_list(list_id: uuid.UUID, ports: PublishingPorts) -> PublishedList:
    """Bitstring Status List v1.0 §3.2: the signed BitstringStatusListCredential of list `list_id` (any issuer's).

    NotFound for an unknown list; NoActiveKey (409) when the list changed and its issuer has no key to sign with.
    """
    now = ports.clock()
    with ports.sessions() as session:
        row = find_status_list(session, list_id)
        if row is None:
            raise NotFound("no such status list")
        if row.signed_credential is not None:
            return _published(row.signed_credential, row.signed_etag)
        issuer = find_published_issuer(session, row.issuer_id)
        if issuer is None:
            raise NotFound("no such status list")
        signer, _ = active_signer(session, issuer, ports.master)
        unsigned = status_list_credential(
            row, issuer_did=issuer.did, url=status_list_url(ports.base_url, row.id), now=now
        )
        version, organization_id = row.version, row.organization_id
    signed = sign_credential(
        unsigned, format="ldp", cryptosuite=LIST_CRYPTOSUITE, signer=signer, contexts=ports.contexts, now=now
    )
    with write_session(ports.sessions) as session:
        lists = StatusListRepository(session, organization_id)
        if lists.cache_signed(list_id, version=version, signed_credential=signed.text, now=now):
            session.commit()
            return _published(signed.text)
        current = lists.get(list_id)
        if current.version == version and current.signed_credential is not None:
            return _published(current.signed_credential, current.signed_etag)
    # A bit changed since the read: this copy is the state as of the request, correct for it, but not cached.
    return _published(signed.text)


def list_id_of_url(url: str, base_url: str) -> uuid.UUID | None:
    """The list id in `{base_url}/status-lists/{uuid}` (issuer.status_lists.status_list_url), else None."""
    prefix = f"{base_url.rstrip('/')}/{STATUS_LIST_PATH}/"
    if not url.startswith(prefix):
        return None
    try:
        list_id = uuid.UUID(url.removeprefix(prefix))
    except ValueError:
        return None
    return list_id if status_list_url(base_url, list_id) == url else None


def local_status_lists(ports: PublishingPorts) -> Callable[[str], dict[str, Any] | None]:
    """Bitstring Status List v1.0 §3.2 for the service's own list URLs, from the database (a LocalStatusLists).

    None for any other URL, and for a list that does not exist or cannot be signed (no active key): those are
    then fetched as usual, and fail as they would for anyone.
    """

    def lookup(url: str) -> dict[str, Any] | None:
        list_id = list_id_of_url(url, ports.base_url)
        if list_id is None:
            return None
        try:
            document: dict[str, Any] = json.loads(published_status_list(list_id, ports).text)
        except (NotFound, NoActiveKey):
            return None
        return document

    return lookup
