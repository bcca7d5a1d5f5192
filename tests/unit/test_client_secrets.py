"""Client secret hashing (scrypt, per-secret salt) and access token hashing."""

from __future__ import annotations

import hashlib

import pytest

from issuer.client_secrets import (
    MalformedSecretHash,
    ScryptCost,
    burn_verification_time,
    hash_access_token,
    hash_client_secret,
    new_access_token,
    new_client_id,
    new_client_secret,
    verify_client_secret,
)


def test_secrets_have_256_bits() -> None:
    assert len(new_client_secret()) == 43
    assert len(new_access_token()) == 43
    assert len(new_client_id()) == 32
    assert new_client_secret() != new_client_secret()


def test_hash_and_verify() -> None:
    secret = new_client_secret()
    stored = hash_client_secret(secret)
    assert secret not in stored
    assert stored.startswith("scrypt$12$8$1$")
    assert verify_client_secret(secret, stored)
    assert not verify_client_secret(secret + "x", stored)
    assert hash_client_secret(secret) != stored, "each hash has its own salt"


def test_cost_is_stored_with_the_hash() -> None:
    stored = hash_client_secret("s", cost=ScryptCost(log2_n=10, r=8, p=1))
    assert stored.startswith("scrypt$10$8$1$")
    assert verify_client_secret("s", stored)


@pytest.mark.parametrize("stored", ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA$AA"])
def test_foreign_hashes_are_refused(stored: str) -> None:
    with pytest.raises(MalformedSecretHash):
        verify_client_secret("s", stored)


def test_burn_verification_time_does_not_raise() -> None:
    burn_verification_time("anything")


def test_access_token_hash_is_sha256_hex() -> None:
    assert hash_access_token("t") == hashlib.sha256(b"t").hexdigest()
