"""Issue 3 "Keys" and NIST SP 800-38D: master key loading, AES-256-GCM sealing of issuer keys, rotation re-wrap."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import re
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.keys import Ed25519KeyPair
from issuer.keystore import (
    NONCE_BYTES,
    SEALING_ALGORITHM,
    TAG_BYTES,
    KeyDecryptionError,
    MasterKey,
    MasterKeyError,
    MasterKeyMismatch,
    SealedKey,
    decode_master_key,
    encode_master_key,
    generate_issuer_key,
    issuer_key_associated_data,
    load_master_key,
    open_issuer_key,
    open_private_key,
    reseal,
    seal_private_key,
)

# 0xfb 0xff encodes with '+' and '/' in standard base64 and '-' and '_' in base64url, so both alphabets are exercised.
RAW = bytes([0xFB, 0xFF] * 16)
MASTER = MasterKey(RAW)
OTHER = MasterKey(bytes(range(32)))
SEED = bytes(range(100, 132))
AD = issuer_key_associated_data(issuer_id="issuer-1", key_id="key-1")


def leaks(text: str | bytes, secret: bytes) -> bool:
    """Whether `text` holds `secret` raw or in any spelling a log line or dump could use."""
    std = base64.b64encode(secret).decode()
    url = base64.urlsafe_b64encode(secret).decode()
    spellings = [repr(secret), secret.hex(), secret.hex().upper(), std.rstrip("="), url.rstrip("=")]
    if isinstance(text, bytes):
        return secret in text or any(form.encode() in text for form in spellings)
    return secret.decode("latin-1") in text or any(form in text for form in spellings)


# Master key values


def test_master_key_id_is_first_8_hex_of_sha256() -> None:
    assert MASTER.key_id == hashlib.sha256(RAW).hexdigest()[:8]
    assert MASTER.key_id != OTHER.key_id


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_master_key_must_be_32_bytes(size: int) -> None:
    with pytest.raises(MasterKeyError):
        MasterKey(bytes(size))


def test_master_key_repr_and_str_hide_the_key() -> None:
    for text in (repr(MASTER), str(MASTER), f"{MASTER!r} {MASTER}"):
        assert MASTER.key_id in text
        assert not leaks(text, RAW)


def test_generated_master_keys_differ() -> None:
    assert MasterKey.generate().key != MasterKey.generate().key


def test_encode_master_key_round_trips() -> None:
    text = encode_master_key(MASTER)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", text)
    assert decode_master_key(text) == MASTER


@pytest.mark.parametrize(
    "value",
    [
        RAW.hex(),
        RAW.hex().upper(),
        base64.b64encode(RAW).decode(),
        base64.b64encode(RAW).decode().rstrip("="),
        base64.urlsafe_b64encode(RAW).decode(),
        base64.urlsafe_b64encode(RAW).decode().rstrip("="),
        f"  {base64.urlsafe_b64encode(RAW).decode()}\n",
    ],
    ids=["hex", "HEX", "base64", "base64-unpadded", "base64url", "base64url-unpadded", "surrounding-whitespace"],
)
def test_env_value_encodings_are_accepted(value: str, tmp_path: Path) -> None:
    assert base64.b64encode(RAW) != base64.urlsafe_b64encode(RAW)
    key_file = tmp_path / "master.key"
    assert load_master_key(env_value=value, key_file=key_file) == MASTER
    # The environment wins: no key file is created behind the operator's back.
    assert not key_file.exists()


def test_64_hex_digits_are_read_as_hex_not_base64() -> None:
    value = "ab" * 32
    assert decode_master_key(value).key == bytes.fromhex(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        RAW[:31].hex(),
        (RAW + b"\0").hex(),
        RAW.hex()[:-1],
        base64.b64encode(RAW[:16]).decode(),
        base64.b64encode(RAW[:31]).decode(),
        base64.b64encode(RAW + b"\0").decode(),
        base64.b64encode(RAW).decode().rstrip("=") + "==",
        "+/" + base64.urlsafe_b64encode(RAW).decode()[2:],
        "not a key at all, just words!",
        "a" * 45,
    ],
    ids=[
        "empty",
        "blank",
        "hex-31",
        "hex-33",
        "hex-63-digits",
        "base64-16",
        "base64-31",
        "base64-33",
        "bad-padding",
        "mixed-alphabets",
        "text",
        "bad-length",
    ],
)
def test_malformed_env_values_are_refused_without_echoing_them(value: str, tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="CREDSTACK_MASTER_KEY") as caught:
        load_master_key(env_value=value, key_file=tmp_path / "master.key")
    if value.strip():
        assert value.strip() not in str(caught.value)


# Key file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_key_file_is_created_0600_in_a_0700_directory(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "master.key"
    master = load_master_key(env_value=None, key_file=key_file)
    assert mode(key_file) == 0o600
    assert mode(key_file.parent) == 0o700
    assert re.fullmatch(rb"[A-Za-z0-9_-]{43}\n", key_file.read_bytes())
    assert decode_master_key(key_file.read_text()) == master
    # The temporary file used for the atomic publish is gone.
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["master.key"]


def test_key_file_mode_does_not_depend_on_umask(tmp_path: Path) -> None:
    previous = os.umask(0o000)
    try:
        key_file = tmp_path / "master.key"
        load_master_key(env_value=None, key_file=key_file)
    finally:
        os.umask(previous)
    assert mode(key_file) == 0o600


def test_key_file_is_reused_on_the_next_start(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    first = load_master_key(env_value=None, key_file=key_file)
    content = key_file.read_bytes()
    assert load_master_key(env_value=None, key_file=key_file) == first
    assert key_file.read_bytes() == content


def test_creation_is_logged_with_the_key_id_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="issuer.keystore"):
        master = load_master_key(env_value=None, key_file=tmp_path / "master.key")
    assert master.key_id in caplog.text
    assert "back this file up" in caplog.text
    assert not leaks(caplog.text, master.key)


def test_an_admin_written_key_file_is_accepted(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(RAW.hex() + "\n")
    key_file.chmod(0o600)
    assert load_master_key(env_value=None, key_file=key_file) == MASTER


@pytest.mark.parametrize("unsafe", [0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o700 | 0o010])
def test_key_file_readable_or_writable_by_others_is_refused(unsafe: int, tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(encode_master_key(MASTER) + "\n")
    key_file.chmod(unsafe)
    with pytest.raises(MasterKeyError, match=re.escape(f"chmod 600 {key_file}")) as caught:
        load_master_key(env_value=None, key_file=key_file)
    assert f"{unsafe:04o}" in str(caught.value)
    assert not leaks(str(caught.value), RAW)


@pytest.mark.parametrize(
    "content",
    [b"", b"short\n", b"\xff" * 43 + b"\n", b"A" * 5000, RAW],
    ids=["empty", "short", "not-ascii", "huge", "raw-bytes"],
)
def test_malformed_key_file_is_refused(content: bytes, tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_bytes(content)
    key_file.chmod(0o600)
    with pytest.raises(MasterKeyError, match=re.escape(str(key_file))):
        load_master_key(env_value=None, key_file=key_file)


def test_key_file_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.mkdir(mode=0o700)
    with pytest.raises(MasterKeyError, match="not a regular file"):
        load_master_key(env_value=None, key_file=key_file)


def test_fifo_at_the_key_path_is_refused_without_hanging(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    os.mkfifo(key_file, 0o600)
    with pytest.raises(MasterKeyError, match="not a regular file"):
        load_master_key(env_value=None, key_file=key_file)


def test_losing_the_creation_race_reads_the_winners_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "master.key"
    winner = MasterKey(RAW)
    generate = MasterKey.generate

    def another_worker_wins_meanwhile() -> MasterKey:
        # Runs after this worker found no file and before it publishes its own.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "w") as handle:
            handle.write(encode_master_key(winner) + "\n")
        return generate()

    monkeypatch.setattr(MasterKey, "generate", staticmethod(another_worker_wins_meanwhile))
    assert load_master_key(env_value=None, key_file=key_file) == winner
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master.key"]


@pytest.mark.parametrize("round_", range(5))
def test_workers_starting_together_share_one_key(round_: int, tmp_path: Path) -> None:
    key_file = tmp_path / f"data-{round_}" / "master.key"
    workers = 16
    barrier = threading.Barrier(workers)
    results: list[MasterKey] = []
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            results.append(load_master_key(env_value=None, key_file=key_file))
        except BaseException as exc:  # collected and re-raised below on the test thread
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == workers
    assert {master.key for master in results} == {decode_master_key(key_file.read_text()).key}
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["master.key"]


def test_failed_publish_is_a_clear_error_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "link", refuse)
    with pytest.raises(MasterKeyError, match="CREDSTACK_MASTER_KEY"):
        load_master_key(env_value=None, key_file=tmp_path / "master.key")
    assert list(tmp_path.iterdir()) == []


# Sealing (SP 800-38D §7.1/§7.2)


def test_round_trip() -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    assert sealed.master_key_id == MASTER.key_id
    assert sealed.algorithm == SEALING_ALGORITHM == "AES-256-GCM"
    assert len(sealed.nonce) == NONCE_BYTES
    assert len(sealed.ciphertext) == len(SEED) + TAG_BYTES
    assert open_private_key(sealed, master=MASTER, associated_data=AD) == SEED


def test_every_seal_uses_a_fresh_nonce() -> None:
    first = seal_private_key(SEED, master=MASTER, associated_data=AD)
    second = seal_private_key(SEED, master=MASTER, associated_data=AD)
    assert first.nonce != second.nonce
    assert first.ciphertext != second.ciphertext


def test_stored_fields_hold_no_private_key_in_the_clear() -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    row = [sealed.ciphertext, sealed.nonce, sealed.master_key_id.encode(), sealed.algorithm.encode()]
    dump = b"|".join(row) + b"|" + repr(sealed).encode()
    for secret in (SEED, RAW):
        assert not leaks(dump, secret)


def test_sealed_key_repr_shows_no_bytes() -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    text = repr(sealed)
    assert MASTER.key_id in text
    assert not leaks(text, SEED)
    assert not leaks(text, RAW)
    assert not leaks(text, sealed.ciphertext)


def test_wrong_master_key_names_both_key_ids() -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    with pytest.raises(MasterKeyMismatch) as caught:
        open_private_key(sealed, master=OTHER, associated_data=AD)
    assert isinstance(caught.value, KeyDecryptionError)
    assert (caught.value.sealed_key_id, caught.value.loaded_key_id) == (MASTER.key_id, OTHER.key_id)
    assert MASTER.key_id in str(caught.value) and OTHER.key_id in str(caught.value)


def test_wrong_master_key_with_a_colliding_id_fails_authentication() -> None:
    # A 32-bit id can collide; the GCM tag is what actually decides.
    sealed = dataclasses.replace(seal_private_key(SEED, master=MASTER, associated_data=AD), master_key_id=OTHER.key_id)
    with pytest.raises(KeyDecryptionError, match="failed authentication") as caught:
        open_private_key(sealed, master=OTHER, associated_data=AD)
    assert not isinstance(caught.value, MasterKeyMismatch)


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("index", [0, 15, 31, 32, 47], ids=["ct-first", "ct-mid", "ct-last", "tag-first", "tag-last"])
def test_tampered_ciphertext_or_tag_is_refused(index: int) -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    tampered = dataclasses.replace(sealed, ciphertext=flip(sealed.ciphertext, index))
    with pytest.raises(KeyDecryptionError, match="failed authentication"):
        open_private_key(tampered, master=MASTER, associated_data=AD)


@pytest.mark.parametrize("index", [0, 11])
def test_tampered_nonce_is_refused(index: int) -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    with pytest.raises(KeyDecryptionError):
        open_private_key(
            dataclasses.replace(sealed, nonce=flip(sealed.nonce, index)), master=MASTER, associated_data=AD
        )


@pytest.mark.parametrize(
    ("nonce", "ciphertext"),
    [(b"\0" * 8, None), (b"\0" * 16, None), (None, b""), (None, b"\0" * TAG_BYTES)],
    ids=["short-nonce", "long-nonce", "empty-ciphertext", "tag-only"],
)
def test_malformed_sealed_key_is_refused(nonce: bytes | None, ciphertext: bytes | None) -> None:
    good = seal_private_key(SEED, master=MASTER, associated_data=AD)
    sealed = dataclasses.replace(
        good, nonce=nonce or good.nonce, ciphertext=good.ciphertext if ciphertext is None else ciphertext
    )
    with pytest.raises(KeyDecryptionError, match="malformed"):
        open_private_key(sealed, master=MASTER, associated_data=AD)


def test_unknown_algorithm_is_refused() -> None:
    sealed = dataclasses.replace(seal_private_key(SEED, master=MASTER, associated_data=AD), algorithm="AES-128-CBC")
    with pytest.raises(KeyDecryptionError, match="unsupported sealing algorithm"):
        open_private_key(sealed, master=MASTER, associated_data=AD)


@pytest.mark.parametrize(
    ("issuer_id", "key_id"),
    [("issuer-2", "key-1"), ("issuer-1", "key-2"), ("issuer-1key-1", ""), ("", "issuer-1key-1")],
)
def test_sealed_key_moved_to_another_row_is_refused(issuer_id: str, key_id: str) -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    other_row = issuer_key_associated_data(issuer_id=issuer_id, key_id=key_id)
    with pytest.raises(KeyDecryptionError, match="failed authentication"):
        open_private_key(sealed, master=MASTER, associated_data=other_row)


def test_associated_data_is_unambiguous() -> None:
    assert issuer_key_associated_data(issuer_id="a", key_id="bc") != issuer_key_associated_data(
        issuer_id="ab", key_id="c"
    )
    assert issuer_key_associated_data(issuer_id='a","b', key_id="c") != issuer_key_associated_data(
        issuer_id="a", key_id='b","c'
    )


def test_empty_associated_data_and_empty_key_are_bugs() -> None:
    with pytest.raises(ValueError, match="associated_data"):
        seal_private_key(SEED, master=MASTER, associated_data=b"")
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    with pytest.raises(ValueError, match="associated_data"):
        open_private_key(sealed, master=MASTER, associated_data=b"")
    with pytest.raises(ValueError, match="no private key"):
        seal_private_key(b"", master=MASTER, associated_data=AD)


@settings(max_examples=200)
@given(seed=st.binary(min_size=1, max_size=64), associated_data=st.binary(min_size=1, max_size=256))
def test_random_seeds_and_associated_data_round_trip(seed: bytes, associated_data: bytes) -> None:
    sealed = seal_private_key(seed, master=MASTER, associated_data=associated_data)
    assert open_private_key(sealed, master=MASTER, associated_data=associated_data) == seed


@given(
    seed=st.binary(min_size=32, max_size=32),
    associated_data=st.binary(min_size=1, max_size=64),
    other=st.binary(min_size=1, max_size=64),
)
def test_any_other_associated_data_is_refused(seed: bytes, associated_data: bytes, other: bytes) -> None:
    sealed = seal_private_key(seed, master=MASTER, associated_data=associated_data)
    if other == associated_data:
        return
    with pytest.raises(KeyDecryptionError):
        open_private_key(sealed, master=MASTER, associated_data=other)


# Master key rotation


def test_reseal_moves_a_key_to_the_new_master_key() -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    moved = reseal(sealed, old=MASTER, new=OTHER, associated_data=AD)
    assert moved.master_key_id == OTHER.key_id
    assert moved.nonce != sealed.nonce
    assert open_private_key(moved, master=OTHER, associated_data=AD) == SEED
    with pytest.raises(MasterKeyMismatch):
        open_private_key(moved, master=MASTER, associated_data=AD)


def test_reseal_refuses_a_key_the_old_master_cannot_open() -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    with pytest.raises(MasterKeyMismatch):
        reseal(sealed, old=OTHER, new=MASTER, associated_data=AD)
    with pytest.raises(KeyDecryptionError):
        reseal(sealed, old=MASTER, new=OTHER, associated_data=b"another row")


# Issuer keys


def test_generated_issuer_key_is_public_only_and_opens_to_the_matching_signer() -> None:
    public, sealed = generate_issuer_key(master=MASTER, associated_data=AD)
    assert public.seed is None
    assert public.public_key_multibase.startswith("z6Mk")
    opened = open_issuer_key(sealed, master=MASTER, associated_data=AD)
    assert opened.public_key == public.public_key
    assert opened.seed is not None
    assert opened.seed not in sealed.ciphertext
    message = b"credential bytes"
    signer = opened.signer("did:web:issuer.example#key-1")
    signature = signer.sign(message)
    assert Ed25519KeyPair.from_public_key_multibase(public.public_key_multibase).verify(signature, message)


def test_generated_issuer_keys_differ() -> None:
    first, _ = generate_issuer_key(master=MASTER, associated_data=AD)
    second, _ = generate_issuer_key(master=MASTER, associated_data=AD)
    assert first.public_key != second.public_key


def test_sealed_key_is_a_frozen_value() -> None:
    sealed = seal_private_key(SEED, master=MASTER, associated_data=AD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sealed.master_key_id = "00000000"  # type: ignore[misc]
    assert isinstance(sealed, SealedKey)
