"""RFC 8259 §4 JSON objects that carry a stored credential exactly as it was signed (ARCHITECTURE "Issue" step 6).

A signed credential is never parsed and re-serialised on its way out: the response is assembled as text around the
stored text, so the bytes a client receives inside `credential` are the bytes that were signed, stored and digested.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from issuer.models import Credential


def stored_value(credential: Credential) -> str:
    """The JSON value of the stored credential: its JSON text as is, or a VC-JWT as a JSON string."""
    return json.dumps(credential.document) if credential.format == "jwt" else credential.document


def object_with_raw_member(members: Mapping[str, Any], name: str, raw_value: str) -> bytes:
    """`members` as a JSON object whose last member is `name` with the JSON text `raw_value` spliced in unchanged."""
    head = json.dumps(dict(members), ensure_ascii=False, separators=(",", ":"))
    separator = "," if members else ""
    return f"{head[:-1]}{separator}{json.dumps(name)}:{raw_value}}}".encode()
