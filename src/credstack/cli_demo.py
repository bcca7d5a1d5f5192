"""Issue 3 "`credstack demo` seeds a demo organization ... and prints the curl commands to issue and verify", and
issue 5's walkthrough from three components to the composite award: `credstack demo [--json]` and
`credstack demo verify FILE`.

The demo loads the master key exactly as the service's lifespan does (CREDSTACK_MASTER_KEY, else
`$CREDSTACK_DATA_DIR/master.key`, created when missing), so the issuer keys it seals are the ones the service
opens when it signs. Output is text for people, or one JSON object with `--json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from credentials.jsonld import ContextStore, ContextStoreError
from credstack.cli_clients import _run
from credstack.cli_credentials import EXIT_NOT_VERIFIED, EXIT_OK, CliInputError, read_input
from credstack.demo import (
    DemoAchievement,
    DemoSeed,
    SampleClaim,
    Step,
    evaluate_request,
    instructions,
    issue_request,
    issue_sample_claim,
    pathway_rule,
    seed_demo,
)
from credstack.report_text import render_text
from credstack.settings import Settings
from credstack.verification import verifier_ports
from issuer.achievement_service import AchievementUrls
from issuer.db import create_database_engine, session_factory
from issuer.did_documents import local_documents
from issuer.did_web import InvalidBaseUrl, PublicBase
from issuer.keystore import MASTER_KEY_FILE_NAME, MasterKey, MasterKeyError, MasterKeyMismatch, load_master_key
from issuer.runtime import utc_now
from issuer.scopes import format_scopes
from issuer.status_list_publishing import PublishingPorts, local_status_lists
from schemas.report import VerificationReport
from verifier.parse import UnreadableInput
from verifier.service import VerifyOptions, verify_input

PATHWAY_NOTE = (
    "The composite is awarded through the pathway: its rule asks for all three micro-credentials, and it is not "
    "awarded automatically. Evaluating says what is still missing; once the learner holds all three, the award "
    "step issues the composite with each component as evidence. GET /api/v1/pathways/{id}/coverage shows the "
    "framework's competencies covered by the components."
)
VERIFY_NOTE = (
    "`credstack demo verify` checks a credential as the service's own verifier does: this service's did:web DID "
    "documents and status lists come from its database, anything else is fetched as usual. `credstack verify` "
    "cannot check them under a plain-http base URL such as http://127.0.0.1:8000 (did:web needs https and a domain "
    "name, and status lists are fetched over https only); under an https CREDSTACK_BASE_URL with a public domain "
    "name, `credstack verify credential.json --format text` checks the same credential from anywhere."
)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Seed the demo organization (reusing what an earlier run created) and print how to issue and verify."""
    try:
        base = PublicBase.parse(settings.base_url)
    except InvalidBaseUrl as exc:
        raise CliInputError(str(exc)) from exc
    master = _master_key(settings)
    # As the routers build them (credstack.app), so the demo's rows are the ones the API would have written.
    urls = AchievementUrls(settings.base_url)
    seed = _run(settings, lambda session: seed_demo(session, master=master, base=base, urls=urls, now=utc_now()))
    sample = _run(settings, lambda session: _sample_claim(session, seed, settings, master))
    steps = instructions(seed, base_url=settings.base_url, program=_program())
    if args.json:
        document = demo_document(seed, steps, base_url=settings.base_url)
        document["sample_claim"] = _sample_document(sample)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(demo_text(seed, steps, base_url=settings.base_url))
        sys.stdout.write(_sample_text(sample))
    return EXIT_OK


def _sample_claim(session: Session, seed: DemoSeed, settings: Settings, master: MasterKey) -> SampleClaim | None:
    """Issue 6: a credential issued now, signed as the service signs, and its claim link; None when the reused
    issuer's key was sealed under another master key (the warning printed says so)."""
    try:
        contexts = ContextStore.load(extra_dir=settings.extra_contexts)
    except ContextStoreError as exc:
        raise CliInputError(str(exc)) from exc
    try:
        return issue_sample_claim(
            session, seed, master=master, contexts=contexts, base_url=settings.base_url, clock=utc_now
        )
    except MasterKeyMismatch:
        session.rollback()
        return None


def _sample_document(sample: SampleClaim | None) -> dict[str, Any] | None:
    if sample is None:
        return None
    return {
        "credential_id": str(sample.credential_row_id),
        "achievement": sample.achievement,
        "email": sample.email,
        "claim_url": sample.claim_url,
        "expires_at": sample.expires_at.isoformat(),
    }


