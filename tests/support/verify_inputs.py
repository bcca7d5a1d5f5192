"""Inputs for the verification API tests: OB 3.0 credentials signed without any network (did:key, did:jwk), a
presentation signed by its holder, VC-JWTs and baked images.

The credential is tests/interop/fixtures/ob3-vcdm2.json (the JS reference's fixture) with the issuer replaced by
ISSUER_KEY's did:key and its email identity hashed for LEARNER_EMAIL.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from credentials import baking
from credentials.did import did_jwk_from_jwk
from credentials.identity import identity_hash
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair, generate_p256_jwk, public_jwk_of
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credentials.proofs.vc_jwt import sign_vc_jwt

TESTS = Path(__file__).parents[1]
INTEROP_FIXTURES = TESTS / "interop" / "fixtures"
IMAGES = TESTS / "fixtures" / "images"
PLAIN_PNG = IMAGES / "plain-1x1.png"
PLAIN_SVG = IMAGES / "plain.svg"
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(7, 39)))
HOLDER_KEY = Ed25519KeyPair.from_seed(bytes(range(41, 73)))
LEARNER_EMAIL = "learner@example.edu"
LEARNER_DID = "did:example:learner-42"
SALT = "verify-api-salt"
CREATED = "2024-06-01T00:00:00Z"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
CHALLENGE = "u5Xq9-challenge"
DOMAIN = "verifier.example"


@cache
def contexts() -> ContextStore:
    return ContextStore.load()


@cache
def p256_jwk() -> dict[str, Any]:
    return generate_p256_jwk()


def interop_fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((INTEROP_FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def ob3_credential(issuer: str | None = None, **changes: Any) -> dict[str, Any]:
    """The unsigned fixture, issued by `issuer` (default ISSUER_KEY's did:key) to LEARNER_EMAIL and LEARNER_DID."""
    credential = interop_fixture("ob3-vcdm2")
    credential["issuer"]["id"] = issuer or ISSUER_KEY.did_key
    credential["issuer"].pop("image", None)
    subject = credential["credentialSubject"]
    subject["id"] = LEARNER_DID
    subject["identifier"][0]["identityHash"] = identity_hash(LEARNER_EMAIL, SALT)
    subject["identifier"][0]["salt"] = SALT
    credential.update(changes)
    return credential


def sign(document: dict[str, Any], key: Ed25519KeyPair = ISSUER_KEY, **options: Any) -> dict[str, Any]:
    """VC-DI 1.0 §4.2 Add Proof, eddsa-rdfc-2022, with the key's did:key verification method."""
    suite = SUITES["eddsa-rdfc-2022"]
    method = key.did_key_verification_method
    proof_options = ProofOptions.for_suite(suite, method, created=CREATED, **options)
    return add_proof(document, suite, proof_options, key.signer(method), contexts())


def signed_credential(**changes: Any) -> dict[str, Any]:
    return sign(ob3_credential(**changes))


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    """The achievement renamed after signing: the proof no longer matches."""
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something else entirely"
    return changed


def vc_jwt() -> str:
    """OB 3.0 §8.2 VC-JWT, ES256, issued by a did:jwk (resolved offline)."""
    issuer = did_jwk_from_jwk(public_jwk_of(p256_jwk()))
    return sign_vc_jwt(ob3_credential(issuer), key=p256_jwk(), alg="ES256", kid=f"{issuer}#0")


def presentation(
    *credentials: dict[str, Any] | str, challenge: str = CHALLENGE, domain: str = DOMAIN
) -> dict[str, Any]:
    """VCDM 2.0 §4.13 presentation of `credentials`, signed by HOLDER_KEY for `authentication` (VC-DI 1.0 §4.4)."""
    unsigned = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER_KEY.did_key,
        "verifiableCredential": list(credentials),
    }
    return sign(unsigned, HOLDER_KEY, proof_purpose="authentication", challenge=challenge, domain=domain)


def baked_png(payload: dict[str, Any] | str) -> bytes:
    return baking.bake(PLAIN_PNG.read_bytes(), payload if isinstance(payload, str) else json.dumps(payload))


def baked_svg(payload: dict[str, Any] | str) -> bytes:
    return baking.bake(PLAIN_SVG.read_bytes(), payload if isinstance(payload, str) else json.dumps(payload))
