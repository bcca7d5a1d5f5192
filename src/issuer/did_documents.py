"""DID Core 1.0 §5 DID documents of the service's issuers (did:web §3.2, did:key v0.7), and their local resolution.

A did:web issuer's document lists every key that has not been retired as a Multikey verification method
(CID 1.0 §2.2.2) under `assertionMethod`, so credentials signed before a rotation keep verifying; `authentication`
names only the active key. A did:key issuer's document is the one did:key generates from the DID, which is the key.

`local_documents(sessions)` is the `LocalDocuments` port of `credentials.did.DidResolverRegistry`: it answers for the
service's own did:web DIDs from the database, so the service's verifier resolves its own issuers without fetching
them, also when the base URL is plain http (development). Any other DID is left to the registry's resolvers, which
only ever fetch did:web documents over https.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from credentials.did import did_key_document
from credentials.did.key import DID_CONTEXT, KEY_TYPE_CONTEXTS
from issuer.models import Issuer, IssuerKey
from issuer.repositories.issuers import find_issuer_by_did, issuer_keys

MULTIKEY = "Multikey"
DID_WEB_PREFIX = "did:web:"


def verification_method_id(issuer: Issuer, key: IssuerKey) -> str:
    """DID Core 1.0 §5.2 method id: `<did>#<key id>` for did:web, `<did>#<publicKeyMultibase>` for did:key (as the
    did:key v0.7 Document Creation Algorithm names it)."""
    fragment = key.public_key_multibase if issuer.did_method == "key" else key.key_id
    return f"{issuer.did}#{fragment}"


def _is_published(key: IssuerKey) -> bool:
    """Active and rotated keys are in the DID document; retired ones are not (credentials they signed fail)."""
    return key.state != "retired"


def did_document(issuer: Issuer, keys: Sequence[IssuerKey]) -> dict[str, Any]:
    """DID Core 1.0 §5: the document of `issuer`, with `keys` (all of the issuer's keys, in order)."""
    if issuer.did_method == "key":
        return did_key_document(issuer.did)
    published = [key for key in keys if _is_published(key)]
    methods = [
        {
            "id": verification_method_id(issuer, key),
            "type": MULTIKEY,
            "controller": issuer.did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in published
    ]
    return {
        "@context": [DID_CONTEXT, KEY_TYPE_CONTEXTS[MULTIKEY]],
        "id": issuer.did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
        "authentication": [verification_method_id(issuer, key) for key in published if key.state == "active"],
    }


def issuer_did_document(session: Session, issuer: Issuer) -> dict[str, Any]:
    return did_document(issuer, issuer_keys(session, issuer.id))


def local_documents(sessions: sessionmaker[Session]) -> Callable[[str], dict[str, Any] | None]:
    """DID Resolution v0.3 for the service's own did:web DIDs, from the database (a `LocalDocuments` callable).

    None for anything else (other DIDs, https controller documents, unknown did:web DIDs), so those resolve as
    usual. Each call reads the current keys: a retirement takes effect for the next verification.
    """

    def lookup(identifier: str) -> dict[str, Any] | None:
        if not identifier.startswith(DID_WEB_PREFIX):
            return None
        with sessions() as session:
            issuer = find_issuer_by_did(session, identifier)
            if issuer is None or issuer.did_method != "web":
                return None
            return issuer_did_document(session, issuer)

    return lookup
