"""Issue 3 "`credstack demo` seeds a demo organization (an issuer, three micro-credentials and one composite, a
client)", and issue 5 "the demo seeded by `credstack demo` includes a pathway": the seeding, through the same services
the API calls.

Idempotent: a second run finds the organization by name, the issuer by name and DID (a did:web DID under the
current base URL), the competencies by framework and code, the achievements by issuer and name, and the pathway by
the composite it awards, and reuses them unchanged. Only the API client is new on
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

from credentials.jsonld import ContextStore
from credstack import demo_data
from issuer.achievement_service import AchievementUrls, create_achievement
from issuer.api_clients import RegisteredClient, register_api_client
from issuer.competencies import CompetencyUrls
from issuer.competency_service import align_to_competencies, create_competency
from issuer.did_web import PublicBase
from issuer.issuance import IssuancePorts, issue_credential
from issuer.issuers import create_issuer
from issuer.keystore import MasterKey
from issuer.models import Issuer, Pathway
from issuer.pathway_definitions import PathwayUrls
from issuer.pathway_service import StoredPathway, create_pathway
from issuer.principal import Principal
from issuer.repositories.achievements import AchievementRepository
from issuer.repositories.competencies import CompetencyRepository
from issuer.repositories.issuers import IssuerRepository
from issuer.repositories.pathways import PathwayRepository
from issuer.runtime import Clock
from issuer.scopes import ALL_SCOPES
from issuer.wallets.claim_links import claim_link_for
from schemas.achievement import AchievementTemplate
from schemas.competency_api import CreateCompetencyRequest
from schemas.issuance import IssueCredentialRequest
from schemas.pathway_api import CreatePathwayRequest
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
class DemoCompetency:
    id: uuid.UUID
    framework: str
    code: str
    name: str
    url: str
    created: bool


@dataclass(frozen=True, slots=True)
class DemoPathway:
    """The pathway awarding the composite, as its current version says."""

    id: uuid.UUID
    name: str
    version: int
    rule: dict[str, Any]
    auto_award: bool
    created: bool


@dataclass(frozen=True, slots=True)
class DemoSeed:
    """What the demo organization holds after this run, and which rows this run created."""

    organization_id: uuid.UUID
    organization: str
    organization_created: bool
    issuer: DemoIssuer
    competencies: tuple[DemoCompetency, ...]
    achievements: tuple[DemoAchievement, ...]
    pathway: DemoPathway
    client: RegisteredClient
    master_key_id: str

    @property
    def micro_credentials(self) -> tuple[DemoAchievement, ...]:
        """The components, in the order the instructions issue them (the demo always seeds three)."""
        return tuple(a for a in self.achievements if not a.composite)

    @property
    def first_micro_credential(self) -> DemoAchievement:
        """What the printed instructions issue and verify first."""
        return self.micro_credentials[0]

    @property
    def composite(self) -> DemoAchievement:
        return next(a for a in self.achievements if a.composite)


def seed_demo(
    session: Session, *, master: MasterKey, base: PublicBase, urls: AchievementUrls, now: datetime
) -> DemoSeed:
    """Create what is missing of the demo organization, reuse what exists, and register a new API client.

    `base` and `urls` are built from the base URL as the issuers and achievements routers build them (the
    competencies and pathways routers use the same base URL).
    """
    client = register_api_client(
        session, organization=demo_data.ORGANIZATION, scopes=ALL_SCOPES, name=demo_data.CLIENT_NAME, now=now
    )
    principal = _CommandLine(organization_id=client.organization_id, client_id=client.client_id, scopes=ALL_SCOPES)
    issuer, issuer_created = _demo_issuer(session, principal, master=master, base=base, now=now)
    competency_urls = CompetencyUrls(urls.base_url)
    competencies = _demo_competencies(session, principal, competency_urls, now=now)
    by_code = {competency.code: competency.url for competency in competencies}
    existing = _achievements_by_name(session, principal, issuer.id)
    achievements = []
    templates = [*((t, False) for t in demo_data.MICRO_CREDENTIALS), (demo_data.COMPOSITE, True)]
    for template, composite in templates:
        achievement_id = existing.get(template["name"])
        created = achievement_id is None
        if achievement_id is None:
            # As `POST /api/v1/achievements` with `competencies`: each becomes a ceasn:Competency alignment.
            aligned = align_to_competencies(
                session,
                principal.organization_id,
                AchievementTemplate.model_validate(template),
                [by_code[code] for code in demo_data.ALIGNED_TO[template["name"]]],
                competency_urls,
            )
            stored = create_achievement(session, principal, aligned, issuer_id=issuer.id, urls=urls, now=now)
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
    pathway = _demo_pathway(session, principal, issuer.id, tuple(achievements), PathwayUrls(urls.base_url), now=now)
    return DemoSeed(
        organization_id=client.organization_id,
        organization=demo_data.ORGANIZATION,
        organization_created=client.organization_created,
        issuer=_describe_issuer(session, principal, issuer, base=base, created=issuer_created),
        competencies=competencies,
        achievements=tuple(achievements),
        pathway=pathway,
        client=client,
        master_key_id=master.key_id,
    )


def _demo_competencies(
    session: Session, principal: Principal, urls: CompetencyUrls, *, now: datetime
) -> tuple[DemoCompetency, ...]:
    """The framework's competencies: each found by framework and code (unique in the organization), else created."""
    repository = CompetencyRepository(session, principal.organization_id)
    found = []
    for data in demo_data.COMPETENCIES:
        request = CreateCompetencyRequest.model_validate(data)
        competency = repository.find(request.framework, request.code)
        created = competency is None
        if competency is None:
            competency = create_competency(session, principal, request, now=now)
        found.append(
            DemoCompetency(
                id=competency.id,
                framework=competency.framework,
                code=competency.code,
                name=competency.name,
                url=urls.public(competency.id),
                created=created,
            )
        )
    return tuple(found)


