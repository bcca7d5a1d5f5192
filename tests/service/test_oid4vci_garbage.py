"""Malformed input never makes an OpenID4VCI endpoint answer 500 (SQLite and PostgreSQL): a table of known-awkward
bodies, then hypothesis-generated form fields, JSON values and bytes. OAuth endpoints answer `{"error"}` objects."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.oid4vci import CREDENTIAL, LDP, NONCE, NOTIFICATION, TOKEN, access_token, award, bearer, make_offer
from support.tenancy import Tenants

FORM = "application/x-www-form-urlencoded"
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

RAW_BODIES: list[bytes] = [
    b"",
    b"{",
    b"[]",
    b"null",
    b"42",
    b'"text"',
    b"\xff\xfe\x00",
    b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b"1" * 10000,
    b'{"credential_configuration_id": NaN}',
    b"grant_type=%ZZ&pre-authorized_code=%",
    b"a=" + b"b" * 100_000,
    b"&".join(b"f%d=1" % i for i in range(200)),
]
CONTENT_TYPES = ["application/json", FORM, "text/plain", "multipart/form-data; boundary=x", ""]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
credential_requests = st.fixed_dictionaries(
    {},
    optional={
        "credential_configuration_id": st.sampled_from([LDP, "x"]) | json_values,
        "credential_identifier": json_values,
        "format": st.sampled_from(["ldp_vc", "jwt_vc_json"]) | json_values,
        "credential_definition": json_values,
        "proofs": st.fixed_dictionaries({}, optional={"jwt": json_values, "proof_type": json_values}) | json_values,
        "proof": st.fixed_dictionaries({}, optional={"jwt": json_values, "proof_type": json_values}) | json_values,
        "credential_response_encryption": json_values,
    },
)
token_forms = st.dictionaries(
    st.sampled_from(["grant_type", "pre-authorized_code", "tx_code", "authorization_details", "user_pin"])
    | st.text(max_size=10),
    st.sampled_from([PRE_AUTH, "[]", '[{"type":"openid_credential"}]']) | st.text(max_size=60),
    max_size=5,
)
notifications = st.fixed_dictionaries(
    {},
    optional={
        "notification_id": json_values,
        "event": st.sampled_from(["credential_accepted", "credential_failure"]) | json_values,
        "event_description": json_values,
    },
)


def _not_500(response: httpx.Response, oauth: bool = True) -> None:
    assert response.status_code < 500, response.text
    if oauth and response.status_code >= 400:
        assert isinstance(response.json()["error"], str), response.text


def _token(app: FastAPI, client: TestClient, tenants: Tenants) -> str:
    return access_token(client, make_offer(app, award(client, tenants.a), configuration_ids=(LDP,)))


def test_table_of_awkward_bodies(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    token = _token(app, client, tenants)
    for body in RAW_BODIES:
        for content_type in CONTENT_TYPES:
            headers = {"Content-Type": content_type} if content_type else {}
            _not_500(client.post(TOKEN, content=body, headers=headers))
            _not_500(client.post(CREDENTIAL, content=body, headers={**headers, **bearer(token)}))
            _not_500(client.post(NOTIFICATION, content=body, headers={**headers, **bearer(token)}))
            assert client.post(NONCE, content=body, headers=headers).status_code == 200
    for handle in ("%00", "..", "a" * 5000, "é" * 20):
        _not_500(client.get(f"/oid4vci/offers/{handle}"), oauth=False)
        _not_500(client.get(f"/.well-known/openid-credential-issuer/issuers/{handle}"), oauth=False)
    for authorization in ("Bearer", "Bearer  a b", "bearer \u00e9", "Bearer " + "a" * 100_000, "\x00"):
        try:
            response = client.post(CREDENTIAL, json={}, headers={"Authorization": authorization})
        except (UnicodeEncodeError, httpx.LocalProtocolError):
            continue  # not a header an HTTP client can send
        _not_500(response)


def test_generated_token_requests(client: TestClient) -> None:
    @SETTINGS
    @given(form=token_forms)
    def check(form: dict[str, str]) -> None:
        _not_500(client.post(TOKEN, content=urlencode(form), headers={"Content-Type": FORM}))

    check()


def test_generated_credential_requests(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    token = _token(app, client, tenants)

    @SETTINGS
    @given(body=credential_requests | json_values)
    def check(body: Any) -> None:
        response = client.post(CREDENTIAL, content=json.dumps(body), headers=bearer(token))
        _not_500(response)
        assert response.status_code == 400  # nothing generated here carries a valid proof

    check()


def test_generated_notifications(app: FastAPI, client: TestClient, tenants: Tenants) -> None:
    token = _token(app, client, tenants)

    @SETTINGS
    @given(body=notifications | json_values, raw=st.binary(max_size=64))
    def check(body: Any, raw: bytes) -> None:
        _not_500(client.post(NOTIFICATION, content=json.dumps(body), headers=bearer(token)))
        _not_500(client.post(NOTIFICATION, content=raw, headers=bearer(token)))

    check()
