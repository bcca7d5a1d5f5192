"""OB 3.0 §8.2 "JSON Web Token Proof Format" (VC-JWT over RFC 7515 JWS / RFC 7519 JWT): sign and verify.

Signing uses RS256 (RSA, at least 2048 bits) or ES256 (P-256), the algorithms the 1EdTech validator accepts, with
the header {alg, typ: "JWT", kid | jwk} and nothing else; `sign_vc_jwt_eddsa` signs EdDSA (Ed25519) with a `kid`,
which that validator refuses. Verification also accepts EdDSA (Ed25519). A VCDM 2.0 credential is the payload
itself plus iss/jti/nbf/sub/exp; a VCDM 1.1 credential sits in the `vc` claim. `verify_vc_jwt` never raises for a
bad token: it returns a `JwtVerification` listing problems with stable codes. It does not look at the clock; the
validity-period check does.
"""

from credentials.proofs.vc_jwt.claims import (
    REGISTERED_CLAIMS,
    VCDM1_CONTEXT,
    VCDM2_CONTEXT,
    credential_from_payload,
    numeric_date,
    vc_jwt_claims,
    vc_jwt_payload,
    vcdm_version,
)
from credentials.proofs.vc_jwt.errors import MALFORMED_PROOF_ERROR, JwtSigningError, MalformedJwt, VcJwtError
from credentials.proofs.vc_jwt.jose import (
    ACCEPTED_TYPES,
    ALLOWED_HEADER_PARAMETERS,
    COMPACT_JWS,
    MAX_TOKEN_LENGTH,
    VERIFICATION_ALGORITHMS,
    decode_unverified,
    is_compact_jws,
    verify_jws_signature,
)
from credentials.proofs.vc_jwt.key_selection import KeyLookup, MethodDereferencer
from credentials.proofs.vc_jwt.sign import SIGNING_ALGORITHMS, SigningAlgorithm, sign_vc_jwt, sign_vc_jwt_eddsa
from credentials.proofs.vc_jwt.verify import JwtVerification, verify_vc_jwt

__all__ = [
    "ACCEPTED_TYPES",
    "ALLOWED_HEADER_PARAMETERS",
    "COMPACT_JWS",
    "MALFORMED_PROOF_ERROR",
    "MAX_TOKEN_LENGTH",
    "REGISTERED_CLAIMS",
    "SIGNING_ALGORITHMS",
    "VCDM1_CONTEXT",
    "VCDM2_CONTEXT",
    "VERIFICATION_ALGORITHMS",
    "JwtSigningError",
    "JwtVerification",
    "KeyLookup",
    "MalformedJwt",
    "MethodDereferencer",
    "SigningAlgorithm",
    "VcJwtError",
    "credential_from_payload",
    "decode_unverified",
    "is_compact_jws",
    "numeric_date",
    "sign_vc_jwt",
    "sign_vc_jwt_eddsa",
    "vc_jwt_claims",
    "vc_jwt_payload",
    "vcdm_version",
    "verify_jws_signature",
    "verify_vc_jwt",
]