def pathway_rule(achievements: tuple[DemoAchievement, ...]) -> dict[str, Any]:
    """The composite is earned with all of the micro-credentials (README "Pathways": the rule grammar)."""
    return {"all_of": [{"achievement": str(a.id)} for a in achievements if not a.composite]}


def _demo_pathway(
    session: Session,
    principal: Principal,
    issuer_id: uuid.UUID,
    achievements: tuple[DemoAchievement, ...],
    urls: PathwayUrls,
    *,
    now: datetime,
) -> DemoPathway:
    """The issuer's oldest pathway awarding the demo composite, as its current version says; else a new one."""
    composite = next(a for a in achievements if a.composite)
    repository = PathwayRepository(session, principal.organization_id)
    stored = next(
        (
            StoredPathway(pathway, repository.version(pathway))
            for pathway in _all_pathways(repository, issuer_id)
            if pathway.composite_achievement_id == composite.id
        ),
        None,
    )
    created = stored is None
    if stored is None:
        request = CreatePathwayRequest.model_validate(
            {
                **demo_data.PATHWAY,
                "issuer_id": str(issuer_id),
                "composite_achievement_id": str(composite.id),
                "rule": pathway_rule(achievements),
            }
        )
        stored = create_pathway(session, principal, request, urls=urls, now=now)
    row = stored.row
    return DemoPathway(
        id=stored.pathway.id,
        name=row.name,
        version=row.version,
        rule=row.rule,
        auto_award=row.auto_award,
        created=created,
    )


def _all_pathways(repository: PathwayRepository, issuer_id: uuid.UUID) -> list[Pathway]:
    """Every pathway of the issuer, oldest first (a demo organization holds a handful)."""
    pathways, total = repository.page(issuer_id=issuer_id, limit=200, offset=0)
    offset = len(pathways)
    while offset < total:
        more, total = repository.page(issuer_id=issuer_id, limit=200, offset=offset)
        if not more:
            break
        pathways += more
        offset += len(more)
    return pathways


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


def issue_request(seed: DemoSeed, achievement: DemoAchievement | None = None) -> dict[str, Any]:
    """The `POST /api/v1/credentials` body the instructions send (schemas.issuance.IssueCredentialRequest): a
    micro-credential (the first by default) to the demo learner, with the rubric level reached in its assessment."""
    chosen = achievement or seed.first_micro_credential
    return {
        "achievement_id": str(chosen.id),
        "recipient": {"email": demo_data.RECIPIENT_EMAIL},
        "result": [{"resultDescription": "#assessment", "achievedLevel": "#proficient"}],
        "creditsEarned": 2.0,
    }


def evaluate_request() -> dict[str, Any]:
    """The body of `POST /api/v1/pathways/{id}/evaluate` and `/award` in the instructions: the demo learner, nothing
    presented, the credentials the service issued to that address considered."""
    return {"learner": {"email": demo_data.RECIPIENT_EMAIL}, "credentials": [], "include_stored": True}


@dataclass(frozen=True, slots=True)
class Step:
    """One ready-to-paste shell step of the printed instructions."""

    title: str
    command: str


def _post(url: str, body: dict[str, Any], tail: str) -> str:
    """A curl POST of a JSON body with the bearer token, as the printed steps write it."""
    return (
        f'curl -sS {url} -H "Authorization: Bearer $TOKEN" \\\n'
        f"  -H 'Content-Type: application/json' {tail}\\\n"
        f"  -d {shlex.quote(json.dumps(body, ensure_ascii=False))}"
    )


