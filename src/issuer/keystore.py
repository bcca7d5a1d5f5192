"""Issue 3 "Keys" with NIST SP 800-38D (GCM): issuer Ed25519 seeds sealed with AES-256-GCM under a master key.

A database dump must contain no private key in the clear, so the repository stores only `SealedKey` fields
(ciphertext, nonce, master key id, algorithm) next to the public key. The master key comes from
`CREDSTACK_MASTER_KEY` or, when that is unset, from the key file `<data_dir>/master.key`, created on first run with
mode 0600. Everything here is pure apart from reading and creating that file; the composition layer passes the
environment value and the path in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import stat
import string
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credentials.keys import Ed25519KeyPair

logger = logging.getLogger(__name__)

MASTER_KEY_BYTES = 32
MASTER_KEY_ID_CHARS = 8
SEALING_ALGORITHM = "AES-256-GCM"
# SP 800-38D §8.2.2: 96-bit random nonces; §8.3 caps one key at 2**32 of them, far above the number of issuer keys
# a deployment will ever seal, so the master key is used directly rather than through per-row derived keys.
NONCE_BYTES = 12
TAG_BYTES = 16
MASTER_KEY_FILE_NAME = "master.key"
# Mirrors OpenSSH's rule for private key files: any group or other permission bit means the key may have leaked.
_UNSAFE_MODE_BITS = 0o077
# A key file is one short line; anything larger is not a key file and is not read into memory.
_MAX_KEY_FILE_BYTES = 1024
_HEX_DIGITS = frozenset(string.hexdigits)
_B64_STANDARD = frozenset(string.ascii_letters + string.digits + "+/")
_B64_URLSAFE = frozenset(string.ascii_letters + string.digits + "-_")
_ENCODING_HELP = (
    "a master key is 32 random bytes written as 64 hex digits or as base64/base64url (43 characters, 44 with "
    "padding); create one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'` or "
    "`openssl rand -base64 32`"
)


class KeyStoreError(Exception):
    """Base class of the keystore's errors; none of them carries key material in its message."""


class MasterKeyError(KeyStoreError):
    """The master key cannot be loaded: malformed value, unsafe key file permissions or an unreadable file."""


class KeyDecryptionError(KeyStoreError):
    """A sealed key does not open: wrong master key, unknown algorithm, or altered ciphertext, nonce or row data."""


class MasterKeyMismatch(KeyDecryptionError):
    """The sealed key names another master key than the loaded one (checked before any decryption)."""

    def __init__(self, *, sealed_key_id: str, loaded_key_id: str) -> None:
        super().__init__(
            f"the key was sealed under master key {sealed_key_id}, but the loaded master key is {loaded_key_id}; "
            f"configure master key {sealed_key_id} or reseal the key under {loaded_key_id}"
        )
        self.sealed_key_id = sealed_key_id
        self.loaded_key_id = loaded_key_id


@dataclass(frozen=True, slots=True)
class MasterKey:
    """The AES-256 key-encryption key; `key_id` (first 8 hex digits of SHA-256) tells stored rows which key sealed
    them without revealing it. The key is left out of repr so it cannot reach logs or tracebacks."""

    key: bytes = field(repr=False)
    key_id: str = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key, bytes) or len(self.key) != MASTER_KEY_BYTES:
            raise MasterKeyError(f"a master key is exactly {MASTER_KEY_BYTES} bytes")
        object.__setattr__(self, "key_id", hashlib.sha256(self.key).hexdigest()[:MASTER_KEY_ID_CHARS])

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(MASTER_KEY_BYTES))


def encode_master_key(master: MasterKey) -> str:
    """The key file spelling: unpadded base64url, what `secrets.token_urlsafe(32)` prints."""
    return base64.urlsafe_b64encode(master.key).rstrip(b"=").decode("ascii")


