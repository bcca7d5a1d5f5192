"""CLI commands over the standards core: bake, unbake, sign, verify (README "Command line")."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from credentials import baking
from credstack.settings import Settings

EXIT_OK = 0
EXIT_NOT_VERIFIED = 1
EXIT_BAD_INPUT = 2


class CliInputError(Exception):
    """Input the command cannot use; printed as one line, exit code 2."""


def read_input(path: str, *, limit: int) -> bytes:
    """Read FILE or `-` (stdin) up to `limit` bytes; one byte more means the input is over the cap."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise CliInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise CliInputError(f"{path} is larger than the {limit} byte limit")
    return data


def cmd_bake(args: argparse.Namespace, settings: Settings) -> int:
    """OB 3.0 baking: the credential (JSON or compact JWS) into a PNG or SVG."""
    payload = read_input(args.file, limit=settings.max_json_bytes).decode("utf-8-sig", errors="strict").strip()
    image = read_input(args.image, limit=settings.max_image_bytes)
    try:
        baked = baking.bake(image, payload, replace=args.replace)
    except baking.BakingError as exc:
        raise CliInputError(str(exc)) from exc
    try:
        Path(args.output).write_bytes(baked)
    except OSError as exc:
        raise CliInputError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    return EXIT_OK


def cmd_unbake(args: argparse.Namespace, settings: Settings) -> int:
    """OB 3.0 baking: print the credential baked into a PNG or SVG."""
    image = read_input(args.image, limit=settings.max_image_bytes)
    try:
        payload = baking.extract(image)
    except baking.BakingError as exc:
        raise CliInputError(str(exc)) from exc
    sys.stdout.write(payload + "\n")
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the credential commands on the top-level parser."""
    bake = sub.add_parser("bake", help="bake a credential into a PNG or SVG image")
    bake.add_argument("file", help="credential JSON or compact JWT ('-' for stdin)")
    bake.add_argument("--image", required=True, help="PNG or SVG to bake into")
    bake.add_argument("-o", "--output", required=True, help="where to write the baked image")
    bake.add_argument("--replace", action="store_true", help="replace a credential already baked in")
    bake.set_defaults(handler=cmd_bake)

    unbake = sub.add_parser("unbake", help="print the credential baked into a PNG or SVG image")
    unbake.add_argument("image")
    unbake.set_defaults(handler=cmd_unbake)
