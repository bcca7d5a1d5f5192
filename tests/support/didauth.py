"""DIDAuth presentations as wallets sign them (WALLETS.md §3.2-§3.4), made with the project's own proof code, and
the offers they answer.

LCW signs an Ed25519Signature2020 proof over a VCDM 2.0 presentation (older builds: VCDM 1.1); VCALM wallets sign a
DataIntegrityProof with eddsa-rdfc-2022. Both have proofPurpose `authentication`, the verifier's challenge and,
when asked for, its domain. Holders are did:key (the `z6Mk...` Ed25519 form) or an Ed25519 did:jwk.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qs

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from credentials.did import did_jwk_from_jwk
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import add_proof
from credentials.proofs.ed25519_signature_2020 import Ed25519Signature2020
from credentials.proofs.eddsa_rdfc_2022 import EddsaRdfc2022
from issuer.models import Credential, CredentialCopy, WalletOffer
from issuer.wallets.offers import DEFAULT_OFFER_TTL, Protocol, challenge_of, create_offer, handle_of
from support.achievements import BASE_URL
from support.clock import START
from support.issuance import Issuing, issue, issued_credential
from support.issuers import issuer_context, master_key

VCDM2 = "https://www.w3.org/ns/credentials/v2"
VCDM1 = "https://www.w3.org/2018/credentials/v1"
Suite = Literal["Ed25519Signature2020", "eddsa-rdfc-2022"]
SUITES: tuple[Suite, ...] = ("Ed25519Signature2020", "eddsa-rdfc-2022")
VERSIONS = (VCDM1, VCDM2)
# WALLETS.md §3.4: the holder key of the published vectors (seed 0x07 x 32).
VECTOR_SEED = bytes([7]) * 32


class Holder:
    """A wallet's Ed25519 key and the DID it proves control of (did:key, or did:jwk with `jwk=True`)."""

    def __init__(self, key: Ed25519KeyPair | None = None, *, jwk: bool = False) -> None:
        self.key = key or Ed25519KeyPair.generate()
        if jwk:
            self.did = did_jwk_from_jwk(self.key.public_jwk())
            self.verification_method = f"{self.did}#0"
        else:
            self.did = self.key.did_key
            self.verification_method = self.key.did_key_verification_method


def presentation(
    holder: Holder,
    *,
    challenge: str,
    contexts: ContextStore,
    domain: str | None = None,
    suite: Suite = "Ed25519Signature2020",
    base_context: str = VCDM2,
    claimed_holder: str | None = None,
    now: datetime = START,
) -> dict[str, Any]:
    """A signed DIDAuth VP; `claimed_holder` overrides the `holder` member (a lie the signature does not back)."""
    unsigned = {
        "@context": [base_context],
        "type": ["VerifiablePresentation"],
        "holder": claimed_holder or holder.did,
    }
    cryptosuite = Ed25519Signature2020() if suite == "Ed25519Signature2020" else EddsaRdfc2022()
    options = ProofOptions.for_suite(
        cryptosuite,
        holder.verification_method,
        proof_purpose="authentication",
        challenge=challenge,
        domain=domain,
    )
    return add_proof(unsigned, cryptosuite, options, holder.key.signer(holder.verification_method), contexts, now=now)


def tampered(vp: dict[str, Any]) -> dict[str, Any]:
    """The same VP with one proofValue character changed (still valid base58btc)."""
    changed = copy.deepcopy(vp)
    value: str = changed["proof"]["proofValue"]
    changed["proof"]["proofValue"] = value[:-2] + ("2" if value[-2] != "2" else "3") + value[-1]
    return changed


# Offers, made as the offers API will make them: issuer.wallets.offers.create_offer, committed.


@dataclass(frozen=True)
class Offered:
    """A credential issued through the API, offered to a wallet; `handle` names the exchange in URLs."""

    app: FastAPI
    row_id: str
    credential: dict[str, Any] | str
    offer_id: uuid.UUID
    offer_uri: str
    handle: str
    challenge: str

    @property
    def contexts(self) -> ContextStore:
        contexts = issuer_context(self.app).contexts
        assert contexts is not None
        return contexts


def offer(
    app: FastAPI,
    client: TestClient,
    setup: Issuing,
    protocol: Protocol,
    *,
    now: datetime,
    holder_binding: bool = True,
    ttl: timedelta = DEFAULT_OFFER_TTL,
    **issue_changes: Any,
) -> Offered:
    """Issue a credential to LEARNER through the API, then offer it over `protocol` (committed)."""
    issued = issue(client, setup, **issue_changes)
    row_id = issued.json()["id"]
    master = master_key(app)
    with issuer_context(app).sessions() as session:
        credential = session.get(Credential, uuid.UUID(row_id))
        assert credential is not None
        created = create_offer(
            session,
            credential,
            protocol,
            master=master,
            base_url=BASE_URL,
            now=now,
            holder_binding=holder_binding,
            ttl=ttl,
        )
        offer_id = created.offer.id
        session.commit()
    return Offered(
        app=app,
        row_id=row_id,
        credential=issued_credential(issued),
        offer_id=offer_id,
        offer_uri=created.offer_uri,
        handle=handle_of(master, offer_id),
        challenge=challenge_of(master, offer_id),
    )


def lcw_link_parameters(link: str) -> dict[str, str]:
    """LCW's `qs.parse(url.split('?')[1])`: split on the first `?` only, then decode each parameter once."""
    query = link.split("?", 1)[1]
    parsed = parse_qs(query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {name: values[0] for name, values in parsed.items()}


def stored_copy(app: FastAPI, offer_id: uuid.UUID) -> CredentialCopy | None:
    with issuer_context(app).sessions() as session:
        return session.scalars(select(CredentialCopy).where(CredentialCopy.offer_id == offer_id)).first()


def offer_row(app: FastAPI, offer_id: uuid.UUID) -> WalletOffer:
    with issuer_context(app).sessions() as session:
        row = session.get(WalletOffer, offer_id)
        assert row is not None
        return row
