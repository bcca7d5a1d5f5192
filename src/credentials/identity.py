"""OB 3.0 §B.2.4 IdentityObject: the IdentityHash of an identifier, and whether an IdentityObject names a value.

One rule for the issuer (rendering hashed recipients, binding credentials to a learner in pathways) and the
verifier (the `recipient` check). An IdentityHash is `<alg>$<hex>` over UTF-8(identifier || salt), alg sha256 or
md5; a given value is tried as typed and normalized (trimmed, lower-cased: the form Credstack hashes).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any, Final

_HASHES: Final[Mapping[str, Callable[[bytes], Any]]] = {"sha256": hashlib.sha256, "md5": hashlib.md5}


def normalize_identifier(value: str) -> str:
    """Surrounding whitespace removed, lower-cased: the form an email address is hashed in.

    Lower-casing the local part is not RFC 5321 (it is case-sensitive in theory), but no real mailbox provider treats
    it so, and a learner who types `A@Example.com` must still match. Matching tries both the given and this form.
    """
    return value.strip().lower()


def identity_hash(identifier: str, salt: str | None, algorithm: str = "sha256") -> str:
    """OB 3.0 §B.2.4 IdentityHash of an identifier with an optional salt."""
    digest = _HASHES[algorithm]((identifier + (salt or "")).encode("utf-8")).hexdigest()
    return f"{algorithm}${digest}"


def identity_matches(identity: Mapping[str, Any], value: str) -> bool:
    """OB 3.0 §B.2.4: the IdentityObject's plain or hashed `identityHash` is `value`, as typed or normalized."""
    stored = identity.get("identityHash")
    if not isinstance(stored, str):
        return False
    candidates = {value, normalize_identifier(value)}
    if identity.get("hashed") is not True:
        return any(_same(stored.strip().lower(), c.lower()) for c in candidates)
    algorithm = stored.partition("$")[0].lower()
    if algorithm not in _HASHES:
        return False
    salt = identity.get("salt")
    salt = salt if isinstance(salt, str) else None
    expected = stored.lower()
    return any(_same(identity_hash(c, salt, algorithm), expected) for c in candidates)


def _same(left: str, right: str) -> bool:
    # Constant time over UTF-8: hmac.compare_digest refuses str values that are not ASCII, and an untrusted
    # identityHash may hold any character.
    return hmac.compare_digest(left.encode("utf-8"), right.encode("utf-8"))
