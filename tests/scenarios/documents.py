"""Builders for the scenarios' documents: OB 3.0 credentials, their proofs and JWTs, baked images, status lists.

Everything is generated from the world's fixed keys and dates, so the same scenario always yields the same bytes.
Status list credentials are signed once per distinct list (`functools.cache` over their JSON), as signing with
eddsa-rdfc-2022 is the slow part of a scenario.
"""

from __future__ import annotations

import base64
import gzip
import json
from functools import cache
from typing import Any, Literal

from credentials import baking
from credentials.identity import identity_hash
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credentials.proofs.vc_jwt import sign_vc_jwt, sign_vc_jwt_eddsa
from credentials.status.bitstring import StatusList
from scenarios.world import (
    CREATED,
    ENDORSER_KEY,
    ES256_KEY,
    HOST,
    IMAGES,
    ISSUER_DID,
    ISSUER_KEY,
    KEY_1,
    P256_JWK,
    RS256_KEY,
    RSA_JWK,
    contexts,
)

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
STATUS_LIST_2021 = "https://w3id.org/vc/status-list/2021/v1"
CREDENTIAL_ID = "urn:uuid:3f1c1e0a-7c1d-4d0e-9a57-2d7f3a0b9c11"
ACHIEVEMENT_ID = f"https://{HOST}/achievements/data-cleaning"
LEARNER_DID = "did:example:learner"
EMAIL = "learner@example.edu"
SALT = "s4lt-9f2c"
INDEX = 94567

REVOCATION_LIST = f"https://{HOST}/status/revocation"
SUSPENSION_LIST = f"https://{HOST}/status/suspension"
REVOCATION_LIST_2021 = f"https://{HOST}/status/2021"
VCRL_LIST = f"https://{HOST}/revocations"

Suite = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"]
JwtAlgorithm = Literal["RS256", "ES256", "EdDSA"]


def achievement() -> dict[str, Any]:
    return {
        "id": ACHIEVEMENT_ID,
        "type": ["Achievement"],
        "name": "Data Cleaning",
        "description": "Cleans real data sets.",
        "criteria": {"narrative": "Pass the practical assessment."},
    }


def ob_credential(issuer: str = ISSUER_DID, **changes: Any) -> dict[str, Any]:
    """An unsigned VCDM 2.0 OpenBadgeCredential; `changes` replace or add top-level members."""
    credential = {
        "@context": [V2, OB],
        "id": CREDENTIAL_ID,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Data Cleaning",
        "credentialSubject": {"id": LEARNER_DID, "type": ["AchievementSubject"], "achievement": achievement()},
    }
    return credential | changes


def ob_credential_v11(issuer: str = ISSUER_DID, **changes: Any) -> dict[str, Any]:
    """The same badge on VCDM 1.1: the v1 base context and issuanceDate instead of validFrom."""
    credential = ob_credential(issuer, **{"@context": [V1, OB], "issuanceDate": "2025-01-01T00:00:00Z"})
    del credential["validFrom"]
    return credential | changes


def email_subject() -> dict[str, Any]:
    """OB 3.0 §B.1.3 AchievementSubject naming its recipient only by a salted sha256 IdentityHash of an email."""
    identity = {
        "type": "IdentityObject",
        "identityHash": identity_hash(EMAIL, SALT),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": SALT,
    }
    return {"type": ["AchievementSubject"], "identifier": [identity], "achievement": achievement()}


