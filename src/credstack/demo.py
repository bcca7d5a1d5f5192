"""Issue 3 "`credstack demo` seeds a demo organization (an issuer, three micro-credentials and one composite, a
client)": the seeding, through the same services the API calls.

Idempotent: a second run finds the organization by name, the issuer by name and DID (a did:web DID under the
current base URL), and the achievements by issuer and name, and reuses them unchanged. Only the API client is new on
every run, because a client secret is shown once and cannot be read back; earlier demo clients keep working until
`credstack clients revoke` revokes them. Each row is committed as it is created, so an interrupted run is completed
by the next one.
"""

from __future__ import annotations

import json
import shlex
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from credstack import demo_data
from issuer.achievement_service import AchievementUrls, create_achievement
from issuer.api_clients import RegisteredClient, register_api_client
from issuer.did_web import PublicBase
from issuer.issuers import create_issuer
from issuer.keystore import MasterKey
from issuer.models import Issuer
from issuer.principal import Principal
from issuer.repositories.achievements import AchievementRepository
from issuer.repositories.issuers import IssuerRepository
from issuer.scopes import ALL_SCOPES
from schemas.achievement import AchievementTemplate
from schemas.profile import IssuerCreate


@dataclass(frozen=True, slots=True)
class _CommandLine(Principal):
    """The demo acts for its organization from the command line: the audit log says `cli`, as for `credstack
    clients`, rather than naming the client the demo happens to create."""

    @property
    def actor(self) -> str:
        return "cli"


@dataclass(frozen=True, slots=True)
class DemoIssuer:
    id: uuid.UUID
    name: str
    did: str
    profile_url: str
    did_document_url: str
    created: bool
    # The master key that sealed the issuer's active key; signing needs the service to load this same key.
    sealed_under: str | None


@dataclass(frozen=True, slots=True)
class DemoAchievement:
    id: uuid.UUID
    name: str
    achievement_type: str
    url: str
    created: bool
    composite: bool


@dataclass(frozen=True, slots=True)
class DemoSeed:
    """What the demo organization holds after this run, and which rows this run created."""

    organization_id: uuid.UUID
    organization: str
    organization_created: bool
    issuer: DemoIssuer
    achievements: tuple[DemoAchievement, ...]
    client: RegisteredClient
    master_key_id: str

    @property
    def first_micro_credential(self) -> DemoAchievement:
        """What the printed instructions issue: the first micro-credential (the demo always seeds three)."""
        return next(a for a in self.achievements if not a.composite)


def seed_demo(
    session: Session, *, master: MasterKey, base: PublicBase, urls: AchievementUrls, now: datetime
) -> DemoSeed:
    """Create what is missing of the demo organization, reuse what exists, and register a new API client.

    `base` and `urls` are built from the base URL as the issuers and achievements routers build them.
    """
    client = register_api_client(
        session, organization=demo_data.ORGANIZATION, scopes=ALL_SCOPES, name=demo_data.CLIENT_NAME, now=now
    )
    principal = _CommandLine(organization_id=client.organization_id, client_id=client.client_id, scopes=ALL_SCOPES)
    issuer, issuer_created = _demo_issuer(session, principal, master=master, base=base, now=now)
    existing = _achievements_by_name(session, principal, issuer.id)
    achievements = []
    templates = [*((t, False) for t in demo_data.MICRO_CREDENTIALS), (demo_data.COMPOSITE, True)]
    for template, composite in templates:
        achievement_id = existing.get(template["name"])
        created = achievement_id is None
        if achievement_id is None:
            stored = create_achievement(
                session,
                principal,
                AchievementTemplate.model_validate(template),
                issuer_id=issuer.id,
                urls=urls,
                now=now,
            )
            achievement_id = stored.achievement.id
        achievements.append(
            DemoAchievement(
                id=achievement_id,
                name=template["name"],
                achievement_type=template["achievementType"],
                url=urls.public(achievement_id),
                created=created,
                composite=composite,
            )
        )
    return DemoSeed(
        organization_id=client.organization_id,
        organization=demo_data.ORGANIZATION,
        organization_created=client.organization_created,
        issuer=_describe_issuer(session, principal, issuer, base=base, created=issuer_created),
        achievements=tuple(achievements),
        client=client,
        master_key_id=master.key_id,
    )


