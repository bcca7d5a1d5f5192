"""VC-API §"Issue Credential" request body, `{"credential", "options"}`, validated into what issuance needs.

Pure. `options` may be absent, `{}` or carry what the W3C suites' `issuers[].options` say. Understood members:
`cryptosuite` (`eddsa-rdfc-2022`, the default, or `eddsa-jcs-2022`; `Ed25519Signature2020` too, also as
`type`), and `credentialStatus` (`{"type": "BitstringStatusListEntry", "statusPurpose"?}`). Other members
(`created`, `mandatoryPointers`, ...) are ignored, as VC-API lets an instance do with options it does not support.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from credentials.proofs.data_integrity import SUITES
from issuer.achievements import FieldProblem
from issuer.vcapi.credential_rules import credential_problems, vc_version
from issuer.vcapi.errors import InvalidCredential

DEFAULT_CRYPTOSUITE: Final = "eddsa-rdfc-2022"
DATA_INTEGRITY_PROOF: Final = "DataIntegrityProof"
STATUS_ENTRY_TYPE: Final = "BitstringStatusListEntry"
STATUS_PURPOSES: Final = ("revocation", "suspension")


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """Which credentialStatus entries to add: `purposes` None means "the issuer's default" (see status_entries)."""

    requested: bool
    purposes: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class IssueInput:
    """A credential that passed the structure rules, its VCDM version, the suite and the status wanted."""

    credential: dict[str, Any]
    version: str
    cryptosuite: str
    status: StatusRequest


def _at(loc: tuple[str | int, ...], msg: str, type_: str = "value_error") -> InvalidCredential:
    return InvalidCredential([FieldProblem(loc, msg, type_)])


def cryptosuite_of(options: Mapping[str, Any]) -> str:
    """VC-DI 1.0 §2.1: `cryptosuite` (with `type` DataIntegrityProof or absent) or a legacy suite `type`."""
    suite = options.get("cryptosuite")
    proof_type = options.get("type")
    if suite is None and proof_type not in (None, DATA_INTEGRITY_PROOF):
        suite = proof_type
    if suite is None:
        return DEFAULT_CRYPTOSUITE
    known = SUITES.get(suite) if isinstance(suite, str) else None
    if known is None or (proof_type is not None and proof_type != known.proof_type):
        raise _at(("options", "cryptosuite"), f"supported: {', '.join(sorted(SUITES))}", "unsupported_cryptosuite")
    return known.name


def status_request_of(options: Mapping[str, Any], credential: Mapping[str, Any]) -> StatusRequest:
    """Bitstring Status List v1.0 §2.1 entries asked for in `options.credentialStatus` (VC-API.md "bsl")."""
    wanted = options.get("credentialStatus")
    if wanted is None:
        return StatusRequest(requested=False)
    if not isinstance(wanted, dict) or wanted.get("type") != STATUS_ENTRY_TYPE:
        raise _at(("options", "credentialStatus"), f"supported: {{'type': '{STATUS_ENTRY_TYPE}'}}", "unsupported")
    if "credentialStatus" in credential:
        raise _at(("credential", "credentialStatus"), "either send credentialStatus or ask for it in options")
    purpose = wanted.get("statusPurpose")
    if purpose is None:
        return StatusRequest(requested=True)
    purposes = tuple(purpose) if isinstance(purpose, list) else (purpose,)
    if not purposes or any(p not in STATUS_PURPOSES for p in purposes) or len(set(purposes)) != len(purposes):
        raise _at(("options", "credentialStatus", "statusPurpose"), "revocation and/or suspension", "unsupported")
    return StatusRequest(requested=True, purposes=purposes)


def parse_issue_request(body: Mapping[str, Any]) -> IssueInput:
    """VC-API §"Issue Credential": the credential (structure rules) and the options; InvalidCredential (400) else."""
    credential = body.get("credential")
    if not isinstance(credential, dict):
        detail = "a credential object is required" if credential is None else "must be an object"
        raise _at(("credential",), detail, "missing" if credential is None else "value_error")
    options = body.get("options")
    if options is not None and not isinstance(options, dict):
        raise _at(("options",), "must be an object")
    problems = credential_problems(credential)
    if problems:
        raise InvalidCredential(problems)
    options = options or {}
    version = vc_version(credential)
    if version is None:  # credential_problems reports this; the check keeps the type narrow
        raise _at(("credential", "@context", 0), "must be a VC base context")
    return IssueInput(credential, version, cryptosuite_of(options), status_request_of(options, credential))
