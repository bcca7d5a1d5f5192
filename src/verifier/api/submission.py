"""`POST /api/v1/verify` bodies (README "Verification API"): what to verify and with which options.

A JSON body is a credential or presentation (it has `@context`), a compact JWT as a JSON string, or a wrapper
`{"credential"|"jwt"|"presentation": …, "options": {"recipient": {"email"|"did"}, "challenge", "domain"}}`; any
other body (JWT text, a baked PNG or SVG, an uploaded file) is sniffed by verifier.parse. Decoding is CPU work, so
these functions run in the verification runner, not on the service's event loop.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from verifier.api.problems import invalid_request, unreadable
from verifier.parse import (
    Limits,
    ParsedInput,
    UnreadableInput,
    check_json_depth,
    json_type,
    jwt_credential,
    parse_input,
    parse_json_object,
)
from verifier.service import VerifyOptions

# Wrapper members naming the input; the VC-API names are accepted too, since people paste VC-API bodies.
INPUT_MEMBERS: Mapping[str, Literal["credential", "jwt", "presentation"]] = {
    "credential": "credential",
    "verifiableCredential": "credential",
    "jwt": "jwt",
    "presentation": "presentation",
    "verifiablePresentation": "presentation",
}
OPTION_MEMBERS = frozenset({"recipient", "challenge", "domain"})
MAX_EMAIL_CHARS = 320  # RFC 5321 §4.5.3.1: 64 for the local part, 255 for the domain, and the @
MAX_IDENTIFIER_CHARS = 2048


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who the caller expects the credential to be issued to (OB 3.0 §8.1 step 5); both may be absent."""

    email: str | None = None
    did: str | None = None

    @property
    def given(self) -> bool:
        return self.email is not None or self.did is not None

    @classmethod
    def of(cls, email: object, did: object, where: str) -> Recipient:
        """Validated values from a query string, form fields or `options.recipient`; `where` names the source."""
        return cls(
            email=_text(email, f"{where} email", MAX_EMAIL_CHARS), did=_text(did, f"{where} DID", MAX_IDENTIFIER_CHARS)
        )


@dataclass(frozen=True, slots=True)
class Submission:
    """A request as received: the body still undecoded, how to read it, and the recipient given outside it."""

    data: bytes
    reading: Literal["json", "sniff"]
    recipient: Recipient = Recipient()


@dataclass(frozen=True, slots=True)
class Decoded:
    parsed: ParsedInput
    options: VerifyOptions


