"""OpenID4VCI 1.0 §8.2 Credential Request, in every shape WALLETS.md §2.8 saw real wallets send. Pure.

Which credential (§8.2, in this order):
- `credential_identifier` from the token response's authorization_details (Digital Bazaar after RFC 9396);
- `credential_configuration_id` (1.0: @openid4vc, Sphereon);
- draft 13 `format` + `credential_definition` (Digital Bazaar without authorization_details): a deviation.

Which proof: 1.0 `proofs: {"jwt": [<one JWT>]}`; members of `proofs` that are not proof-type arrays (Digital
Bazaar's `"proof_type": "jwt"`) are ignored; the pre-1.0 singular `proof: {"proof_type": "jwt", "jwt": ...}`
(Sphereon) is read as `proofs.jwt[0]`. The tolerated shapes are named in `deviations`, for the log. They are
accepted in both proof modes: the mode is about the proof JWT itself (credentials.oid4vci_proof), and Sphereon's
singular `proof` passes WALLETS.md §6.3's strict runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from issuer.models import WalletOffer
from issuer.wallets.offers import CONFIGURATIONS
from issuer.wallets.oid4vci.errors import Oid4vciError, credential_error
from issuer.wallets.oid4vci.metadata import CREDENTIAL_TYPES, FORMATS
from issuer.wallets.oid4vci.token import credential_identifier

PROOF_TYPES: Final = ("jwt", "di_vp", "attestation")
_CONFIGURATION_OF_FORMAT: Final = {format: configuration for configuration, format in FORMATS.items()}


@dataclass(frozen=True, slots=True)
class Requested:
    """What a request asks for: a configuration of the offer, and the shapes tolerated to say so."""

    configuration_id: str
    deviations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProofJwt:
    """The single `jwt` key proof, as sent (credentials.oid4vci_proof checks its type and everything else)."""

    jwt: Any
    deviations: tuple[str, ...] = ()


def parse_request_body(body: bytes) -> dict[str, Any]:
    """§8.2: a JSON object; anything else is invalid_credential_request."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        raise credential_error("invalid_credential_request", "the body is not JSON") from None
    if not isinstance(parsed, dict):
        raise credential_error("invalid_credential_request", "the body is not a JSON object")
    if "credential_response_encryption" in parsed:
        raise credential_error("invalid_encryption_parameters", "credential response encryption is not supported")
    return parsed


def _unknown(configuration: object) -> Oid4vciError:
    return credential_error("unknown_credential_configuration", f"{str(configuration)[:100]} is not offered here")


def _draft13_configuration(request: Mapping[str, Any]) -> str:
    """Draft 13 §7.2 `format` (+ `credential_definition`): the configuration of that format, if the type fits."""
    configuration = _CONFIGURATION_OF_FORMAT.get(request["format"]) if isinstance(request["format"], str) else None
    if configuration is None:
        raise _unknown(request["format"])
    definition = request.get("credential_definition", {})
    if not isinstance(definition, dict):
        raise credential_error("invalid_credential_request", "credential_definition must be an object")
    types = definition.get("type", list(CREDENTIAL_TYPES))
    if not isinstance(types, list) or CREDENTIAL_TYPES[-1] not in types:
        raise _unknown(types)
    return configuration


def requested_configuration(request: Mapping[str, Any], offer: WalletOffer) -> Requested:
    """§8.2 `credential_identifier` | `credential_configuration_id` | draft 13 `format`, among the offer's."""
    offered = list(offer.configuration_ids or CONFIGURATIONS)
    identifier, configuration = request.get("credential_identifier"), request.get("credential_configuration_id")
    if identifier is not None and configuration is not None:
        raise credential_error(
            "invalid_credential_request", "send credential_identifier or credential_configuration_id"
        )
    if identifier is not None:
        by_identifier = {credential_identifier(offer, c): c for c in offered}
        if not isinstance(identifier, str) or identifier not in by_identifier:
            raise credential_error("unknown_credential_identifier", "no such credential_identifier for this token")
        return Requested(by_identifier[identifier])
    if configuration is not None:
        if not isinstance(configuration, str) or configuration not in offered:
            raise _unknown(configuration)
        return Requested(configuration)
    if "format" in request:
        draft = _draft13_configuration(request)
        if draft not in offered:
            raise _unknown(draft)
        return Requested(draft, ("draft 13 format request",))
    raise credential_error("invalid_credential_request", "credential_configuration_id is required")


def _from_proofs(proofs: Any) -> ProofJwt:
    """§8.2 `proofs`: exactly one proof type; only `jwt`, with exactly one JWT (no batch issuance)."""
    if not isinstance(proofs, dict):
        raise credential_error("invalid_credential_request", "proofs must be an object")
    present = [name for name, value in proofs.items() if name in PROOF_TYPES or isinstance(value, list)]
    ignored = tuple(f"proofs.{name} ignored" for name in proofs if name not in present)
    if not present:
        raise credential_error("invalid_proof", "proofs has no proof type")
    if len(present) > 1:
        raise credential_error("invalid_credential_request", "proofs must have exactly one proof type")
    if present[0] != "jwt":
        raise credential_error("invalid_proof", f"proof type {present[0][:40]} is not supported; use jwt")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list):
        raise credential_error("invalid_credential_request", "proofs.jwt must be an array")
    if len(jwts) != 1:
        raise credential_error("invalid_proof", "send exactly one jwt proof (batch issuance is not supported)")
    return ProofJwt(jwts[0], ignored)


def _from_singular_proof(proof: Any) -> ProofJwt:
    """Drafts 13-15 `proof: {"proof_type": "jwt", "jwt": ...}` (Sphereon 0.20.1)."""
    if not isinstance(proof, dict):
        raise credential_error("invalid_credential_request", "proof must be an object")
    if proof.get("proof_type") != "jwt":
        raise credential_error("invalid_proof", "proof.proof_type must be jwt")
    if "jwt" not in proof:
        raise credential_error("invalid_proof", "proof.jwt is missing")
    return ProofJwt(proof["jwt"], ("singular proof object (pre-1.0)",))


def proof_jwt(request: Mapping[str, Any]) -> ProofJwt:
    """§8.2 `proofs` (or the pre-1.0 `proof`): the one JWT to verify; invalid_proof when none was sent."""
    if "proof" in request and "proofs" in request:
        raise credential_error("invalid_credential_request", "send proofs or proof, not both")
    if "proofs" in request:
        return _from_proofs(request["proofs"])
    if "proof" in request:
        return _from_singular_proof(request["proof"])
    raise credential_error("invalid_proof", "the request has no proof of possession; get a c_nonce and send one")
