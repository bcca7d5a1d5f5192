"""Credstack settings, read once from the environment (README "Configuration")."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_JSON_BYTES = 1_000_000
DEFAULT_MAX_IMAGE_BYTES = 5_000_000
DEFAULT_MAX_BATCH_BYTES = 50_000_000


def _hosts(value: str) -> frozenset[str]:
    return frozenset(h.strip().lower() for h in value.split(",") if h.strip())


def _flag(value: str) -> bool:
    """`1`, `true`, `yes`, `on` (any case) mean on; anything else off."""
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob the service and CLI take; built by `from_env`, passed down explicitly, never global."""

    data_dir: Path = Path("./var")
    database_url: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    master_key: str | None = None
    extra_contexts: Path | None = None
    fetch_allow_hosts: frozenset[str] = field(default_factory=frozenset)
    max_json_bytes: int = DEFAULT_MAX_JSON_BYTES
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    # Issue 3: the body cap of POST /api/v1/credentials/batch (jobs of up to 100,000 items), and the job worker.
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES
    job_worker: bool = True
    # Issue 3 VC-API: the issuer that signs POST /credentials/issue, and whether those routes need no token.
    vcapi_issuer: uuid.UUID | None = None
    vcapi_open: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        extra = env.get("CREDSTACK_EXTRA_CONTEXTS")
        return cls(
            data_dir=Path(env.get("CREDSTACK_DATA_DIR", "./var")),
            database_url=env.get("CREDSTACK_DATABASE_URL") or None,
            base_url=env.get("CREDSTACK_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            master_key=env.get("CREDSTACK_MASTER_KEY") or None,
            extra_contexts=Path(extra) if extra else None,
            fetch_allow_hosts=_hosts(env.get("CREDSTACK_FETCH_ALLOW_HOSTS", "")),
            max_json_bytes=int(env.get("CREDSTACK_MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES)),
            max_image_bytes=int(env.get("CREDSTACK_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)),
            max_batch_bytes=int(env.get("CREDSTACK_MAX_BATCH_BYTES", DEFAULT_MAX_BATCH_BYTES)),
            job_worker=_flag(env.get("CREDSTACK_JOB_WORKER", "1")),
            vcapi_issuer=uuid.UUID(vcapi) if (vcapi := env.get("CREDSTACK_VCAPI_ISSUER", "").strip()) else None,
            vcapi_open=_flag(env.get("CREDSTACK_VCAPI_OPEN", "0")),
        )

    @property
    def effective_database_url(self) -> str:
        """The configured URL, else the embedded SQLite database under the data directory.

        A bare `postgresql://` (or `postgres://`) URL means psycopg 3, the PostgreSQL driver Credstack installs.
        """
        if self.database_url:
            for bare in ("postgresql://", "postgres://"):
                if self.database_url.startswith(bare):
                    return "postgresql+psycopg://" + self.database_url.removeprefix(bare)
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'credstack.db').resolve()}"
