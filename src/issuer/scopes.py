"""OAuth 2.0 scopes of the Credstack API (RFC 6749 §3.3): the one list every client, token and route uses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class Scope(StrEnum):
    """What an API client may do; later issues add members here (e.g. `pathways:write`) and nowhere else."""

    ISSUERS_WRITE = "issuers:write"
    ACHIEVEMENTS_WRITE = "achievements:write"
    CREDENTIALS_ISSUE = "credentials:issue"
    CREDENTIALS_REVOKE = "credentials:revoke"
    CREDENTIALS_READ = "credentials:read"
    PATHWAYS_WRITE = "pathways:write"


ALL_SCOPES: frozenset[Scope] = frozenset(Scope)

SCOPE_DESCRIPTIONS: dict[str, str] = {
    Scope.ISSUERS_WRITE: "create and change issuer profiles and their keys",
    Scope.ACHIEVEMENTS_WRITE: "create and change achievements",
    Scope.CREDENTIALS_ISSUE: "issue credentials",
    Scope.CREDENTIALS_REVOKE: "revoke or suspend issued credentials",
    Scope.CREDENTIALS_READ: "read issued credentials",
    Scope.PATHWAYS_WRITE: "create and change pathways (composite awards)",
}

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by single spaces.
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")


class ScopeSyntaxError(ValueError):
    """The scope string is not RFC 6749 §3.3 syntax or names a scope Credstack does not define."""


def parse_scopes(value: str) -> frozenset[Scope]:
    """RFC 6749 §3.3: a space-delimited, case-sensitive list; order and repetition carry no meaning."""
    tokens = value.split(" ")
    if any(not _SCOPE_TOKEN.match(token) for token in tokens):
        raise ScopeSyntaxError("scope must be space-separated scope tokens (RFC 6749 §3.3)")
    unknown = sorted(set(tokens) - set(ALL_SCOPES))
    if unknown:
        raise ScopeSyntaxError(f"unknown scope: {' '.join(unknown)}")
    return frozenset(Scope(token) for token in tokens)


def format_scopes(scopes: Iterable[Scope]) -> str:
    """RFC 6749 §3.3 scope string, sorted so stored values and responses are stable."""
    return " ".join(sorted(str(scope) for scope in scopes))
