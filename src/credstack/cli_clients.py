"""CLI commands for API clients (RFC 6749 §2): `credstack clients create` and `credstack clients revoke`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from credstack.cli_credentials import EXIT_OK, CliInputError
from credstack.settings import Settings
from issuer.api_clients import register_api_client, revoke_client
from issuer.db import create_database_engine, session_factory
from issuer.errors import IssuerError
from issuer.runtime import utc_now
from issuer.scopes import Scope

T = TypeVar("T")


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    engine = create_database_engine(settings.effective_database_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _run(settings: Settings, work: Callable[[Session], T]) -> T:
    """Domain and database failures become one line on stderr (exit 2), never a traceback."""
    try:
        with _session(settings) as session:
            return work(session)
    except IssuerError as exc:
        raise CliInputError(exc.detail or exc.title) from exc
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        raise CliInputError(f"database error ({reason}); has `credstack db upgrade` been run?") from exc


def _print_json(value: dict[str, str]) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def cmd_clients_create(args: argparse.Namespace, settings: Settings) -> int:
    """Print the new client's id and secret; the secret is stored only as a hash and never shown again."""
    registered = _run(
        settings,
        lambda session: register_api_client(
            session, organization=args.org, scopes=[Scope(s) for s in args.scopes], name=args.name, now=utc_now()
        ),
    )
    _print_json({"client_id": registered.client_id, "client_secret": registered.client_secret})
    return EXIT_OK


def cmd_clients_revoke(args: argparse.Namespace, settings: Settings) -> int:
    """Revoke a client: token requests fail and its access tokens stop working at once."""
    revoked_at = _run(
        settings, lambda session: revoke_client(session, args.client_id, now=utc_now(), reason=args.reason)
    )
    _print_json({"client_id": args.client_id, "revoked_at": revoked_at.isoformat()})
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    clients = sub.add_parser("clients", help="OAuth API clients")
    clients_sub = clients.add_subparsers(dest="clients_command", required=True)

    create = clients_sub.add_parser("create", help="create an API client (and its organization if new)")
    create.add_argument("--org", required=True, help="organization name; created on first use")
    create.add_argument(
        "--scopes",
        required=True,
        nargs="+",
        choices=[str(s) for s in Scope],
        metavar="SCOPE",
        help=f"one or more of: {' '.join(str(s) for s in Scope)}",
    )
    create.add_argument("--name", help="a label for the client (default: '<org> client')")
    create.set_defaults(handler=cmd_clients_create)

    revoke = clients_sub.add_parser("revoke", help="revoke an API client and its tokens")
    revoke.add_argument("client_id")
    revoke.add_argument("--reason", help="recorded in the audit log")
    revoke.set_defaults(handler=cmd_clients_revoke)