def _sample_text(sample: SampleClaim | None) -> str:
    """The learner's side, printed last so it is seen: the claim link of the credential this run issued."""
    if sample is None:
        return "No credential was issued to show a claim link: the issuer cannot sign (see the warning above).\n"
    lines = [
        f"The learner's side (issue 6): this run issued {sample.achievement} to {sample.email}. Open its claim link",
        "in a browser (with the service running) to download the credential or the baked badge, add it to the DCC",
        "Learner Credential Wallet or an OpenID4VCI wallet, add it to LinkedIn, or make a public page:",
        f"  {sample.claim_url}",
        f"  (valid until {sample.expires_at:%Y-%m-%d %H:%M} UTC)",
        "",
    ]
    return "\n".join(lines)


def _master_key(settings: Settings) -> MasterKey:
    """The master key exactly as the app's lifespan loads it (credstack.app), so both seal and open the same keys."""
    try:
        return load_master_key(env_value=settings.master_key, key_file=settings.data_dir / MASTER_KEY_FILE_NAME)
    except MasterKeyError as exc:
        raise CliInputError(str(exc)) from exc


def _program() -> str:
    """How to call credstack in the printed steps: as this run was called (`.venv/bin/credstack` in a checkout)."""
    invoked = sys.argv[0] if sys.argv else ""
    return shlex.quote(invoked) if Path(invoked).name == "credstack" else "credstack"


def _warnings(seed: DemoSeed) -> list[str]:
    sealed_under = seed.issuer.sealed_under
    if sealed_under is None:
        return [f"The issuer {seed.issuer.id} has no active key, so it cannot sign: rotate its keys first."]
    if sealed_under != seed.master_key_id:
        return [
            f"The issuer's active key was sealed under master key {sealed_under}, but master key "
            f"{seed.master_key_id} is configured now: signing fails until the service loads master key "
            f"{sealed_under} (CREDSTACK_MASTER_KEY or $CREDSTACK_DATA_DIR/master.key)."
        ]
    return []


def demo_document(seed: DemoSeed, steps: tuple[Step, ...], *, base_url: str) -> dict[str, Any]:
    """The `--json` output: everything the text says, for scripts."""
    issuer = seed.issuer
    return {
        "base_url": base_url,
        "organization": {
            "id": str(seed.organization_id),
            "name": seed.organization,
            "created": seed.organization_created,
        },
        "issuer": {
            "id": str(issuer.id),
            "name": issuer.name,
            "did": issuer.did,
            "profile_url": issuer.profile_url,
            "did_document_url": issuer.did_document_url,
            "created": issuer.created,
        },
        "competencies": [
            {
                "id": str(c.id),
                "framework": c.framework,
                "code": c.code,
                "name": c.name,
                "url": c.url,
                "created": c.created,
            }
            for c in seed.competencies
        ],
        "achievements": [
            {
                "id": str(a.id),
                "name": a.name,
                "achievementType": a.achievement_type,
                "url": a.url,
                "created": a.created,
                "composite": a.composite,
            }
            for a in seed.achievements
        ],
        "pathway": {
            "id": str(seed.pathway.id),
            "name": seed.pathway.name,
            "version": seed.pathway.version,
            "rule": seed.pathway.rule,
            "auto_award": seed.pathway.auto_award,
            "created": seed.pathway.created,
        },
        "client": {
            "client_id": seed.client.client_id,
            "client_secret": seed.client.client_secret,
            "scopes": format_scopes(seed.client.scopes).split(" "),
        },
        "master_key_id": seed.master_key_id,
        "issue_request": issue_request(seed),
        "issue_requests": [issue_request(seed, achievement) for achievement in seed.micro_credentials],
        "evaluate_request": evaluate_request(),
        "steps": [{"title": step.title, "command": step.command} for step in steps],
        "notes": [PATHWAY_NOTE, VERIFY_NOTE],
        "warnings": _warnings(seed),
    }


def _state(created: bool) -> str:
    return "created" if created else "already there, reused"


def _achievement_line(achievement: DemoAchievement, width: int) -> str:
    composite = "  (composite, awarded by the pathway)" if achievement.composite else ""
    name, kind = achievement.name, achievement.achievement_type
    return f"  {name:<{width}}  {kind:<15}  {achievement.id}  {_state(achievement.created)}{composite}"


def _rule_text(seed: DemoSeed) -> str:
    """The pathway's rule: in words when it is the one the demo creates, else as stored (someone edited it)."""
    if seed.pathway.rule == pathway_rule(seed.achievements):
        return "all of: " + ", ".join(a.name for a in seed.micro_credentials)
    return json.dumps(seed.pathway.rule, ensure_ascii=False)


