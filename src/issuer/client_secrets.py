"""Client secrets and access tokens: generation, and the one-way forms the database keeps (RFC 6749 §2.3.1, §10.3).

Client secrets are 32 random bytes (256 bits). Nothing can guess them, so a slow password KDF would buy no
security; what the stored hash must do is keep a database dump from handing out working credentials. We use
scrypt with a per-secret 16-byte salt and a deliberately small cost (N=2**12, r=8, p=1: about 4 MiB and a few
milliseconds), which keeps `POST /oauth/token` from being a CPU or memory amplifier. The parameters are stored
with each hash, so they can be raised later without invalidating existing secrets.

Access tokens are opaque 32-byte random strings; the database keeps their SHA-256 only. An unsalted fast hash
is right here: the token has full entropy and is looked up by its hash on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SECRET_BYTES = 32
TOKEN_BYTES = 32
CLIENT_ID_BYTES = 16
_SALT_BYTES = 16
_SCHEME = "scrypt"


@dataclass(frozen=True, slots=True)
class ScryptCost:
    log2_n: int = 12
    r: int = 8
    p: int = 1


DEFAULT_COST = ScryptCost()


class MalformedSecretHash(ValueError):
    """A stored hash this module did not write: a data bug, never a client's fault."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(secret: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=2**cost.log2_n, r=cost.r, p=cost.p, maxmem=64 * 1024 * 1024, dklen=32
    )


def new_client_id() -> str:
    """A public identifier (RFC 6749 §2.2); hex, so it needs no escaping in HTTP Basic credentials."""
    return secrets.token_hex(CLIENT_ID_BYTES)


def new_client_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_client_secret(secret: str, *, cost: ScryptCost = DEFAULT_COST) -> str:
    """`scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, base64url without padding."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(secret, salt, cost)
    return f"{_SCHEME}${cost.log2_n}${cost.r}${cost.p}${_b64(salt)}${_b64(digest)}"


def verify_client_secret(secret: str, stored: str) -> bool:
    """Recompute with the stored salt and cost and compare in constant time."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        raise MalformedSecretHash("not a scrypt client-secret hash")
    try:
        cost = ScryptCost(int(parts[1]), int(parts[2]), int(parts[3]))
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
    except ValueError as exc:
        raise MalformedSecretHash("unreadable client-secret hash") from exc
    return hmac.compare_digest(_scrypt(secret, salt, cost), expected)


# Verified when the client id is unknown, so that case costs the same time as a wrong secret.
_DUMMY_HASH = f"{_SCHEME}$12$8$1${_b64(bytes(_SALT_BYTES))}${_b64(bytes(32))}"


def burn_verification_time(secret: str) -> None:
    """Spend one verification's work on a secret that will not match anything."""
    verify_client_secret(secret, _DUMMY_HASH)


def new_access_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_access_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
