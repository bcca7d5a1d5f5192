"""The pure parts of issuance: the recipient pepper (RFC 5869 HKDF), the request hash, EdDSA VC-JWTs, signing with
its self-verification, splicing stored text into responses, status list URLs, and SQLite write transactions."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from test_render import ISSUER_KEY, PROFILE, SIMPLE_ACHIEVEMENT, contexts

from credentials.keys import Ed25519KeyPair, VerificationMethod
from credentials.proofs.vc_jwt import JwtSigningError, decode_unverified, sign_vc_jwt_eddsa, verify_vc_jwt
from issuer import credential_signing
from issuer.credential_signing import SelfVerificationFailed, sign_credential
from issuer.db import create_database_engine, session_factory, write_session
from issuer.issuance import request_hash
from issuer.keystore import MasterKey
from issuer.models import Credential
from issuer.recipient_lookup import RECIPIENT_PEPPER_INFO, key_of_query, key_of_recipient, recipient_pepper
from issuer.render import render_credential
from issuer.routers.stored_json import object_with_raw_member, stored_value
from issuer.status_list_publishing import list_id_of_url
from issuer.status_lists import status_list_url
from schemas.issuance import IssueCredentialRequest, Recipient

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MASTER = MasterKey(bytes(range(32)))
ORGANIZATION = uuid.UUID("0b5a3a8e-5f0e-4c55-9d59-7f4a1b2c3d4e")


def _hkdf_sha256(ikm: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 §2.2-2.3 written out: extract with an all-zero salt, then expand."""
    prk = hmac.new(b"\x00" * 32, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm, counter = okm + block, counter + 1
    return okm[:length]


def test_the_recipient_pepper_is_hkdf_of_the_master_key() -> None:
    assert RECIPIENT_PEPPER_INFO == b"credstack recipient lookup v1"
    assert recipient_pepper(MASTER) == _hkdf_sha256(MASTER.key, RECIPIENT_PEPPER_INFO, 32)
    assert recipient_pepper(MasterKey(bytes(32))) != recipient_pepper(MASTER)
    assert MASTER.key not in recipient_pepper(MASTER)


def test_recipient_keys_match_between_issuing_and_querying() -> None:
    issued = key_of_recipient(Recipient(email=" Learner@Example.EDU"), organization_id=ORGANIZATION, master=MASTER)
    assert key_of_query("learner@example.edu ", organization_id=ORGANIZATION, master=MASTER) == issued
    did = key_of_recipient(Recipient(did="did:example:1"), organization_id=ORGANIZATION, master=MASTER)
    assert key_of_query("did:example:1", organization_id=ORGANIZATION, master=MASTER) == did
    elsewhere = key_of_query("learner@example.edu", organization_id=uuid.uuid4(), master=MASTER)
    assert elsewhere.key != issued.key


def test_the_request_hash_ignores_spelling_but_not_content() -> None:
    base = {"achievement_id": str(uuid.uuid4()), "recipient": {"email": "a@b.example"}}
    first = IssueCredentialRequest.model_validate(base)
    spelt_out = IssueCredentialRequest.model_validate({"format": "ldp", **base, "recipient": {"email": " a@b.example"}})
    other = IssueCredentialRequest.model_validate({**base, "narrative": "More."})
    assert request_hash(first) == request_hash(spelt_out) != request_hash(other)
    later = IssueCredentialRequest.model_validate({**base, "validFrom": "2025-01-01T01:00:00+01:00"})
    same_instant = IssueCredentialRequest.model_validate({**base, "validFrom": "2025-01-01T00:00:00Z"})
    assert request_hash(later) == request_hash(same_instant)


def _unsigned() -> dict[str, Any]:
    request = IssueCredentialRequest.model_validate(
        {"achievement_id": str(uuid.uuid4()), "recipient": {"email": "a@b.example"}, "narrative": "Ünïcødé ✓"}
    )
    return render_credential(
        credential_id="urn:uuid:" + str(uuid.uuid4()),
        issuer_profile=PROFILE,
        achievement=SIMPLE_ACHIEVEMENT,
        request=request,
        now=NOW,
        salt="pepper",
        status=[],
    )


def test_sign_credential_stores_compact_utf8_json_that_verifies() -> None:
    signer = ISSUER_KEY.signer()
    signed = sign_credential(
        _unsigned(), format="ldp", cryptosuite="eddsa-rdfc-2022", signer=signer, contexts=contexts(), now=NOW
    )
    assert (signed.format, signed.cryptosuite) == ("ldp", "eddsa-rdfc-2022")
    assert "Ünïcødé ✓" in signed.text and ": " not in signed.text
    document = json.loads(signed.text)
    assert document["proof"]["created"] == "2026-03-01T12:00:00Z"
    assert document["proof"]["verificationMethod"] == signer.verification_method


def test_a_proof_that_does_not_survive_serialization_is_never_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    """ARCHITECTURE "Issue" step 5: the stored text is verified, so drift between signing and storing is caught."""
    original = credential_signing.serialize
    monkeypatch.setattr(
        credential_signing, "serialize", lambda document: original(document).replace("Ünïcødé", "Unicode")
    )
    with pytest.raises(SelfVerificationFailed, match="does not verify"):
        sign_credential(
            _unsigned(),
            format="ldp",
            cryptosuite="eddsa-rdfc-2022",
            signer=ISSUER_KEY.signer(),
            contexts=contexts(),
            now=NOW,
        )


async def test_eddsa_vc_jwt_round_trip() -> None:
    signer = ISSUER_KEY.signer()
    unsigned = _unsigned()
    token = sign_vc_jwt_eddsa(unsigned, signer=signer)
    header, payload = decode_unverified(token)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": signer.verification_method}
    assert (payload["iss"], payload["jti"]) == (PROFILE["id"], unsigned["id"])
    method = VerificationMethod(
        id=signer.verification_method, type="Multikey", controller=PROFILE["id"], public_key=ISSUER_KEY.public_key
    )

    async def lookup(_header: Any) -> VerificationMethod:
        return method

    verification = await verify_vc_jwt(token, key_lookup=lookup)
    assert verification.problems == () and verification.credential == unsigned
    other = Ed25519KeyPair.from_seed(bytes(32)).signer(signer.verification_method)
    assert (await verify_vc_jwt(sign_vc_jwt_eddsa(unsigned, signer=other), key_lookup=lookup)).problems


def test_eddsa_vc_jwt_needs_an_ed25519_signer() -> None:
    class RsaLike:
        verification_method = "did:example:1#key-1"
        algorithm = "RS256"

        def sign(self, data: bytes) -> bytes:
            return b""

    with pytest.raises(JwtSigningError, match="Ed25519"):
        sign_vc_jwt_eddsa(_unsigned(), signer=RsaLike())


def test_sign_credential_as_jwt_with_and_without_an_embedded_proof() -> None:
    signer = ISSUER_KEY.signer()
    plain = sign_credential(_unsigned(), format="jwt", cryptosuite=None, signer=signer, contexts=contexts(), now=NOW)
    assert "proof" not in decode_unverified(plain.text)[1]
    both = sign_credential(
        _unsigned(), format="jwt", cryptosuite="eddsa-rdfc-2022", signer=signer, contexts=contexts(), now=NOW
    )
    assert decode_unverified(both.text)[1]["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    with pytest.raises(ValueError, match="format"):
        sign_credential(_unsigned(), format="ldp", cryptosuite=None, signer=signer, contexts=contexts(), now=NOW)


def test_stored_text_is_spliced_in_unchanged() -> None:
    raw = '{"b":1.0,  "a":"Ü"}'
    body = object_with_raw_member({"id": "x", "n": "ü"}, "credential", raw)
    assert body == '{"id":"x","n":"ü","credential":{"b":1.0,  "a":"Ü"}}'.encode()
    assert json.loads(body)["credential"] == {"b": 1.0, "a": "Ü"}
    assert object_with_raw_member({}, "credential", "[]") == b'{"credential":[]}'
    assert stored_value(Credential(format="jwt", document="a.b.c")) == '"a.b.c"'
    assert stored_value(Credential(format="ldp", document=raw)) == raw


def test_status_list_urls_round_trip() -> None:
    list_id = uuid.uuid4()
    base = "https://badges.example.edu/base/"
    assert list_id_of_url(status_list_url(base, list_id), base) == list_id
    for url in (
        f"https://badges.example.edu/base/status-lists/{list_id}/x",
        f"https://badges.example.edu/base/status-lists/{str(list_id).upper()}",
        f"https://other.example/status-lists/{list_id}",
        "https://badges.example.edu/base/status-lists/nope",
    ):
        assert list_id_of_url(url, base) is None, url


def test_write_sessions_begin_immediate_on_sqlite(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    sessions = session_factory(engine)
    with write_session(sessions) as session:
        session.execute(text("SELECT 1"))
        session.commit()
        session.execute(text("SELECT 2"))  # every transaction of a write session
    with sessions() as session:
        session.execute(text("SELECT 3"))
    engine.dispose()
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE", "BEGIN"]