def _demo_issuer(
    session: Session, principal: Principal, *, master: MasterKey, base: PublicBase, now: datetime
) -> tuple[Issuer, bool]:
    """The demo issuer: the one named like it whose did:web DID lies under the current base URL, else a new one.

    A base URL changed since the last run means a new issuer: the old one's DID names the old host.
    """
    for issuer in IssuerRepository(session, principal.organization_id).all():
        if issuer.profile.get("name") == demo_data.ISSUER["name"] and issuer.did == base.issuer_did(issuer.id):
            return issuer, False
    request = IssuerCreate.model_validate(demo_data.ISSUER)
    return create_issuer(session, principal, request, master=master, base=base, now=now), True


def _achievements_by_name(session: Session, principal: Principal, issuer_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The issuer's achievements by the name of their current version (the first one of a name wins)."""
    repository = AchievementRepository(session, principal.organization_id)
    found: dict[str, uuid.UUID] = {}
    for achievement in repository.all(issuer_id=issuer_id):
        name = repository.version(achievement.id).document.get("name")
        if isinstance(name, str):
            found.setdefault(name, achievement.id)
    return found


def _describe_issuer(
    session: Session, principal: Principal, issuer: Issuer, *, base: PublicBase, created: bool
) -> DemoIssuer:
    keys = IssuerRepository(session, principal.organization_id).keys(issuer.id)
    active = next((key for key in keys if key.state == "active"), None)
    return DemoIssuer(
        id=issuer.id,
        name=str(issuer.profile.get("name", "")),
        did=issuer.did,
        profile_url=base.profile_url(issuer.id),
        did_document_url=base.did_document_url(issuer.id),
        created=created,
        sealed_under=active.key_encryption_key_id if active is not None else None,
    )


def issue_request(seed: DemoSeed) -> dict[str, Any]:
    """The `POST /api/v1/credentials` body the instructions send (schemas.issuance.IssueCredentialRequest): the first
    micro-credential to the demo learner, with the rubric level reached in its assessment."""
    achievement = seed.first_micro_credential
    return {
        "achievement_id": str(achievement.id),
        "recipient": {"email": demo_data.RECIPIENT_EMAIL},
        "result": [{"resultDescription": "#assessment", "achievedLevel": "#proficient"}],
        "creditsEarned": 2.0,
    }


@dataclass(frozen=True, slots=True)
class Step:
    """One ready-to-paste shell step of the printed instructions."""

    title: str
    command: str


def instructions(seed: DemoSeed, *, base_url: str, program: str = "credstack") -> tuple[Step, ...]:
    """The shell steps: export the client's credentials, get a token (RFC 6749 §4.4), issue the first
    micro-credential (`POST /api/v1/credentials`), verify the credential it returns (`credstack demo verify`)."""
    base = base_url.rstrip("/")
    body = json.dumps(issue_request(seed), ensure_ascii=False)
    exports = (
        f"export CLIENT_ID={shlex.quote(seed.client.client_id)} CLIENT_SECRET={shlex.quote(seed.client.client_secret)}"
    )
    return (
        Step("Keep the new client's credentials in the shell (the secret is shown only now)", exports),
        Step(
            "Get an access token (OAuth 2.0 client credentials; valid for an hour)",
            f"TOKEN=$(curl -sS {base}/oauth/token -d grant_type=client_credentials \\\n"
            '  -d client_id="$CLIENT_ID" -d client_secret="$CLIENT_SECRET" | jq -r .access_token)',
        ),
        Step(
            f"Issue {seed.first_micro_credential.name} to {demo_data.RECIPIENT_EMAIL}; the response, saved in "
            "issued.json, holds the signed credential",
            f'curl -sS {base}/api/v1/credentials -H "Authorization: Bearer $TOKEN" \\\n'
            f"  -H 'Content-Type: application/json' -o issued.json \\\n  -d {shlex.quote(body)} && jq . issued.json",
        ),
        Step(
            "Verify it: proof, issuer key, validity, revocation status and recipient, as an employer's verifier would",
            f"jq -r .credential issued.json > credential.json\n"
            f"{program} demo verify credential.json --recipient-email {demo_data.RECIPIENT_EMAIL}",
        ),
    )