def demo_text(seed: DemoSeed, steps: tuple[Step, ...], *, base_url: str) -> str:
    """The default output: what exists, the client's credentials once, then the steps to paste."""
    issuer = seed.issuer
    width = max(len(a.name) for a in seed.achievements)
    pathway = seed.pathway
    framework = seed.competencies[0].framework if seed.competencies else ""
    lines = [
        f'Credstack demo at {base_url}: organization "{seed.organization}" ({_state(seed.organization_created)})',
        "",
        f"Issuer: {issuer.name} ({_state(issuer.created)})",
        f"  id       {issuer.id}",
        f"  DID      {issuer.did}",
        f"  profile  {issuer.profile_url}",
        f"  DID doc  {issuer.did_document_url}",
        "",
        f"Competencies ({framework}):",
        *(f"  {c.code:<6}  {c.name:<{width}}  {c.id}  {_state(c.created)}" for c in seed.competencies),
        "",
        "Achievements (each aligned to its competency; the composite to all three):",
        *(_achievement_line(a, width) for a in seed.achievements),
        "  Each one's OB 3.0 Achievement JSON is public at its URL, e.g.",
        f"  {seed.achievements[0].url}",
        "",
        f'Pathway "{pathway.name}" (version {pathway.version}, {_state(pathway.created)})',
        f"  id          {pathway.id}",
        f"  awards      {seed.composite.name}",
        f"  rule        {_rule_text(seed)}",
        f"  auto_award  {str(pathway.auto_award).lower()}",
        *(f"  {line}" for line in _wrap(PATHWAY_NOTE, 108)),
        "",
        "API client (a new one on every run; the secret is shown only this once):",
        f"  client_id      {seed.client.client_id}",
        f"  client_secret  {seed.client.client_secret}",
        f"  scopes         {format_scopes(seed.client.scopes)}",
        "",
        f"The issuer's keys are sealed under master key {seed.master_key_id}; the service must load the same key.",
        *(f"WARNING: {warning}" for warning in _warnings(seed)),
        "",
        "Try it with the service running (`make run` in another terminal):",
    ]
    for number, step in enumerate(steps, start=1):
        lines += ["", f"# {number}. {step.title}", step.command]
    lines += ["", *_wrap(VERIFY_NOTE), ""]
    return "\n".join(lines)


def _wrap(text: str, width: int = 110) -> Iterator[str]:
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            yield line
            line = word
        else:
            line = f"{line} {word}" if line else word
    yield line


@contextmanager
def _sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = create_database_engine(settings.effective_database_url)
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


async def verify_own_credential(
    data: bytes, settings: Settings, sessions: sessionmaker[Session], *, master: MasterKey, options: VerifyOptions
) -> VerificationReport:
    """The verification pipeline with the service's own DID documents (issuer.did_documents.local_documents) and
    signed status lists (issuer.status_list_publishing.local_status_lists) read from its database."""
    publishing = PublishingPorts(
        sessions=sessions,
        contexts=ContextStore.load(extra_dir=settings.extra_contexts),
        master=master,
        base_url=settings.base_url,
        clock=utc_now,
    )
    async with verifier_ports(
        settings, local_documents=local_documents(sessions), local_status_lists=local_status_lists(publishing)
    ) as ports:
        return await verify_input(data, ports, options)


def cmd_demo_verify(args: argparse.Namespace, settings: Settings) -> int:
    """The verification report of FILE, as `credstack verify` prints it, with this service's DIDs and status lists
    taken from its database; exit 0 verified, 1 not verified, 2 unreadable."""
    data = read_input(args.file, limit=max(settings.max_json_bytes, settings.max_image_bytes))
    master = _master_key(settings)
    options = VerifyOptions(recipient_email=args.recipient_email)
    try:
        with _sessions(settings) as sessions:
            report = asyncio.run(verify_own_credential(data, settings, sessions, master=master, options=options))
    except UnreadableInput as exc:
        raise CliInputError(f"{args.file}: {exc}") from exc
    except ContextStoreError as exc:
        raise CliInputError(str(exc)) from exc
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise CliInputError(f"database error ({reason}); has `credstack db upgrade` been run?") from exc
    if args.format == "text":
        sys.stdout.write(render_text(report))
    else:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    return EXIT_OK if report.verified else EXIT_NOT_VERIFIED


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser(
        "demo", help="seed a demo organization and print the commands to issue and verify a credential"
    )
    demo.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    demo.set_defaults(handler=cmd_demo)
    demo_sub = demo.add_subparsers(dest="demo_command")
    verify = demo_sub.add_parser(
        "verify", help="verify a credential, this service's DID documents and status lists read from its database"
    )
    verify.add_argument("file", help="the credential: JSON, compact JWT or baked PNG/SVG ('-' for stdin)")
    verify.add_argument("--format", choices=["json", "text"], default="text")
    verify.add_argument("--recipient-email", help="check the credential was issued to this email address")
    verify.set_defaults(handler=cmd_demo_verify)