def instructions(seed: DemoSeed, *, base_url: str, program: str = "credstack") -> tuple[Step, ...]:
    """The shell steps: export the client's credentials, get a token (RFC 6749 §4.4), issue the first
    micro-credential (`POST /api/v1/credentials`) and verify it (`credstack demo verify`), show the learner's claim
    link (issue 6), issue the other two, then
    evaluate the pathway for the learner and ask for the composite award (issue 5), and verify the award."""
    base = base_url.rstrip("/")
    email = demo_data.RECIPIENT_EMAIL
    exports = (
        f"export CLIENT_ID={shlex.quote(seed.client.client_id)} CLIENT_SECRET={shlex.quote(seed.client.client_secret)}"
    )
    first, *others = seed.micro_credentials
    pathway_url = f"{base}/api/v1/pathways/{seed.pathway.id}"
    summary = "jq '{id, achievement: .credential.credentialSubject.achievement.name}'"
    return (
        Step("Keep the new client's credentials in the shell (the secret is shown only now)", exports),
        Step(
            "Get an access token (OAuth 2.0 client credentials; valid for an hour)",
            f"TOKEN=$(curl -sS {base}/oauth/token -d grant_type=client_credentials \\\n"
            '  -d client_id="$CLIENT_ID" -d client_secret="$CLIENT_SECRET" | jq -r .access_token)',
        ),
        Step(
            f"Issue {first.name} to {email}; the response, saved in issued.json, holds the signed credential",
            _post(f"{base}/api/v1/credentials", issue_request(seed, first), "-o issued.json ") + " && jq . issued.json",
        ),
        Step(
            "Verify it: proof, issuer key, validity, revocation status and recipient, as an employer's verifier would",
            f"jq -r .credential issued.json > credential.json\n"
            f"{program} demo verify credential.json --recipient-email {email}",
        ),
        Step(
            "The learner's claim link (issue 6): open it in a browser to download the credential or the baked badge, "
            "add it to a wallet (DCC Learner Credential Wallet, OpenID4VCI) or LinkedIn, or make a public page",
            "jq -r .claim_url issued.json",
        ),
        Step(
            f"Issue the other components, {' and '.join(a.name for a in others)}, to the same learner",
            "\n".join(
                _post(f"{base}/api/v1/credentials", issue_request(seed, a), "") + f" | {summary}" for a in others
            ),
        ),
        Step(
            f"Evaluate the pathway for {email} (the credentials issued to the address, verified): satisfied or not, "
            "what counted, what is missing",
            _post(f"{pathway_url}/evaluate", evaluate_request(), "") + " | jq .",
        ),
        Step(
            f"Ask for the award: the {seed.composite.name}, each component in its evidence (asked again: the same "
            "award; not satisfied: 409)",
            _post(f"{pathway_url}/award", evaluate_request(), "-o award.json ") + " && jq . award.json",
        ),
        Step(
            "Verify the composite award",
            f"jq -r .credential award.json > award-credential.json\n"
            f"{program} demo verify award-credential.json --recipient-email {email}",
        ),
    )


@dataclass(frozen=True, slots=True)
class SampleClaim:
    """Issue 6: a credential issued by this run, and its learner's claim link."""

    credential_row_id: uuid.UUID
    achievement: str
    email: str
    claim_url: str
    expires_at: datetime


def issue_sample_claim(
    session: Session, seed: DemoSeed, *, master: MasterKey, contexts: ContextStore, base_url: str, clock: Clock
) -> SampleClaim:
    """Issue the first micro-credential to the wallet demo learner, as `POST /api/v1/credentials` does, and return
    its claim link: the claim page, downloads, wallets, LinkedIn and the public page can be tried at once."""
    principal = _CommandLine(organization_id=seed.organization_id, client_id=seed.client.client_id, scopes=ALL_SCOPES)
    body = {**issue_request(seed), "recipient": {"email": demo_data.WALLET_LEARNER_EMAIL}}
    ports = IssuancePorts(contexts=contexts, master=master, base_url=base_url, clock=clock)
    issued = issue_credential(
        session, principal, IssueCredentialRequest.model_validate(body), idempotency_key=None, ports=ports
    )
    link = claim_link_for(session, issued.credential, master=master, base_url=base_url, now=clock())
    return SampleClaim(
        credential_row_id=issued.credential.id,
        achievement=seed.first_micro_credential.name,
        email=demo_data.WALLET_LEARNER_EMAIL,
        claim_url=link.url,
        expires_at=link.expires_at,
    )
