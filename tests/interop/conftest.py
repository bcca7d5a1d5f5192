"""Interop tests run the pinned JavaScript reference; `make test` installs it, so a missing one is an error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jsref import JsReference, available


@pytest.fixture(scope="session")
def js_reference() -> Iterator[JsReference]:
    if not available():
        pytest.fail("the JavaScript reference is not installed: run `make install-node` (npm ci in tests/interop)")
    with JsReference() as reference:
        yield reference
