"""Signed Open Badges for the verification page's tests: a realistic OB 3.0 credential from a did:key issuer.

The credential is tests/interop/fixtures/ob3-vcdm2.json with its issuer replaced by a did:key (resolved without any
network), its email identity hashed for CANDIDATE_EMAIL, and its badge image a data URI, so a browser showing it
fetches nothing. Signed with eddsa-rdfc-2022 (VC-DI-EdDSA §3.2), the suite issued by default.
"""

from __future__ import annotations

import base64
import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from credentials import baking
from credentials.identity import identity_hash
from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof

TESTS = Path(__file__).parents[1]
FIXTURE = TESTS / "interop" / "fixtures" / "ob3-vcdm2.json"
PLAIN_PNG = TESTS / "fixtures" / "images" / "plain-1x1.png"
ISSUER_KEY = Ed25519KeyPair.from_seed(bytes(range(100, 132)))
CANDIDATE_EMAIL = "candidate@example.com"
SALT = "page-salt"
CREATED = "2024-06-01T00:00:00Z"
BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120">'
    '<circle cx="60" cy="60" r="56" fill="#1f4fa8"/><circle cx="60" cy="60" r="44" fill="#ffffff"/>'
    '<text x="60" y="70" font-family="sans-serif" font-size="28" font-weight="700" text-anchor="middle" '
    'fill="#1f4fa8">DSC</text></svg>'
)
BADGE_DATA_URI = "data:image/svg+xml;base64," + base64.b64encode(BADGE_SVG.encode()).decode()


@cache
def contexts() -> ContextStore:
    return ContextStore.load()


def issuer_did() -> str:
    return ISSUER_KEY.did_key_verification_method.split("#", 1)[0]


def ob3_credential() -> dict[str, Any]:
    """The unsigned fixture credential, issued by ISSUER_KEY's did:key to CANDIDATE_EMAIL (hashed, salted)."""
    credential: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    credential["issuer"]["id"] = issuer_did()
    credential["issuer"].pop("image", None)
    subject = credential["credentialSubject"]
    subject["identifier"][0]["identityHash"] = identity_hash(CANDIDATE_EMAIL, SALT)
    subject["identifier"][0]["salt"] = SALT
    subject["achievement"]["image"] = {"id": BADGE_DATA_URI, "type": "Image", "caption": "DSC-210 badge"}
    return credential


def sign(credential: dict[str, Any]) -> dict[str, Any]:
    """VC-DI 1.0 §4.2 Add Proof, eddsa-rdfc-2022, with ISSUER_KEY's did:key verification method."""
    suite = SUITES["eddsa-rdfc-2022"]
    method = ISSUER_KEY.did_key_verification_method
    return add_proof(
        credential, suite, ProofOptions.for_suite(suite, method, created=CREATED), ISSUER_KEY.signer(method), contexts()
    )


def signed_badge() -> dict[str, Any]:
    return sign(ob3_credential())


def tampered(signed: dict[str, Any]) -> dict[str, Any]:
    """The signed credential with its achievement renamed after signing: the proof no longer matches."""
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Advanced Data Analysis with Python"
    return changed


def baked_png(signed: dict[str, Any]) -> bytes:
    """OB 3.0 §5.3.1: the credential JSON baked into a PNG."""
    return baking.bake(PLAIN_PNG.read_bytes(), json.dumps(signed))
