"""WALLETS.md §5 LinkedIn "Add to profile" URLs: exact encoding, organization id vs name, UTC months, round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from issuer.wallets.linkedin import Certification, add_to_profile_url, certification_of, parse_datetime

CERT_URL = "https://credstack.example.edu/p/Zm9vYmFyYmF6cXV4"
ROW_ID = "6b9e1d34-7c2f-4a85-b0e3-9f4d2c1a8e67"


def credential(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": f"urn:uuid:{ROW_ID}",
        "name": "Credential name",
        "issuer": {"id": "did:web:example.edu", "name": "Name inside the credential"},
        "validFrom": "2026-01-31T23:30:00-02:00",
        "credentialSubject": {"achievement": {"name": "Café & Data Science 101"}},
    }
    return document | changes


def test_exact_url_for_a_name_with_ampersand_accent_and_spaces() -> None:
    certification = certification_of(
        credential(), cert_url=CERT_URL, organization_id=None, issuer_name="École d'Été & Co"
    )
    assert add_to_profile_url(certification) == (
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"
        "&name=Caf%C3%A9%20%26%20Data%20Science%20101"
        "&organizationName=%C3%89cole%20d%27%C3%89t%C3%A9%20%26%20Co"
        "&issueYear=2026&issueMonth=2"
        "&certUrl=https%3A%2F%2Fcredstack.example.edu%2Fp%2FZm9vYmFyYmF6cXV4"
        f"&certId={ROW_ID}"
    )


def test_organization_id_when_configured_replaces_the_name() -> None:
    certification = certification_of(credential(), cert_url=CERT_URL, organization_id="1337", issuer_name="École")
    url = add_to_profile_url(certification)
    assert "&organizationId=1337&" in url
    assert "organizationName" not in url


def test_issuer_name_falls_back_to_the_credential() -> None:
    certification = certification_of(credential(), cert_url=CERT_URL, organization_id=None, issuer_name=None)
    assert certification.organization_name == "Name inside the credential"


def test_name_falls_back_to_the_credential_name() -> None:
    document = credential(credentialSubject={"achievement": {}})
    assert (
        certification_of(document, cert_url=CERT_URL, organization_id=None, issuer_name="x").name == "Credential name"
    )


@pytest.mark.parametrize(
    ("valid_from", "year", "month"),
    [
        ("2026-01-31T23:30:00-02:00", "2026", "2"),  # February in UTC
        ("2026-01-01T00:30:00+01:00", "2025", "12"),  # the previous year in UTC
        ("2026-12-31T23:59:59Z", "2026", "12"),
        ("2026-03-01T00:00:00", "2026", "3"),  # no offset: read as UTC
    ],
)
def test_months_are_1_to_12_in_utc(valid_from: str, year: str, month: str) -> None:
    certification = certification_of(
        credential(validFrom=valid_from), cert_url=CERT_URL, organization_id=None, issuer_name="x"
    )
    query = parse_qs(urlsplit(add_to_profile_url(certification)).query)
    assert (query["issueYear"], query["issueMonth"]) == ([year], [month])
    assert "expirationYear" not in query


def test_expiry_from_valid_until() -> None:
    document = credential(validUntil="2030-06-30T23:00:00-05:00")
    query = parse_qs(
        urlsplit(
            add_to_profile_url(certification_of(document, cert_url=CERT_URL, organization_id=None, issuer_name="x"))
        ).query
    )
    assert (query["expirationYear"], query["expirationMonth"]) == (["2030"], ["7"])


def test_vcdm_11_dates_are_a_fallback() -> None:
    document = credential(issuanceDate="2020-05-05T00:00:00Z", expirationDate="2021-05-05T00:00:00Z")
    del document["validFrom"]
    certification = certification_of(document, cert_url=CERT_URL, organization_id=None, issuer_name="x")
    assert (certification.issued.month, certification.expires and certification.expires.year) == (5, 2021)


@pytest.mark.parametrize("missing", ["id", "validFrom"])
def test_a_credential_without_id_or_date_is_refused(missing: str) -> None:
    document = credential()
    del document[missing]
    with pytest.raises(ValueError, match="LinkedIn"):
        certification_of(document, cert_url=CERT_URL, organization_id=None, issuer_name="x")


@pytest.mark.parametrize("value", [None, 7, "", "yesterday", "2026-13-01T00:00:00Z"])
def test_unreadable_dates(value: object) -> None:
    assert parse_datetime(value) is None


OFFSETS = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60, 23 * 60))
MOMENTS = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1), timezones=OFFSETS)


@given(
    name=st.text(min_size=1),
    organization=st.text(min_size=1),
    use_id=st.booleans(),
    issued=MOMENTS,
    expires=st.none() | MOMENTS,
    cert_url=st.text(),
    cert_id=st.text(),
)
def test_parsing_the_url_gives_back_the_inputs(
    name: str,
    organization: str,
    use_id: bool,
    issued: datetime,
    expires: datetime | None,
    cert_url: str,
    cert_id: str,
) -> None:
    certification = Certification(
        name=name,
        issued=issued,
        cert_url=cert_url,
        cert_id=cert_id,
        organization_id=organization if use_id else None,
        organization_name=None if use_id else organization,
        expires=expires,
    )
    url = add_to_profile_url(certification)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert " " not in url and "+" not in parts.query
    utc_issued = issued.astimezone(UTC)
    expected = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "organizationId" if use_id else "organizationName": organization,
        "issueYear": str(utc_issued.year),
        "issueMonth": str(utc_issued.month),
    }
    if expires is not None:
        utc_expires = expires.astimezone(UTC)
        expected |= {"expirationYear": str(utc_expires.year), "expirationMonth": str(utc_expires.month)}
    expected |= {"certUrl": cert_url, "certId": cert_id}
    pairs = [pair.split("=", 1) for pair in parts.query.split("&")]
    assert [key for key, _ in pairs] == list(expected)  # one of each, in order, nothing else
    parsed = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert {key: values[0] for key, values in parsed.items()} == expected
    assert 1 <= int(expected["issueMonth"]) <= 12