def decode_master_key(text: str, *, source: str = "CREDSTACK_MASTER_KEY") -> MasterKey:
    """Parse 64 hex digits or base64 (standard or url-safe alphabet, padded or not) decoding to 32 bytes.

    Exactly 64 hex digits are read as hex even though they are also valid base64 (of 48 bytes, which would be
    refused anyway). Errors name `source` and never echo the value, which may be a mistyped real key.
    """
    value = text.strip()
    if len(value) == 2 * MASTER_KEY_BYTES and set(value) <= _HEX_DIGITS:
        return MasterKey(bytes.fromhex(value))
    body = value.rstrip("=")
    padding = len(value) - len(body)
    chars = set(body)
    # One alphabet per value: a mix of '+'/'/' with '-'/'_' is a corrupted value, not a key.
    if not body or not (chars <= _B64_STANDARD or chars <= _B64_URLSAFE) or padding not in (0, -len(body) % 4):
        raise MasterKeyError(f"{source} is not hex or base64; {_ENCODING_HELP}")
    try:
        raw = base64.urlsafe_b64decode(body.translate(str.maketrans("+/", "-_")) + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise MasterKeyError(f"{source} is not valid base64; {_ENCODING_HELP}") from exc
    if len(raw) != MASTER_KEY_BYTES:
        raise MasterKeyError(f"{source} decodes to {len(raw)} bytes, not {MASTER_KEY_BYTES}; {_ENCODING_HELP}")
    return MasterKey(raw)


def load_master_key(*, env_value: str | None, key_file: Path) -> MasterKey:
    """Issue 3: the master key from `CREDSTACK_MASTER_KEY`, else from `key_file`, created on first run.

    The composition layer passes `Settings.master_key` and `Settings.data_dir / "master.key"`. A new file holds the
    key as unpadded base64url and a newline, has mode 0600, and its parent directory is created with mode 0700 when
    missing. An existing file whose mode grants group or others any access is refused. Workers starting at the
    same time all end with the same key: exactly one creation wins and the others read the winner's file.
    """
    if env_value is not None:
        return decode_master_key(env_value, source="CREDSTACK_MASTER_KEY")
    master = _read_key_file(key_file)
    if master is None:
        master = _create_key_file(key_file) or _read_key_file(key_file)
    if master is None:
        raise MasterKeyError(f"master key file {key_file} disappeared while it was being created")
    return master


def _read_key_file(path: Path) -> MasterKey | None:
    """The key in `path`, or None when there is no such file. Permissions are checked on the opened descriptor,
    so the file checked is the file read."""
    try:
        # O_NONBLOCK: a FIFO planted at the path must not hang start-up before the regular-file check below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MasterKeyError(f"cannot open master key file {path}: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise MasterKeyError(f"master key file {path} is not a regular file")
        if info.st_mode & _UNSAFE_MODE_BITS:
            raise MasterKeyError(
                f"master key file {path} has mode {stat.S_IMODE(info.st_mode):04o}, which lets group or others "
                f"access it; the key must be treated as exposed. Run `chmod 600 {path}` (and rotate the master key "
                "if others may have read it)"
            )
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(_MAX_KEY_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > _MAX_KEY_FILE_BYTES:
        raise MasterKeyError(f"master key file {path} is too large to be a key file; {_ENCODING_HELP}")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MasterKeyError(f"master key file {path} is not text; {_ENCODING_HELP}") from exc
    return decode_master_key(text, source=f"master key file {path}")


def _create_key_file(path: Path) -> MasterKey | None:
    """Write a new key to `path` unless another worker did first (then None).

    The key is written and synced under a unique temporary name, then hard-linked to `path`: the link either
    publishes a complete file or fails with FileExistsError, so a concurrent reader never sees a partial key, and
    a crash leaves at most a stray temporary file rather than an empty key file that would block every restart.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    master = MasterKey.generate()
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "wb") as handle:
            # The umask can only remove bits from 0o600; fchmod pins the mode whatever the umask is.
            os.fchmod(handle.fileno(), 0o600)
            handle.write(encode_master_key(master).encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return None
        # Sealed keys become unrecoverable if the key file is lost, so its directory entry must survive a crash too.
        _fsync_directory(path.parent)
    except OSError as exc:
        raise MasterKeyError(
            f"cannot create master key file {path}: {exc.strerror}; create it yourself (mode 0600) or set "
            "CREDSTACK_MASTER_KEY"
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)
    logger.warning(
        "created master key %s in %s; back this file up: the issuer keys sealed under it cannot be opened without it",
        master.key_id,
        path,
    )
    return master


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class SealedKey:
    """The stored form of a private key: SP 800-38D §7.1 ciphertext with its 16-byte tag appended, the 12-byte
    nonce, and the id of the master key that sealed it. Only these fields go to the database."""

    ciphertext: bytes = field(repr=False)
    nonce: bytes = field(repr=False)
    master_key_id: str
    algorithm: str = SEALING_ALGORITHM


def issuer_key_associated_data(*, issuer_id: str, key_id: str) -> bytes:
    """The associated data binding a sealed key to its row: a sealed key copied to another issuer or key id does
    not open. JSON keeps the fields unambiguous (("a", "bc") and ("ab", "c") differ); the label versions the form.
    Both ids must be known before the key is generated (e.g. a UUID chosen by the service, not a database sequence).
    """
    return json.dumps(["credstack/issuer-key/v1", issuer_id, key_id], separators=(",", ":")).encode("utf-8")


def _require_associated_data(associated_data: bytes) -> None:
    # Empty associated data would leave sealed keys interchangeable between rows, which the binding exists to stop.
    if not associated_data:
        raise ValueError("associated_data must identify the row the sealed key belongs to")


def seal_private_key(seed: bytes, *, master: MasterKey, associated_data: bytes) -> SealedKey:
    """SP 800-38D §7.1 GCM-AE: encrypt a private key (the 32-byte Ed25519 seed) under a fresh random nonce."""
    _require_associated_data(associated_data)
    if not seed:
        raise ValueError("there is no private key to seal")
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(master.key).encrypt(nonce, seed, associated_data)
    return SealedKey(ciphertext=ciphertext, nonce=nonce, master_key_id=master.key_id)


def open_private_key(sealed: SealedKey, *, master: MasterKey, associated_data: bytes) -> bytes:
    """SP 800-38D §7.2 GCM-AD: the private key, or KeyDecryptionError when the tag does not verify.

    The master key id is compared first so the usual operator mistake (the wrong key configured) gets a message
    naming both ids; the tag check still catches a different key that happens to share the 32-bit id.
    """
    _require_associated_data(associated_data)
    if sealed.algorithm != SEALING_ALGORITHM:
        raise KeyDecryptionError(f"unsupported sealing algorithm {sealed.algorithm!r}; expected {SEALING_ALGORITHM}")
    if sealed.master_key_id != master.key_id:
        raise MasterKeyMismatch(sealed_key_id=sealed.master_key_id, loaded_key_id=master.key_id)
    if len(sealed.nonce) != NONCE_BYTES or len(sealed.ciphertext) <= TAG_BYTES:
        raise KeyDecryptionError("the sealed key is malformed: wrong nonce length or truncated ciphertext")
    try:
        return AESGCM(master.key).decrypt(bytes(sealed.nonce), bytes(sealed.ciphertext), associated_data)
    except InvalidTag:
        raise KeyDecryptionError(
            f"the sealed key failed authentication under master key {master.key_id}: its ciphertext or nonce was "
            "altered, it belongs to another row, or a different master key has the same id"
        ) from None


def reseal(sealed: SealedKey, *, old: MasterKey, new: MasterKey, associated_data: bytes) -> SealedKey:
    """Master key rotation: open under `old`, seal again under `new` with a fresh nonce (never reused, §8.2)."""
    seed = open_private_key(sealed, master=old, associated_data=associated_data)
    return seal_private_key(seed, master=new, associated_data=associated_data)


def generate_issuer_key(*, master: MasterKey, associated_data: bytes) -> tuple[Ed25519KeyPair, SealedKey]:
    """Issue 3: a new service-generated Ed25519 key as its public-only key pair (for the DID document's
    `publicKeyMultibase`) and its sealed seed (for storage). The seed itself is never returned."""
    seed = secrets.token_bytes(32)
    pair = Ed25519KeyPair.from_seed(seed)
    sealed = seal_private_key(seed, master=master, associated_data=associated_data)
    return Ed25519KeyPair(pair.public_key), sealed


def open_issuer_key(sealed: SealedKey, *, master: MasterKey, associated_data: bytes) -> Ed25519KeyPair:
    """The signing key pair of a sealed Ed25519 seed, for `Ed25519KeyPair.signer(verification_method)`."""
    return Ed25519KeyPair.from_seed(open_private_key(sealed, master=master, associated_data=associated_data))
