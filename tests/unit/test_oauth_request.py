"""Reading token requests (RFC 6749 §4.4.2, §2.3.1, §3.1-3.3) and scope strings, without a database."""

from __future__ import annotations

import base64

import pytest

from issuer.oauth.errors import OAuthError, OAuthErrorCode
from issuer.oauth.request import read_token_request
from issuer.scopes import Scope, ScopeSyntaxError, format_scopes, parse_scopes

FORM = "application/x-www-form-urlencoded"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _error(content_type: str | None, body: bytes, authorization: str | None = None) -> OAuthError:
    with pytest.raises(OAuthError) as raised:
        read_token_request(content_type, body, authorization)
    return raised.value


def test_body_credentials_and_scope() -> None:
    request = read_token_request(
        f"{FORM}; charset=UTF-8", b"grant_type=client_credentials&client_id=abc&client_secret=s%2Bt&scope=a+b", None
    )
    assert (request.client_id, request.client_secret, request.scope, request.used_basic) == ("abc", "s+t", "a b", False)


def test_basic_credentials_are_form_decoded() -> None:
    # §2.3.1: the id and secret are form-urlencoded before Basic encoding.
    request = read_token_request(FORM, b"grant_type=client_credentials", _basic("a%3Ab", "p%25w+d"))
    assert (request.client_id, request.client_secret, request.used_basic) == ("a:b", "p%w d", True)


def test_blank_parameters_count_as_omitted() -> None:
    request = read_token_request(FORM, b"grant_type=client_credentials&client_id=a&client_secret=b&scope=", None)
    assert request.scope is None


@pytest.mark.parametrize(
    ("body", "authorization", "expected"),
    [
        (b"client_id=a&client_secret=b", None, OAuthErrorCode.INVALID_REQUEST),
        (b"grant_type=password&client_id=a&client_secret=b", None, OAuthErrorCode.UNSUPPORTED_GRANT_TYPE),
        (b"grant_type=client_credentials&grant_type=client_credentials", None, OAuthErrorCode.INVALID_REQUEST),
        (b"grant_type=client_credentials&client_secret=b", None, OAuthErrorCode.INVALID_CLIENT),
        (b"grant_type=client_credentials&client_id=x", _basic("a", "b"), OAuthErrorCode.INVALID_REQUEST),
        (b"grant_type=client_credentials&client_secret=b", _basic("a", "b"), OAuthErrorCode.INVALID_REQUEST),
        (b"grant_type=client_credentials", "Basic " + base64.b64encode(b":b").decode(), OAuthErrorCode.INVALID_CLIENT),
        (b"grant_type=client_credentials", "Digest abc", OAuthErrorCode.INVALID_CLIENT),
        (b"&".join([b"x%d=1" % i for i in range(40)]), None, OAuthErrorCode.INVALID_REQUEST),
    ],
    ids=[
        "no-grant-type",
        "password-grant",
        "repeated",
        "no-client-id",
        "basic-and-other-body-id",
        "basic-and-body-secret",
        "basic-empty-user",
        "digest",
        "too-many-fields",
    ],
)
def test_refusals(body: bytes, authorization: str | None, expected: OAuthErrorCode) -> None:
    assert _error(FORM, body, authorization).error is expected


def test_invalid_client_status_and_challenge() -> None:
    basic = _error(FORM, b"grant_type=client_credentials", "Basic %%%")
    assert (basic.status, basic.headers()) == (401, {"WWW-Authenticate": 'Basic realm="credstack"'})
    body = _error(FORM, b"grant_type=client_credentials")
    assert (body.status, body.headers()) == (401, {})
    assert _error("text/plain", b"grant_type=client_credentials").status == 400


def test_scope_strings() -> None:
    assert parse_scopes("credentials:read issuers:write credentials:read") == {
        Scope.CREDENTIALS_READ,
        Scope.ISSUERS_WRITE,
    }
    assert format_scopes([Scope.ISSUERS_WRITE, Scope.CREDENTIALS_READ]) == "credentials:read issuers:write"
    for bad in ["", " issuers:write", "issuers:write\tcredentials:read", "Issuers:Write", "a\\b"]:
        with pytest.raises(ScopeSyntaxError):
            parse_scopes(bad)
