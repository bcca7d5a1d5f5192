"""Issue 4 "Safety and speed": nothing submitted to the verification routes produces a 500 or a hang.

Hypothesis, derandomized and bounded (a few dozen examples per input family, a timeout on every request): random
bytes, malformed and deeply nested JSON, JWT-shaped strings, truncated and garbled baked PNG and SVG images,
mutated valid credentials and odd multipart forms. Every answer is a 200 with a well-formed report (or VC-API
result) or a 4xx problem+json.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.app import create_app
from credstack.settings import Settings
from issuer.db import create_database_engine
from issuer.models import metadata
from schemas.report import CHECK_IDS
from support.clock import FakeClock
from support.verify_inputs import baked_png, baked_svg, presentation, signed_credential, vc_jwt

VERIFY = "/api/v1/verify"
VCAPI = ("/credentials/verify", "/presentations/verify")
REQUEST_TIMEOUT = 20.0  # seconds; a verification of anything here takes well under one
STATUSES = {"passed", "failed", "error", "skipped"}
MEDIA_TYPES = ["application/json", "text/plain", "image/png", "image/svg+xml", "application/octet-stream"]
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Send = Callable[..., httpx.Response]


def _no_network(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"the test reached for the network: {request.url}", request=request)


@pytest.fixture(scope="module")
def send(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Send]:
    """POST with a timeout: the request runs in a worker thread and must answer within REQUEST_TIMEOUT."""
    data_dir = tmp_path_factory.mktemp("verify-fuzz")
    url = f"sqlite:///{data_dir / 'credstack.db'}"
    engine = create_database_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    app = create_app(
        Settings(data_dir=data_dir, database_url=url, job_worker=False, max_json_bytes=200_000),
        clock=FakeClock(),
        verifier_transport=httpx.MockTransport(_no_network),
    )
    with TestClient(app) as client, ThreadPoolExecutor(max_workers=1) as pool:

        def post(path: str, **kwargs: Any) -> httpx.Response:
            return pool.submit(client.post, path, **kwargs).result(timeout=REQUEST_TIMEOUT)

        yield post


def assert_well_formed(response: httpx.Response, path: str = VERIFY) -> None:
    """200 with a report (VC-API: 200/422 with a result), or a 4xx problem+json; never a 5xx."""
    status = response.status_code
    body = response.json()
    if path in VCAPI and status in {200, 422} and "report" in body:
        assert body["verified"] is (status == 200)
        assert_report(body["report"])
        return
    if status == 200 and path == VERIFY:
        assert_report(body)
        return
    assert 400 <= status < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert body["status"] == status and body["type"] == f"urn:credstack:problem:{body['code']}"
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)


def assert_report(report: dict[str, Any]) -> None:
    assert isinstance(report["verified"], bool)
    assert [c["id"] for c in report["checks"]] == list(CHECK_IDS)
    assert {c["status"] for c in report["checks"]} <= STATUSES
    for inner in report.get("credentials", []):
        assert_report(inner)


@cache
def valid_credential() -> dict[str, Any]:
    return signed_credential()


@cache
def baked_images() -> tuple[bytes, bytes]:
    return baked_png(valid_credential()), baked_svg(vc_jwt())


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(data=st.binary(max_size=2_000), media_type=st.sampled_from(MEDIA_TYPES))
def test_random_bytes(send: Send, data: bytes, media_type: str) -> None:
    assert_well_formed(send(VERIFY, content=data, headers={"Content-Type": media_type}))


@FUZZ
@given(text=st.text(alphabet='{}[]":,0123456789.eE-+ \\natrufls@context', max_size=200))
def test_malformed_json(send: Send, text: str) -> None:
    assert_well_formed(send(VERIFY, content=text.encode(), headers={"Content-Type": "application/json"}))


@FUZZ
@given(value=json_values, wrap=st.sampled_from([None, "credential", "jwt", "presentation", "verifiableCredential"]))
def test_json_values_and_wrappers(send: Send, value: Any, wrap: str | None) -> None:
    body = value if wrap is None else {wrap: value, "options": {"recipient": {"email": "a@example.edu"}}}
    assert_well_formed(send(VERIFY, json=body))


@FUZZ
@given(depth=st.integers(min_value=1, max_value=20_000), opener=st.sampled_from(["[", '{"a":', '{"@context":']))
def test_deep_nesting(send: Send, depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = opener * depth + "1" + closer * depth
    assert_well_formed(send(VERIFY, content=text.encode(), headers={"Content-Type": "application/json"}))


@FUZZ
@given(width=st.integers(min_value=1, max_value=40_000))
def test_huge_flat_documents(send: Send, width: int) -> None:
    credential = dict(valid_credential())
    credential["tag"] = ["t"] * width
    assert_well_formed(send(VERIFY, json=credential))


def _segment(value: bytes | Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@FUZZ
@given(
    header=st.one_of(
        st.binary(max_size=40),
        st.fixed_dictionaries(
            {"alg": st.sampled_from(["ES256", "none", "EdDSA", "RS256", "x"])}, optional={"kid": st.text(max_size=30)}
        ),
    ),
    payload=st.one_of(st.binary(max_size=80), json_values, st.just({"vc": {"@context": []}})),
    signature=st.binary(max_size=80),
    as_json=st.booleans(),
)
def test_jwt_shaped_strings(send: Send, header: Any, payload: Any, signature: bytes, as_json: bool) -> None:
    token = ".".join([_segment(header), _segment(payload), _segment(signature)])
    response = (
        send(VERIFY, json=token) if as_json else send(VERIFY, content=token, headers={"Content-Type": "text/plain"})
    )
    assert_well_formed(response)


@FUZZ
@given(
    which=st.sampled_from([0, 1]),
    cut=st.floats(min_value=0, max_value=1),
    flips=st.lists(st.tuples(st.floats(min_value=0, max_value=1), st.integers(0, 255)), max_size=4),
    multipart=st.booleans(),
)
def test_damaged_images(send: Send, which: int, cut: float, flips: list[tuple[float, int]], multipart: bool) -> None:
    image = bytearray(baked_images()[which])
    for where, value in flips:
        image[int(where * (len(image) - 1))] = value
    damaged = bytes(image[: max(1, int(cut * len(image)))])
    media_type = ("image/png", "image/svg+xml")[which]
    if multipart:
        response = send(VERIFY, files={"file": ("badge", damaged, media_type)})
    else:
        response = send(VERIFY, content=damaged, headers={"Content-Type": media_type})
    assert_well_formed(response)


def _mutate(document: Any, path: list[int], replacement: Any, delete: bool) -> Any:
    """Replace (or delete) the member a path of indices leads to, at whatever depth it ends."""
    if not path or not isinstance(document, dict | list) or not document:
        return replacement
    keys = list(document) if isinstance(document, dict) else list(range(len(document)))
    key = keys[path[0] % len(keys)]
    changed: Any = dict(document) if isinstance(document, dict) else list(document)
    if delete and len(path) == 1:
        del changed[key]
        return changed
    changed[key] = _mutate(document[key], path[1:], replacement, delete)
    return changed


@FUZZ
@given(
    path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6),
    replacement=json_values,
    delete=st.booleans(),
    target=st.sampled_from([VERIFY, *VCAPI]),
)
def test_mutated_credentials(send: Send, path: list[int], replacement: Any, delete: bool, target: str) -> None:
    if target == "/presentations/verify":
        document = _mutate(presentation(valid_credential()), path, replacement, delete)
        body = {"verifiablePresentation": document, "options": {"challenge": "c", "domain": "d"}}
    else:
        document = _mutate(valid_credential(), path, replacement, delete)
        body = document if target == VERIFY else {"verifiableCredential": document, "options": {"checks": ["proof"]}}
    assert_well_formed(send(target, json=body), target)


@FUZZ
@given(body=json_values, target=st.sampled_from(VCAPI))
def test_vcapi_bodies(send: Send, body: Any, target: str) -> None:
    assert_well_formed(send(target, json=body), target)


field_names = st.sampled_from(["file", "file", "recipient_email", "recipient_did", "other", "", "fi\u00e9le"])


@FUZZ
@given(
    fields=st.lists(
        st.tuples(
            field_names, st.one_of(st.binary(max_size=300), st.sampled_from([b"", b"{}", b"a.b.c"])), st.booleans()
        ),
        max_size=4,
    ),
    filename=st.text(max_size=20),
    query=st.sampled_from(["", "?recipient_email=x@example.edu", "?recipient_did=", "?recipient_email="]),
)
def test_odd_multipart_forms(send: Send, fields: list[tuple[str, bytes, bool]], filename: str, query: str) -> None:
    files = [(name, (filename, content, "application/octet-stream")) for name, content, is_file in fields if is_file]
    data = {name: content.decode("latin-1") for name, content, is_file in fields if not is_file}
    if not files:  # force multipart even without files
        files = [("unrelated", ("x.txt", b"", "text/plain"))]
    assert_well_formed(send(f"{VERIFY}{query}", files=files, data=data))


@FUZZ
@given(content=st.binary(max_size=500), boundary=st.text(alphabet="abc-=_ ", max_size=20))
def test_raw_multipart_bodies(send: Send, content: bytes, boundary: str) -> None:
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}" if boundary else "multipart/form-data"}
    assert_well_formed(send(VERIFY, content=content, headers=headers))
