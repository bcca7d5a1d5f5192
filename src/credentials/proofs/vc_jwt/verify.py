"""OB 3.0 §8.2 (Verify): verify a VC-JWT, reporting problems with stable codes instead of raising."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from credentials.keys import VerificationMethod
from credentials.problems import PROOF_VERIFICATION_ERROR, Problem
from credentials.proofs.vc_jwt.claims import credential_from_payload
from credentials.proofs.vc_jwt.errors import _Rejected
from credentials.proofs.vc_jwt.jose import _header_problems, _parse, _Parsed, verify_jws_signature
from credentials.proofs.vc_jwt.key_selection import KeyLookup, MethodDereferencer, _select_key


@dataclass(frozen=True, slots=True)
class JwtVerification:
    """The verdict on one VC-JWT. `indeterminate` means the key could not be fetched (retry may succeed)."""

    credential: dict[str, Any] | None
    header: dict[str, Any] | None
    payload: dict[str, Any] | None
    kid: str | None
    verification_method: VerificationMethod | None
    problems: tuple[Problem, ...]
    indeterminate: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems


async def verify_vc_jwt(
    token: str, *, resolver: MethodDereferencer | None = None, key_lookup: KeyLookup | None = None
) -> JwtVerification:
    """OB 3.0 §8.2 (Verify): parse, check the header, get the key, verify the JWS, then the claims.

    Never raises for a bad token. Stages stop at the first that fails, so claims are only judged once the
    signature holds; `indeterminate` is set when the key could not be fetched for a reason a retry may cure.
    """
    parsed: _Parsed | None = None
    method: VerificationMethod | None = None
    try:
        parsed = _parse(token)
        header_problems = _header_problems(parsed.header)
        if header_problems:
            raise _Rejected(*header_problems)
        key, method = await _select_key(parsed, resolver, key_lookup)
        if not verify_jws_signature(key, parsed.header["alg"], parsed.signing_input, parsed.signature):
            raise _Rejected(Problem(PROOF_VERIFICATION_ERROR, "Invalid signature", "the JWS signature does not verify"))
    except _Rejected as rejected:
        header = parsed.header if parsed else None
        kid = header.get("kid") if header and isinstance(header.get("kid"), str) else None
        return JwtVerification(None, header, None, kid, method, rejected.problems, rejected.indeterminate)
    credential, problems = credential_from_payload(parsed.payload)
    kid = parsed.header.get("kid")
    return JwtVerification(credential, parsed.header, parsed.payload, kid, method, tuple(problems))
