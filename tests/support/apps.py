"""The service application for tests, built once per test worker and route-shaping settings, restarted per test.

Building the routes costs about half a second (FastAPI analyses every route's dependencies and response models),
more than most service tests take. `create_app` keeps what a test changes (database, data directory, master key,
clock, verifier transport) in `app.state`, which its lifespan reads at each start, so one built application serves
every test in turn, each through its own TestClient and so its own start-up. Only the settings the routes and
middleware are built from (base URL, size limits, VC-API configuration) pick a different application. A test that
needs two applications at once calls `create_app` itself.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from credstack.app import create_app
from credstack.settings import Settings
from issuer.runtime import Clock, utc_now

_BUILT: dict[tuple[object, ...], tuple[FastAPI, int]] = {}


def _shape(settings: Settings) -> tuple[object, ...]:
    """The settings create_app builds routes and middleware from (the rest is read at start-up)."""
    return (
        settings.base_url,
        settings.max_json_bytes,
        settings.max_image_bytes,
        settings.max_batch_bytes,
        settings.vcapi_issuer,
        settings.vcapi_open,
    )


def service_app(
    settings: Settings, *, clock: Clock = utc_now, verifier_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """An application for `settings`: a built one with the same routes, given this test's settings and clock."""
    built = _BUILT.get(_shape(settings))
    if built is None:
        app = create_app(settings, clock=clock, verifier_transport=verifier_transport)
        built = _BUILT[_shape(settings)] = (app, len(app.routes))
    app, routes = built
    # A test that adds routes to the shared application would change it for every later test: refuse.
    assert len(app.routes) == routes, "a test changed the shared application's routes; build its own with create_app"
    app.state.settings = settings
    app.state.clock = clock
    app.state.verifier_transport = verifier_transport
    return app
