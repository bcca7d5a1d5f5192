"""Issue 6 public pages: a learner's opt-in, stable page of one credential (WALLETS.md §5 `certUrl`).

The page lives at `/p/{slug}`. The slug is random (96 bits), so publishing reveals nothing about other credentials,
and it is kept when the learner removes the page: publishing again brings back the same URL, so a LinkedIn entry
that points at it works again. A removed page answers 410 Gone; a slug that never existed, 404.
Publishing and removing happen on the claim page, whose unguessable link is the learner's only credential; each
is recorded in the audit log.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.errors import Conflict, IssuerError, NotFound
from issuer.models import Credential, PublicPage
from issuer.repositories.audit import record_audit

PUBLIC_PATH = "/p"
SLUG_BYTES = 12  # 96 bits, 16 base64url characters
_SLUG = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
_ACTOR = "learner:claim-link"


class PublicPageWithdrawn(IssuerError):
    """The learner removed the public page (HTTP 410); it may be published again at the same URL."""

    code = "PUBLIC_PAGE_WITHDRAWN"
    status = 410
    title = "The credential's holder removed this page"


class CredentialNotPublishable(Conflict):
    """A revoked or suspended credential gets no new public page (an existing one stays, showing the status)."""

    code = "CREDENTIAL_NOT_PUBLISHABLE"
    title = "The credential cannot be published"


@dataclass(frozen=True, slots=True)
class PublishedCredential:
    """A live public page and the credential it shows."""

    page: PublicPage
    credential: Credential


def public_page_url(base_url: str, slug: str) -> str:
    """WALLETS.md §5 `certUrl`: the stable public page of a credential."""
    return f"{base_url}{PUBLIC_PATH}/{slug}"


def new_slug() -> str:
    """A random slug, 96 bits in base64url (RFC 4648 §5): unguessable, URL-safe, 16 characters."""
    return secrets.token_urlsafe(SLUG_BYTES)


def page_of(session: Session, credential: Credential) -> PublicPage | None:
    """The credential's page row, published or withdrawn (one per credential), or None if it never had one."""
    return session.scalars(select(PublicPage).where(PublicPage.credential_row_id == credential.id)).first()


def live_page(session: Session, credential: Credential) -> PublicPage | None:
    """The credential's page if it is published now."""
    page = page_of(session, credential)
    return page if page is not None and page.withdrawn_at is None else None


def publish(session: Session, credential: Credential, *, now: datetime) -> PublicPage:
    """Publish the credential's page (again, at its old slug, if it had one); flushed, not committed.

    Idempotent for a published page. CredentialNotPublishable for a revoked or suspended credential.
    """
    page = page_of(session, credential)
    if page is not None and page.withdrawn_at is None:
        return page
    if credential.status != "active":
        raise CredentialNotPublishable(f"the credential is {credential.status}")
    if page is None:
        page = PublicPage(
            id=uuid.uuid4(),
            organization_id=credential.organization_id,
            credential_row_id=credential.id,
            slug=new_slug(),
            created_at=now,
        )
        session.add(page)
    page.withdrawn_at = None
    _audit(session, credential, "public_page.publish", now, page.slug)
    session.flush()
    return page


def withdraw(session: Session, credential: Credential, *, now: datetime) -> PublicPage | None:
    """Remove the credential's page (it then answers 410); None if there was no published page. Flushed."""
    page = live_page(session, credential)
    if page is None:
        return None
    page.withdrawn_at = now
    _audit(session, credential, "public_page.withdraw", now, page.slug)
    session.flush()
    return page


def find_published(session: Session, slug: str) -> PublishedCredential:
    """The page a slug names: NotFound for none (or a malformed slug), PublicPageWithdrawn for a removed one."""
    if not _SLUG.match(slug):
        raise NotFound("no such page")
    page = session.scalars(select(PublicPage).where(PublicPage.slug == slug)).first()
    if page is None:
        raise NotFound("no such page")
    if page.withdrawn_at is not None:
        raise PublicPageWithdrawn("the credential's holder removed this page")
    credential = session.get(Credential, page.credential_row_id)
    if credential is None:
        raise NotFound("no such page")
    return PublishedCredential(page, credential)


def _audit(session: Session, credential: Credential, action: str, now: datetime, slug: str) -> None:
    record_audit(
        session,
        organization_id=credential.organization_id,
        actor=_ACTOR,
        action=action,
        subject=f"credential:{credential.id}",
        at=now,
        reason=f"{PUBLIC_PATH}/{slug}",
    )
