"""WALLETS.md §3.2-§3.3 wire messages: what wallets POST to an exchange, and the JSON the exchange answers.

Bodies are untrusted: they are read as bytes with a small cap (a DIDAuth presentation is about 1 KB, and it is
canonicalized on the event loop), parsed as RFC 8259 JSON, and refused (400) when nested deeper than any
presentation is, when they hold a lone UTF-16 surrogate (no UTF-8 form, so no canonical form), or when a member has
the wrong type. Responses that carry a signed credential splice its stored text in unchanged
(ARCHITECTURE "Issue" step 6): the bytes a wallet receives are the bytes that were signed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Final

from issuer.errors import IssuerError

MAX_MESSAGE_BYTES: Final = 16_384
MAX_DEPTH: Final = 16
CREDENTIALS_V2: Final = "https://www.w3.org/ns/credentials/v2"
ENVELOPED_JWT_PREFIX: Final = "data:application/vc+jwt,"


class MalformedExchangeMessage(IssuerError):
    """The body is not the JSON message the exchange step expects (HTTP 400)."""

    code = "MALFORMED_EXCHANGE_MESSAGE"
    status = 400
    title = "The exchange message is malformed"


class ExchangeMessageTooLarge(IssuerError):
    code = "REQUEST_TOO_LARGE"
    status = 413
    title = "The exchange message is too large"


@dataclass(frozen=True, slots=True)
class ClientMessage:
    """VCALM "ExchangeParticipationClientMessage": a presentation, or None for `{}` (start / what next?)."""

    presentation: dict[str, Any] | None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    # RFC 8259 §6: 1e999 parses to infinity, which has no JSON (nor canonical) form.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


def _check_value(value: Any, depth: int) -> None:
    """Depth and strings: a presentation nests a handful of levels; every string must have a UTF-8 form."""
    if depth > MAX_DEPTH:
        raise MalformedExchangeMessage(f"the message is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedExchangeMessage("the message contains a lone UTF-16 surrogate") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, depth + 1)
            _check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)


def parse_json_object(body: bytes) -> dict[str, Any]:
    """RFC 8259 §2: the body as one JSON object within MAX_MESSAGE_BYTES and MAX_DEPTH (errors are 4xx)."""
    if len(body) > MAX_MESSAGE_BYTES:
        raise ExchangeMessageTooLarge(f"an exchange message is at most {MAX_MESSAGE_BYTES} bytes")
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: a small body of nested brackets still exhausts the parser's stack.
        raise MalformedExchangeMessage("the body is not UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise MalformedExchangeMessage(f"the body is a JSON {type(value).__name__}, not an object")
    _check_value(value, 0)
    return value


def client_message(body: bytes) -> ClientMessage:
    """VCALM exchange POST body: `{}` or `{"verifiablePresentation": {...}}`, with an optional string `referenceId`.

    Other members (a holder's own `verifiablePresentationRequest`, `redirectUrl`) are not acted on: the exchange
    answers them as it answers `{}`, with what it needs next.
    """
    message = parse_json_object(body)
    reference = message.get("referenceId")
    if reference is not None and not isinstance(reference, str):
        raise MalformedExchangeMessage("referenceId must be a string")
    if "verifiablePresentation" not in message:
        return ClientMessage(None)
    presentation = message["verifiablePresentation"]
    if not isinstance(presentation, dict):
        raise MalformedExchangeMessage("verifiablePresentation must be a JSON object")
    return ClientMessage(presentation)


def did_authentication_request(*, challenge: str, domain: str) -> dict[str, Any]:
    """VCALM "DIDAuthentication" query: the DID methods and cryptosuites our DIDAuth verifier accepts."""
    return {
        "verifiablePresentationRequest": {
            "query": [
                {
                    "type": "DIDAuthentication",
                    "acceptedMethods": [{"method": "key"}, {"method": "jwk"}],
                    "acceptedCryptosuites": [
                        {"cryptosuite": "eddsa-rdfc-2022"},
                        {"cryptosuite": "Ed25519Signature2020"},
                    ],
                }
            ],
            "challenge": challenge,
            "domain": domain,
        }
    }


def enveloped_jwt(token: str) -> str:
    """VCDM 2.0 §4.13.1 EnvelopedVerifiableCredential for a VC-JWT (VC-JOSE-COSE §3.1.1 media type vc+jwt)."""
    return json.dumps(
        {"@context": CREDENTIALS_V2, "id": ENVELOPED_JWT_PREFIX + token, "type": "EnvelopedVerifiableCredential"},
        separators=(",", ":"),
    )


def presentation_message(credential_texts: list[str]) -> bytes:
    """VCALM server message `{"verifiablePresentation": {...}}`, each credential's JSON text spliced in unchanged."""
    head = json.dumps({"@context": [CREDENTIALS_V2], "type": ["VerifiablePresentation"]}, separators=(",", ":"))
    members = ",".join(credential_texts)
    return f'{{"verifiablePresentation":{head[:-1]},"verifiableCredential":[{members}]}}}}'.encode()
