"""Issue 3 "time a 10,000-credential batch end to end": submit a batch job over HTTP and time it until completed.

Run from the repository root:
`.venv/bin/python bench/batch_10k.py [--database-url URL] [--items N] [--sync] [--json PATH]`.
Without `--database-url`, a new SQLite database in a temporary directory; with one (e.g. PostgreSQL), that database,
migrated to the head revision, with a new organization per run. See bench/README.md for what is timed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from credstack import demo_data
from credstack.app import create_app
from credstack.db import upgrade
from credstack.settings import Settings
from issuer.achievement_service import AchievementUrls, create_achievement
from issuer.api_clients import register_api_client
from issuer.db import create_database_engine, session_factory
from issuer.did_web import PublicBase
from issuer.issuers import create_issuer
from issuer.keystore import MASTER_KEY_FILE_NAME, load_master_key
from issuer.models import Credential
from issuer.principal import Principal
from issuer.runtime import utc_now
from issuer.scopes import ALL_SCOPES
from schemas.achievement import AchievementTemplate
from schemas.profile import IssuerCreate

BATCH: Final = "/api/v1/credentials/batch"
LEVEL: Final = {"resultDescription": "#assessment", "achievedLevel": "#proficient"}


@dataclass(frozen=True)
class Seeded:
    client_id: str
    client_secret: str
    organization_id: uuid.UUID
    achievement_id: uuid.UUID


@dataclass(frozen=True)
class Measurement:
    database: str
    mode: str
    items: int
    succeeded: int
    failed: int
    submit_seconds: float
    total_seconds: float
    credentials_per_second: float


def seed(settings: Settings) -> Seeded:
    """A new organization with an API client, the demo issuer and its first micro-credential, via the services."""
    master = load_master_key(env_value=settings.master_key, key_file=settings.data_dir / MASTER_KEY_FILE_NAME)
    engine = create_database_engine(settings.effective_database_url)
    try:
        with session_factory(engine)() as session:
            now = utc_now()
            name = f"Batch benchmark {uuid.uuid4().hex[:8]}"
            client = register_api_client(session, organization=name, scopes=ALL_SCOPES, now=now)
            principal = Principal(client.organization_id, client.client_id, ALL_SCOPES)
            base = PublicBase.parse(settings.base_url)
            issuer = create_issuer(
                session, principal, IssuerCreate.model_validate(demo_data.ISSUER), master=master, base=base, now=now
            )
            template = AchievementTemplate.model_validate(demo_data.MICRO_CREDENTIALS[0])
            urls = AchievementUrls(settings.base_url)
            stored = create_achievement(session, principal, template, issuer_id=issuer.id, urls=urls, now=now)
            return Seeded(client.client_id, client.client_secret, client.organization_id, stored.achievement.id)
    finally:
        engine.dispose()


def items(seeded: Seeded, count: int) -> list[dict[str, Any]]:
    """Realistic import rows: one learner each, the rubric level reached, credits, and a retry-safe key."""
    run = uuid.uuid4().hex[:8]
    return [
        {
            "achievement_id": str(seeded.achievement_id),
            "recipient": {"email": f"learner{n}@example.com"},
            "result": [LEVEL],
            "creditsEarned": 2.0,
            "idempotency_key": f"bench-{run}-{n}",
        }
        for n in range(count)
    ]


def run(settings: Settings, seeded: Seeded, count: int, poll: float, *, sync: bool) -> Measurement:
    """Submit the batch (202, a job) and poll `GET /api/v1/jobs/{id}` until it completes; the app's worker issues.

    With `sync`, the batch is answered within the request (at most 1,000 items) and that request is timed.
    """
    body = {"items": items(seeded, count)}
    with TestClient(create_app(settings)) as client:
        form = {"grant_type": "client_credentials", "client_id": seeded.client_id}
        form["client_secret"] = seeded.client_secret
        headers = {"Authorization": f"Bearer {client.post('/oauth/token', data=form).json()['access_token']}"}
        started = time.perf_counter()
        response = client.post(BATCH, json=body, headers=headers, params=None if sync else {"async": "true"})
        submitted = time.perf_counter()
        if response.status_code != (200 if sync else 202):
            raise SystemExit(f"submission failed: {response.status_code} {response.text[:500]}")
        state = response.json() if sync else _wait(client, response.json()["status_url"], headers, poll)
        finished = time.perf_counter()
    total = finished - started
    return Measurement(
        database=settings.effective_database_url.split(":", 1)[0],
        mode="sync" if sync else "job",
        items=count,
        succeeded=state["succeeded"],
        failed=state["failed"],
        submit_seconds=round(submitted - started, 2),
        total_seconds=round(total, 2),
        credentials_per_second=round(state["succeeded"] / total, 1),
    )


def _wait(client: TestClient, status_url: str, headers: dict[str, str], poll: float) -> dict[str, Any]:
    while True:
        state: dict[str, Any] = client.get(status_url, headers=headers).json()
        if state["status"] in ("completed", "failed"):
            return state
        print(f"  {state['status']} {state['progress']:.1%}", file=sys.stderr)
        time.sleep(poll)


def stored_count(settings: Settings, seeded: Seeded) -> int:
    engine = create_database_engine(settings.effective_database_url)
    try:
        with session_factory(engine)() as session:
            query = select(func.count()).where(Credential.organization_id == seeded.organization_id)
            return session.scalar(query) or 0
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL; default: a new SQLite database in a temporary dir")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between job status requests")
    parser.add_argument("--sync", action="store_true", help="answer within the request (at most 1,000 items)")
    parser.add_argument("--json", type=Path, help="also write the measurement here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="credstack-bench-") as data_dir:
        settings = Settings(data_dir=Path(data_dir), database_url=args.database_url, job_worker=True)
        upgrade(settings)
        seeded = seed(settings)
        measurement = run(settings, seeded, args.items, args.poll, sync=args.sync)
        stored = stored_count(settings, seeded)
    if stored != measurement.succeeded:
        raise SystemExit(f"{stored} credentials stored, but the job reports {measurement.succeeded}")
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(measurement), indent=1) + "\n")
    print(" ".join(f"{key}={value}" for key, value in asdict(measurement).items()))
    return 0 if measurement.failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
