"""Fixtures for the real wallet clients: node with the pinned packages, and Credstack served over TLS on loopback.

`make test` installs the packages (`npm ci` in tests/interop/wallets), so a missing node or package is a failure,
never a skip. See wallets/wallet_server.py and tests/interop/README.md ("Wallet clients").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wallets.wallet_server import Provisioned, WalletServer, node_problem, provision, start_server


@pytest.fixture(scope="session")
def wallet_node() -> None:
    """Fails the test when node or tests/interop/wallets/node_modules is missing."""
    problem = node_problem()
    if problem is not None:
        pytest.fail(f"wallet clients cannot run: {problem}")


@pytest.fixture(scope="session")
def wallet_server(tmp_path_factory: pytest.TempPathFactory, wallet_node: None) -> Iterator[WalletServer]:
    """`credstack serve` with TLS on a free port of 127.0.0.1 (one per pytest worker)."""
    with start_server(tmp_path_factory.mktemp("wallet-server")) as server:
        yield server


@pytest.fixture(scope="session")
def provisioned(wallet_server: WalletServer) -> Provisioned:
    """An organization, its API token, a did:key issuer and an achievement on `wallet_server`."""
    return provision(wallet_server)