def status_entry(url: str = REVOCATION_LIST, purpose: str = "revocation", index: int = INDEX) -> dict[str, Any]:
    """Bitstring Status List v1.0 §2.1 BitstringStatusListEntry."""
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def sign(
    document: dict[str, Any],
    suite: Suite = "eddsa-rdfc-2022",
    *,
    key: Ed25519KeyPair = ISSUER_KEY,
    method: str = KEY_1,
    purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """VC-DI 1.0 §4.2 Add Proof with a fixed `created`; a second call makes a proof set."""
    cryptosuite = SUITES[suite]
    options = ProofOptions.for_suite(cryptosuite, method, created=CREATED, proof_purpose=purpose)
    signed: dict[str, Any] = add_proof(document, cryptosuite, options, key.signer(method), contexts())
    return json.loads(json.dumps(signed))  # a deep copy: tampering must not reach shared nested values


def sign_with_did_key(document: dict[str, Any], key: Ed25519KeyPair) -> dict[str, Any]:
    return sign(document, key=key, method=key.did_key_verification_method)


def jwt(credential: dict[str, Any], alg: JwtAlgorithm) -> str:
    """OB 3.0 §8.2 VC-JWT with a `kid` naming the issuer's key for `alg` in its did:web document."""
    if alg == "EdDSA":
        return sign_vc_jwt_eddsa(credential, signer=ISSUER_KEY.signer(KEY_1))
    if alg == "ES256":
        return sign_vc_jwt(credential, key=P256_JWK, alg="ES256", kid=ES256_KEY)
    return sign_vc_jwt(credential, key=RSA_JWK, alg="RS256", kid=RS256_KEY)


def baked(kind: Literal["png", "svg"], payload: dict[str, Any] | str) -> bytes:
    """OB 3.0 §5.3 Baked Badge: the credential (JSON or JWT) inside the plain test image of that kind."""
    image = (IMAGES / ("plain-1x1.png" if kind == "png" else "plain.svg")).read_bytes()
    return baking.bake(image, payload if isinstance(payload, str) else json.dumps(payload))


def endorsement(issuer_key: Ed25519KeyPair = ENDORSER_KEY) -> dict[str, Any]:
    """OB 3.0 §B.1.10 EndorsementCredential of the achievement, signed by the endorser's did:key."""
    unsigned = {
        "@context": [V2, OB],
        "id": "urn:uuid:7d3e4c52-19a4-4b8e-8f0a-5b1f2c6d9e01",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": {"id": issuer_key.did_key, "type": ["Profile"], "name": "Example Accreditor"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Accreditor endorsement",
        "credentialSubject": {
            "id": ACHIEVEMENT_ID,
            "type": ["EndorsementSubject"],
            "endorsementComment": "A rigorous assessment.",
        },
    }
    return sign_with_did_key(unsigned, issuer_key)


# Status lists


def bitstring(set_indexes: tuple[int, ...] = (), entries: int = 131_072) -> StatusList:
    bits = StatusList(bytearray(-(-entries // 8)))
    for index in set_indexes:
        bits.set(index, 1)
    return bits


def status_list(
    url: str = REVOCATION_LIST,
    purpose: str = "revocation",
    *,
    set_indexes: tuple[int, ...] = (),
    entries: int = 131_072,
    issuer: str = ISSUER_DID,
) -> dict[str, Any]:
    """An unsigned Bitstring Status List v1.0 §2.2 BitstringStatusListCredential."""
    return {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bitstring(set_indexes, entries).encode(),
        },
    }


def status_list_2021(url: str = REVOCATION_LIST_2021, *, set_indexes: tuple[int, ...] = ()) -> dict[str, Any]:
    """A W3C CCG StatusList2021Credential (VCDM 1.1; encodedList is base64url of the GZIP
    bitstring without the multibase prefix, as @digitalbazaar/vc-status-list writes it)."""
    compressed = gzip.compress(bitstring(set_indexes).to_bytes(), mtime=0)
    return {
        "@context": [V1, STATUS_LIST_2021],
        "id": url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": ISSUER_DID,
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("="),
        },
    }


@cache
def _signed_json(unsigned_json: str, key: Ed25519KeyPair, method: str) -> str:
    return json.dumps(sign(json.loads(unsigned_json), key=key, method=method))


def signed_list(unsigned: dict[str, Any], *, key: Ed25519KeyPair = ISSUER_KEY, method: str = KEY_1) -> dict[str, Any]:
    """A status list credential signed with eddsa-rdfc-2022, cached per distinct list (a fresh copy each call)."""
    document: dict[str, Any] = json.loads(_signed_json(json.dumps(unsigned), key, method))
    return document


def vcrl_list(*revoked: str) -> dict[str, Any]:
    """1EdTech Revocation List Status Method 1.0: a RevocationList naming revoked credentials by id."""
    return {
        "id": VCRL_LIST,
        "issuer": ISSUER_DID,
        "revokedCredentials": [
            {"id": credential_id, "revocationReason": "Issued in error."} for credential_id in revoked
        ],
    }
