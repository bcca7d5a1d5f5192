"""The `credstack` command line: serve, db, clients, demo, keys, sign, verify, bake, unbake (README "CLI").

Exit codes are API: 0 success (verified), 1 verification failed, 2 unusable input or usage error.
No traceback reaches the user for bad input: every expected failure prints one line to stderr.
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credentials.keys import Ed25519KeyPair, KeyMaterialError
from credstack import cli_clients, cli_credentials, cli_demo
from credstack.cli_credentials import CliInputError
from credstack.settings import Settings

if TYPE_CHECKING:
    from credstack.serve import Tls

EXIT_OK = 0
EXIT_NOT_VERIFIED = 1
EXIT_BAD_INPUT = 2


class CliError(Exception):
    """An expected failure: message for stderr and the exit code."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = code


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the service with uvicorn (credstack.serve); the app is built by the factory, never at import time."""
    from credstack.serve import serve

    return serve(settings, host=args.host, port=args.port, workers=args.workers, tls=_serve_tls(args))


def _serve_tls(args: argparse.Namespace) -> Tls | None:
    """`--ssl-certfile` / `--ssl-keyfile`, checked before uvicorn starts: a bad pair is one line and exit 2."""
    from credstack.serve import Tls

    certfile: Path | None = args.ssl_certfile
    keyfile: Path | None = args.ssl_keyfile
    if certfile is None:
        if keyfile is not None:
            raise CliError("--ssl-keyfile needs --ssl-certfile")
        return None
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise CliError(f"--ssl-certfile/--ssl-keyfile cannot be used: {exc}") from exc
    return Tls(certfile=certfile, keyfile=keyfile)


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from credstack.db import upgrade

    upgrade(settings, args.revision)
    return EXIT_OK


def cmd_keys_generate(args: argparse.Namespace, settings: Settings) -> int:
    """Ed25519 key pair as Multikey values and its did:key (CID 1.0 §2.2.2, did:key §3.1)."""
    if args.seed is not None:
        try:
            seed = bytes.fromhex(args.seed)
        except ValueError as exc:
            raise CliError("--seed must be 64 hexadecimal characters (a 32-byte Ed25519 seed)") from exc
        try:
            key = Ed25519KeyPair.from_seed(seed)
        except KeyMaterialError as exc:
            raise CliError(f"--seed: {exc}") from exc
    else:
        key = Ed25519KeyPair.generate()
    _print_json(
        {
            "did": key.did_key,
            "verificationMethod": key.did_key_verification_method,
            "publicKeyMultibase": key.public_key_multibase,
            "secretKeyMultibase": key.secret_key_multibase,
        }
    )
    return EXIT_OK


Handler = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="credstack", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--ssl-certfile", type=Path, help="serve HTTPS: PEM certificate chain (uvicorn ssl_certfile)")
    serve.add_argument("--ssl-keyfile", type=Path, help="PEM private key of --ssl-certfile, if not in that file")
    serve.set_defaults(handler=cmd_serve)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_sub.add_parser("upgrade", help="apply migrations")
    db_upgrade.add_argument("revision", nargs="?", default="head")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)

    keys = sub.add_parser("keys", help="key management")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    generate = keys_sub.add_parser("generate", help="generate an Ed25519 key pair (Multikey, did:key)")
    generate.add_argument("--seed", help="32-byte seed as hex, for reproducible keys")
    generate.set_defaults(handler=cmd_keys_generate)

    cli_clients.add_commands(sub)
    cli_credentials.add_commands(sub)
    cli_demo.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, Settings.from_env())
    except CliError as exc:
        sys.stderr.write(f"credstack: {exc}\n")
        return exc.exit_code
    except CliInputError as exc:
        sys.stderr.write(f"credstack: {exc}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
