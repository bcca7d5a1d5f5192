"""Issue 6 claim links: an unguessable, expiring URL per issued credential that opens the learner's claim page.

A credential has at most one live link: making a new one (POST /api/v1/credentials/{id}/claim-link, or a repeated
issuance) supersedes the earlier ones. The token is recomputable from the link's id (issuer.wallets.secrets), so the
LMS can be shown the current link again; the database keeps only its SHA-256 for the lookup.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from issuer.errors import IssuerError, NotFound
from issuer.keystore import MasterKey
from issuer.models import ClaimLink, Credential, CredentialCopy
from issuer.wallets.secrets import derived_handle, digest

DEFAULT_CLAIM_LINK_TTL = timedelta(days=30)
MAX_CLAIM_LINK_TTL = timedelta(days=366)
CLAIM_PATH = "/claim"
_PURPOSE = "claim-link"


class ClaimLinkExpired(IssuerError):
    """The claim link is past its expiry or was replaced by a newer one (HTTP 410)."""

    code = "CLAIM_LINK_EXPIRED"
    status = 410
    title = "This claim link has expired"


@dataclass(frozen=True, slots=True)
class ClaimLinkView:
    """A live claim link as the issuing API returns it."""

    url: str
    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """What a valid claim token opens: the credential, and the link it came through."""

    credential: Credential
    link: ClaimLink


def claim_url(base_url: str, token: str) -> str:
    return f"{base_url}{CLAIM_PATH}/{token}"


def _view(link: ClaimLink, *, master: MasterKey, base_url: str) -> ClaimLinkView:
    token = derived_handle(master, _PURPOSE, link.id)
    return ClaimLinkView(url=claim_url(base_url, token), token=token, expires_at=link.expires_at)


def create_claim_link(
    session: Session,
    credential: Credential,
    *,
    master: MasterKey,
    base_url: str,
    now: datetime,
    ttl: timedelta = DEFAULT_CLAIM_LINK_TTL,
) -> ClaimLinkView:
    """A new live link for `credential`, superseding the earlier ones; flushed, not committed (the caller's unit)."""
    session.execute(
        update(ClaimLink)
        .where(ClaimLink.credential_row_id == credential.id, ClaimLink.superseded_at.is_(None))
        .values(superseded_at=now)
    )
    return first_claim_link(session, credential, master=master, base_url=base_url, now=now, ttl=ttl)


def first_claim_link(
    session: Session,
    credential: Credential,
    *,
    master: MasterKey,
    base_url: str,
    now: datetime,
    ttl: timedelta = DEFAULT_CLAIM_LINK_TTL,
) -> ClaimLinkView:
    """The link of a credential being issued, which has none to supersede yet; flushed, not committed."""
    if not timedelta(0) < ttl <= MAX_CLAIM_LINK_TTL:
        raise ValueError(f"a claim link lives between 1 second and {MAX_CLAIM_LINK_TTL.days} days")
    link_id = uuid.uuid4()
    token = derived_handle(master, _PURPOSE, link_id)
    link = ClaimLink(
        id=link_id,
        organization_id=credential.organization_id,
        credential_row_id=credential.id,
        token_hash=digest(token),
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(link)
    session.flush()
    return _view(link, master=master, base_url=base_url)


def current_claim_link(
    session: Session, credential: Credential, *, master: MasterKey, base_url: str, now: datetime
) -> ClaimLinkView | None:
    """The credential's live link, if it has one that has not expired."""
    link = session.scalars(
        select(ClaimLink).where(
            ClaimLink.credential_row_id == credential.id,
            ClaimLink.superseded_at.is_(None),
            ClaimLink.expires_at > now,
        )
    ).first()
    return None if link is None else _view(link, master=master, base_url=base_url)


def open_claim(session: Session, token: str, *, now: datetime) -> Claim:
    """The credential a claim token opens: NotFound for an unknown token, ClaimLinkExpired for an old one."""
    if not 16 <= len(token) <= 100:
        raise NotFound("no such claim link")
    link = session.scalars(select(ClaimLink).where(ClaimLink.token_hash == digest(token))).first()
    if link is None:
        raise NotFound("no such claim link")
    if link.superseded_at is not None or link.expires_at <= now:
        raise ClaimLinkExpired("ask the institution that issued the credential for a new link")
    credential = session.get(Credential, link.credential_row_id)
    if credential is None:
        raise NotFound("no such claim link")
    return Claim(credential=credential, link=link)


def claim_link_for(
    session: Session, credential: Credential, *, master: MasterKey, base_url: str, now: datetime
) -> ClaimLinkView:
    """The credential's live link, or a new one (committed) when it has none: for replayed issuances."""
    current = current_claim_link(session, credential, master=master, base_url=base_url, now=now)
    if current is not None:
        return current
    made = create_claim_link(session, credential, master=master, base_url=base_url, now=now)
    session.commit()
    return made


def claimed_copies(session: Session, credential: Credential) -> list[CredentialCopy]:
    """The copies learners took into wallets (issue 6 "the claim is recorded"), oldest first."""
    return list(
        session.scalars(
            select(CredentialCopy)
            .where(CredentialCopy.credential_row_id == credential.id)
            .order_by(CredentialCopy.issued_at, CredentialCopy.id)
        )
    )
