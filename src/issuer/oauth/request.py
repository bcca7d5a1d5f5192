"""Reading a token request (RFC 6749 §4.4.2) and the client's credentials (§2.3.1); pure, no I/O."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote_plus

from issuer.oauth.errors import OAuthError, OAuthErrorCode, invalid_client, invalid_request

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
CLIENT_CREDENTIALS = "client_credentials"
_MAX_FIELDS = 16


@dataclass(frozen=True, slots=True)
class TokenRequest:
    client_id: str
    client_secret: str
    scope: str | None
    used_basic: bool


@dataclass(frozen=True, slots=True)
class _ClientCredentials:
    client_id: str
    client_secret: str


def _form_fields(content_type: str | None, body: bytes) -> dict[str, str]:
    """§4.4.2 form body; §3.1 parameters without a value count as omitted, none may repeat."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise invalid_request(f"the token request body must be {FORM_MEDIA_TYPE} (RFC 6749 §4.4.2)")
    try:
        text = body.decode("utf-8")
        parsed = parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid_request("the form body is not UTF-8 application/x-www-form-urlencoded") from exc
    repeated = sorted(name for name, values in parsed.items() if len(values) > 1)
    if repeated:
        raise invalid_request(f"parameters must not be repeated: {', '.join(repeated)} (RFC 6749 §3.2)")
    return {name: values[0] for name, values in parsed.items() if values[0] != ""}


def _basic_credentials(authorization: str) -> _ClientCredentials:
    """§2.3.1: Basic with the form-urlencoded client id and secret as user name and password."""
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise invalid_client("unsupported client authentication method; use HTTP Basic", basic=True)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_client("malformed HTTP Basic credentials", basic=True) from exc
    user, colon, password = decoded.partition(":")
    if not colon or not user or not password:
        raise invalid_client("malformed HTTP Basic credentials", basic=True)
    return _ClientCredentials(unquote_plus(user), unquote_plus(password))


def _client_credentials(fields: dict[str, str], authorization: str | None) -> tuple[_ClientCredentials, bool]:
    """§2.3: one authentication method per request; the body may repeat the Basic client_id (§3.2.1)."""
    body_id, body_secret = fields.get("client_id"), fields.get("client_secret")
    if authorization is not None:
        credentials = _basic_credentials(authorization)
        if body_secret is not None or (body_id is not None and body_id != credentials.client_id):
            raise invalid_request("use one client authentication method: HTTP Basic or the form body (RFC 6749 §2.3)")
        return credentials, True
    if body_id is None or body_secret is None:
        raise invalid_client("client authentication failed: client_id and client_secret are required", basic=False)
    return _ClientCredentials(body_id, body_secret), False


def read_token_request(content_type: str | None, body: bytes, authorization: str | None) -> TokenRequest:
    """RFC 6749 §4.4.2 Access Token Request, checked in order: form, grant type, client credentials."""
    fields = _form_fields(content_type, body)
    grant_type = fields.get("grant_type")
    if grant_type is None:
        raise invalid_request("grant_type is required")
    if grant_type != CLIENT_CREDENTIALS:
        raise OAuthError(OAuthErrorCode.UNSUPPORTED_GRANT_TYPE, f"only {CLIENT_CREDENTIALS} is supported")
    credentials, used_basic = _client_credentials(fields, authorization)
    return TokenRequest(credentials.client_id, credentials.client_secret, fields.get("scope"), used_basic)
