"""Issue 6: what the learner's claim page and the public page share: the credential as shown, its downloads, the
templates, and the small pages that say a link is unknown (404) or gone (410).

The credential is shown from the stored text (the exact bytes that were signed), summarised by the verifier's own
summary (verifier.summary), so the claim page, the public page and the employer's page describe it alike.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment
from sqlalchemy.orm import Session

from credstack.web.badge_images import baked_png, baked_svg, display_image_uri
from credstack.web.present import page_environment
from credstack.web.router import CONTENT_SECURITY_POLICY
from issuer.models import Credential, Issuer
from issuer.wallets.copies import original_document
from schemas.report import CheckResult, CredentialSummary
from verifier.summary import summarize

# The media types of VCDM 2.0 §6.3 as OB 3.0 and WALLETS.md §7 item 5 name them: a secured JSON-LD credential, or
# a VC-JOSE-COSE §3.1.1 VC-JWT (the compact JWS as text).
VC_LD_JSON = "application/vc+ld+json"
VC_JWT = "application/vc+jwt"
# Downloaded SVGs may be the issuer's own: if opened directly they may not run script or load anything.
DOWNLOAD_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
BASE_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}
MAX_FILE_STEM = 60

BadgeKind = Literal["png", "svg"]


@dataclass(frozen=True, slots=True)
class NoChecks:
    """Stands in for a report in `_report.html`'s credential view where nothing was verified (the claim page)."""

    checks: tuple[CheckResult, ...] = ()


@dataclass(frozen=True, slots=True)
class ShownCredential:
    """A stored credential as the learner pages show and serve it, read while the session was open."""

    row_id: uuid.UUID
    status: str
    format: str
    text: str
    document: dict[str, Any]
    summary: CredentialSummary
    image_uri: str | None
    issuer_name: str | None
    linkedin_organization_id: str | None

    @property
    def title(self) -> str:
        return self.summary.achievement_name or self.summary.name or "Credential"

    @property
    def media_type(self) -> str:
        return VC_JWT if self.format == "jwt" else VC_LD_JSON

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def file_stem(self) -> str:
        """The achievement's name as an ASCII file name: `Data Analysis with Python` -> data-analysis-with-python."""
        folded = unicodedata.normalize("NFKD", self.title).encode("ascii", "ignore").decode("ascii")
        stem = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:MAX_FILE_STEM].strip("-")
        return stem or "credential"


def show_credential(session: Session, credential: Credential) -> ShownCredential:
    """The credential's display data: the document without its proof, the summary (image defaulted), the issuer."""
    document = original_document(credential)
    summary = summarize(document, "jwt" if credential.format == "jwt" else "json")
    issuer = session.get(Issuer, credential.issuer_id)
    profile_name = issuer.profile.get("name") if issuer is not None else None
    name = summary.achievement_name or summary.name or "Credential"
    return ShownCredential(
        row_id=credential.id,
        status=credential.status,
        format=credential.format,
        text=credential.document,
        document=document,
        summary=summary.model_copy(update={"image": display_image_uri(summary.image, name)}),
        image_uri=summary.image,
        issuer_name=profile_name if isinstance(profile_name, str) else summary.issuer_name,
        linkedin_organization_id=issuer.linkedin_organization_id if issuer is not None else None,
    )


def _disposition(kind: str, filename: str) -> str:
    return f'{kind}; filename="{filename}"'


def credential_response(shown: ShownCredential, *, attachment: bool, headers: dict[str, str]) -> Response:
    """The stored credential, byte for byte: signed JSON-LD as `application/vc+ld+json`, a VC-JWT as
    `application/vc+jwt`; as a download (`attachment`) or to be read by a wallet or verifier (`inline`)."""
    extension = "jwt" if shown.format == "jwt" else "json"
    disposition = _disposition("attachment" if attachment else "inline", f"{shown.file_stem}.{extension}")
    return Response(
        shown.text.encode("utf-8"),
        media_type=shown.media_type,
        headers={**headers, "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


def badge_response(shown: ShownCredential, kind: BadgeKind, *, headers: dict[str, str]) -> Response:
    """OB 3.0 §5.3 the credential baked into the badge image, as a download."""
    name = shown.title
    if kind == "png":
        body, media_type = baked_png(shown.text, image_uri=shown.image_uri, name=name), "image/png"
    else:
        body, media_type = baked_svg(shown.text, image_uri=shown.image_uri, name=name), "image/svg+xml"
    return Response(
        body,
        media_type=media_type,
        headers={
            **headers,
            "Content-Disposition": _disposition("attachment", f"{shown.file_stem}.{kind}"),
            "Content-Security-Policy": DOWNLOAD_CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )


def learner_environment() -> Environment:
    """The employer page's environment (autoescaping, its filters) plus what the learner pages add."""
    environment = page_environment()
    environment.filters.update(iso=lambda moment: moment.isoformat() if isinstance(moment, datetime) else "")
    environment.globals.update(NoChecks=NoChecks)
    return environment


@dataclass(frozen=True, slots=True)
class Notice:
    """A page that only says something: an unknown or expired link, a refused form."""

    status_code: int
    title: str
    message: str
    hint: str = ""


def notice_response(environment: Environment, notice: Notice, headers: dict[str, str]) -> HTMLResponse:
    """Issue 6 learner pages: a short HTML page with the notice's status (404, 410, 403, 409), never JSON."""
    body = environment.get_template("notice.html").render(notice=notice)
    return HTMLResponse(body, status_code=notice.status_code, headers=headers)
