"""OB 3.0 §8.2 (VC-JWT): the errors raised to callers, and the internal rejection verification reports."""

from __future__ import annotations

from credentials.problems import MALFORMED_VALUE_ERROR, PARSING_ERROR, PROOF_GENERATION_ERROR, Problem

# VC-DI 1.0 "Verify Proof" names MALFORMED_PROOF_ERROR for a proof whose own structure is wrong: here, the JOSE header.
MALFORMED_PROOF_ERROR = "MALFORMED_PROOF_ERROR"


class VcJwtError(ValueError):
    """Base of the VC-JWT errors raised to callers (verification itself reports problems instead)."""

    code = MALFORMED_VALUE_ERROR


class MalformedJwt(VcJwtError):
    """Not a compact JWS with a JSON object header and payload (RFC 7515 §7.1, RFC 7519 §7.2)."""

    code = PARSING_ERROR


class JwtSigningError(VcJwtError):
    """The credential or options cannot produce an OB VC-JWT (no issuer id, unsupported alg, bad dates...)."""

    code = PROOF_GENERATION_ERROR


class _Rejected(Exception):
    """Internal: ends a verification stage with problems; never leaves this package."""

    def __init__(self, *problems: Problem, indeterminate: bool = False) -> None:
        super().__init__(problems[0].detail)
        self.problems = problems
        self.indeterminate = indeterminate
