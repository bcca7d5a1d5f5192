"""Issue 5 "Evaluate and award": is a credential bound to the learner (OB 3.0 §B.1 AchievementSubject, §B.2.4)?

A subject names the learner by its `id` (the learner's DID) or by an IdentityObject in `identifier`: an email
address (`identityType` emailAddress) or a DID (`identifier`, `systemId`), either in plain text (`hashed` false) or
as an IdentityHash `<alg>$<hex>` of UTF-8(identifier || salt), alg sha256 or md5: credentials.identity, the rule
the verifier's recipient check uses too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from credentials.identity import identity_matches

EMAIL_TYPES: Final = frozenset({"emailAddress"})
DID_TYPES: Final = frozenset({"identifier", "systemId"})


@dataclass(frozen=True, slots=True)
class Learner:
    """The person a pathway is evaluated for: exactly one of an email address and a DID."""

    email: str | None = None
    did: str | None = None

    def __post_init__(self) -> None:
        if (self.email is None) == (self.did is None):
            raise ValueError("a learner is exactly one of an email address and a DID")


def as_list(value: Any) -> list[Any]:
    """OB 3.0 §B "compacted form": one value or an array of values."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def subjects(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """VCDM 2.0 §4.8: the credential's subjects that are objects (one for an OB AchievementCredential)."""
    return [subject for subject in as_list(credential.get("credentialSubject")) if isinstance(subject, Mapping)]


def names_learner(subject: Mapping[str, Any], learner: Learner) -> bool:
    """Whether one subject names the learner, by `id` or by one of its `identifier` IdentityObjects."""
    if learner.did is not None and subject.get("id") == learner.did:
        return True
    if learner.email is not None:
        kinds, value = EMAIL_TYPES, learner.email
    elif learner.did is not None:
        kinds, value = DID_TYPES, learner.did
    else:
        return False
    return any(
        isinstance(identity, Mapping) and identity.get("identityType") in kinds and identity_matches(identity, value)
        for identity in as_list(subject.get("identifier"))
    )
