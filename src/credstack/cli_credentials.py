"""CLI commands over the standards core: sign, verify, bake, unbake."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the credential commands on the top-level parser."""
