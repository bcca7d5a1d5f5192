"""The ASGI application factory: composition of settings, context store and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from credentials.jsonld import ContextStore
from credstack import __version__
from credstack.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """Build the service; everything it holds is created here or in `lifespan`, nothing at import time."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Pinned context hashes are checked once at start-up: a tampered contexts/ stops the service.
        app.state.contexts = ContextStore.load(extra_dir=settings.extra_contexts)
        yield

    app = FastAPI(
        title="Credstack",
        version=__version__,
        description="Stackable micro-credentials on Open Badges 3.0 / W3C Verifiable Credentials.",
        lifespan=lifespan,
    )
    app.state.settings = settings

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process is up and its pinned contexts loaded."""
        return {"status": "ok", "version": __version__}

    return app
