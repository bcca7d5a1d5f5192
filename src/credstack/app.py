"""The ASGI application factory: composition of settings, context store, database and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from fastapi import FastAPI

from credentials.jsonld import ContextStore
from credstack import __version__
from credstack.job_worker import start_job_worker, stop_job_worker
from credstack.middleware import BodySizeLimitMiddleware
from credstack.pathway_verification import runner_verify_port
from credstack.problems import install_problem_handlers
from credstack.settings import Settings
from credstack.verification import service_verifier_ports
from credstack.web import build_page_router, page_body_limit, static_files
from credstack.web.claim_pages import build_claim_pages_router
from credstack.web.public_pages import build_public_pages_router
from issuer.db import create_database_engine, session_factory
from issuer.keystore import MASTER_KEY_FILE_NAME, load_master_key
from issuer.routers.achievements import build_achievements_router
from issuer.routers.batches import BATCH_PATH, build_batches_router
from issuer.routers.competencies import build_competencies_router
from issuer.routers.credentials import build_credentials_router
from issuer.routers.exchanges import build_exchanges_router
from issuer.routers.issuers import build_issuers_router
from issuer.routers.jobs import build_jobs_router
from issuer.routers.learners import build_learners_router
from issuer.routers.oauth import build_oauth_router
from issuer.routers.oid4vci import build_oid4vci_router
from issuer.routers.pathways import build_pathways_router
from issuer.routers.status_lists import build_status_lists_router
from issuer.routers.vcapi import VcApiConfig, build_vcapi_router
from issuer.routers.wallet_api import build_wallet_api_router
from issuer.runtime import Clock, IssuerContext, utc_now
from verifier.api.routers import VERIFY_PATH, build_verify_router, verify_body_limit
from verifier.api.runner import VerificationRunner
from verifier.parse import Limits


def create_app(
    settings: Settings, *, clock: Clock = utc_now, verifier_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the service; everything it holds is created here or in `lifespan`, nothing at import time.

    `verifier_transport` replaces the network for the verifier's fetches (tests pass an httpx.MockTransport).

    The database schema is not touched: `credstack db upgrade` migrates (and `make run` does that first).

    The lifespan reads the settings, the clock and the transport from `app.state`, where this factory puts them, at
    each start: what it opens (database, keys, verifier) follows them, while the routes (built once, here) depend
    only on the base URL, the size limits and the VC-API configuration.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings: Settings = app.state.settings
        clock: Clock = app.state.clock
        verifier_transport: httpx.AsyncBaseTransport | None = app.state.verifier_transport
        # Pinned context hashes are checked once at start-up: a tampered contexts/ stops the service.
        app.state.contexts = contexts = ContextStore.load(extra_dir=settings.extra_contexts)
        # Issue 3: loaded (or, for the key file, created) once; a malformed key or unsafe key file stops start-up.
        master_key = load_master_key(env_value=settings.master_key, key_file=settings.data_dir / MASTER_KEY_FILE_NAME)
        engine = create_database_engine(settings.effective_database_url)
        app.state.issuer_context = base_context = IssuerContext(
            sessions=session_factory(engine), clock=clock, master_key=master_key, contexts=contexts
        )
        app.state.job_worker = worker = start_job_worker(settings, base_context)
        try:
            # Issue 4: one verifier for the process, so DID documents and status lists stay cached across requests
            # (bounded caches that honour Cache-Control). Verifications run on the runner's own loop and thread, with
            # the ports built there (an HTTP client stays on the loop that opened its connections), so their CPU
            # work never stalls this loop: verifier.api.runner.
            async with VerificationRunner.started(
                lambda: service_verifier_ports(settings, base_context, transport=verifier_transport)
            ) as runner:
                app.state.verification_runner = runner
                # Issue 5: the pathway routes verify through the same runner, handed to the issuer as a port in
                # its context (the issuer package does not import the verifier).
                app.state.issuer_context = replace(base_context, verify=runner_verify_port(runner))
                yield
        finally:
            await stop_job_worker(worker)
            engine.dispose()

    app = FastAPI(
        title="Credstack",
        version=__version__,
        description="Stackable micro-credentials on Open Badges 3.0 / W3C Verifiable Credentials.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.verifier_transport = verifier_transport
    install_problem_handlers(app)
    limits = Limits(max_json_bytes=settings.max_json_bytes, max_image_bytes=settings.max_image_bytes)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_json_bytes,
        path_limits={
            BATCH_PATH: settings.max_batch_bytes,
            "/": page_body_limit(settings),
            VERIFY_PATH: verify_body_limit(limits),
        },
    )
    app.include_router(build_oauth_router())
    app.include_router(build_achievements_router(base_url=settings.base_url))
    app.include_router(build_competencies_router(base_url=settings.base_url))
    app.include_router(build_pathways_router(base_url=settings.base_url))
    app.include_router(build_issuers_router(base_url=settings.base_url))
    app.include_router(build_credentials_router(base_url=settings.base_url))
    app.include_router(build_learners_router(base_url=settings.base_url))
    app.include_router(build_batches_router(base_url=settings.base_url))
    app.include_router(build_jobs_router(base_url=settings.base_url))
    app.include_router(build_status_lists_router(base_url=settings.base_url))
    vcapi = VcApiConfig(issuer_id=settings.vcapi_issuer, open=settings.vcapi_open)
    app.include_router(build_vcapi_router(base_url=settings.base_url, config=vcapi))
    app.include_router(build_verify_router(limits=limits))
    app.include_router(build_wallet_api_router(base_url=settings.base_url))
    app.include_router(build_claim_pages_router())
    app.include_router(build_public_pages_router())
    app.include_router(build_exchanges_router(base_url=settings.base_url))
    app.include_router(build_oid4vci_router(base_url=settings.base_url))
    app.include_router(build_page_router())
    app.mount("/static", static_files(), name="static")

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process is up and its pinned contexts loaded."""
        return {"status": "ok", "version": __version__}

    return app