def _text(value: object, name: str, max_chars: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid_request(f"the {name} must be a non-empty string")
    if len(value) > max_chars:
        raise invalid_request(f"the {name} is longer than {max_chars} characters")
    return value.strip()


def decode(submission: Submission, limits: Limits) -> Decoded:
    """The input and the options; RequestProblem when the request or its input cannot be used."""
    try:
        if submission.reading == "sniff":
            return Decoded(parse_input(submission.data, limits), _options(None, submission.recipient))
        return _decode_json(submission, limits)
    except UnreadableInput as exc:
        raise unreadable(str(exc)) from exc


def _decode_json(submission: Submission, limits: Limits) -> Decoded:
    try:
        text = submission.data.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise UnreadableInput("the JSON body is not UTF-8") from exc
    if text.startswith('"'):  # RFC 8259 string: a compact JWT sent as JSON
        token = _json_string(text)
        return Decoded(parse_input(token.encode("utf-8"), limits), _options(None, submission.recipient))
    if not text.startswith("{"):  # not JSON at all: let the sniffer say what it is (a JWT sent as JSON, garbage)
        return Decoded(parse_input(submission.data, limits), _options(None, submission.recipient))
    document = parse_json_object(text, limits.max_json_depth)
    if not is_wrapper(document):
        return Decoded(ParsedInput("json", document), _options(None, submission.recipient))
    return _unwrap(document, submission.recipient, limits)


def _json_string(text: str) -> str:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(value, str):
        raise UnreadableInput(f"expected a JSON object or string, got {json_type(value)}")
    return value


def is_wrapper(document: Mapping[str, Any]) -> bool:
    """A bare credential or presentation has `@context`; a wrapper has an input member or `options` instead."""
    return "@context" not in document and any(key in INPUT_MEMBERS or key == "options" for key in document)


def _unwrap(wrapper: Mapping[str, Any], recipient: Recipient, limits: Limits) -> Decoded:
    unknown = sorted(set(wrapper) - set(INPUT_MEMBERS) - {"options"})
    if unknown:
        raise invalid_request(f"unknown members {unknown}: a wrapper has one input member and `options`")
    names = [key for key in wrapper if key in INPUT_MEMBERS]
    if len(names) != 1:
        raise invalid_request("a wrapper needs exactly one of `credential`, `jwt` or `presentation`")
    name = names[0]
    parsed = input_member(name, wrapper[name], INPUT_MEMBERS[name], limits)
    return Decoded(parsed, _options(wrapper.get("options"), recipient))


def input_member(
    name: str, value: Any, kind: Literal["credential", "jwt", "presentation"], limits: Limits
) -> ParsedInput:
    """One wrapper member as input: an object, or a compact JWT string (`jwt` must be one)."""
    if kind == "jwt":
        if not isinstance(value, str):
            raise invalid_request(f"`{name}` must be a compact JWT string")
        token = value.strip()
        parsed = ParsedInput("jwt", jwt_credential(token, limits.max_json_depth), jwt=token)
    elif isinstance(value, dict):
        check_json_depth(value, limits.max_json_depth)
        parsed = ParsedInput("json", value)
    elif isinstance(value, str):
        parsed = parse_input(value.encode("utf-8"), limits)
    else:
        raise invalid_request(f"`{name}` must be a JSON object or a compact JWT string")
    if parsed.is_presentation != (kind == "presentation"):
        wanted = "a verifiable presentation" if kind == "presentation" else "a credential, not a presentation"
        raise invalid_request(f"`{name}` must be {wanted}")
    return parsed


def _options(value: Any, recipient: Recipient) -> VerifyOptions:
    options = {} if value is None else value
    if not isinstance(options, dict):
        raise invalid_request("`options` must be a JSON object")
    unknown = sorted(set(options) - OPTION_MEMBERS)
    if unknown:
        raise invalid_request(f"unknown options {unknown}; known: {sorted(OPTION_MEMBERS)}")
    chosen = recipient
    if "recipient" in options:
        if recipient.given:
            raise invalid_request("give the recipient once: in the query string or form, or in `options.recipient`")
        chosen = _recipient_option(options["recipient"])
    presentation = presentation_options(options)
    return verify_options(chosen, presentation)


def _recipient_option(value: Any) -> Recipient:
    if not isinstance(value, dict) or not value or set(value) - {"email", "did"}:
        raise invalid_request('`options.recipient` must be {"email": …} or {"did": …}')
    return Recipient.of(value.get("email"), value.get("did"), "recipient")


@dataclass(frozen=True, slots=True)
class PresentationOptions:
    """VC-DI 1.0 §4.4 steps 6-7: the challenge and domain the holder's proof must carry."""

    challenge: str | None = None
    domain: str | None = None


def presentation_options(options: Mapping[str, Any]) -> PresentationOptions:
    return PresentationOptions(
        challenge=_text(options.get("challenge"), "challenge", MAX_IDENTIFIER_CHARS),
        domain=_text(options.get("domain"), "domain", MAX_IDENTIFIER_CHARS),
    )


def verify_options(recipient: Recipient, presentation: PresentationOptions) -> VerifyOptions:
    return VerifyOptions(
        recipient_email=recipient.email,
        recipient_did=recipient.did,
        challenge=presentation.challenge,
        domain=presentation.domain,
    )
