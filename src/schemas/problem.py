"""RFC 9457 problem details as the HTTP API returns them (`application/problem+json`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"
CREDSTACK_PROBLEM_BASE = "urn:credstack:problem:"


def problem_type(code: str) -> str:
    """RFC 9457 §3.1.1 `type` for one of Credstack's own codes."""
    return CREDSTACK_PROBLEM_BASE + code


class Problem(BaseModel):
    """RFC 9457 §3.1 members, plus `code` (the type's stable suffix) and, for 422, the invalid fields."""

    model_config = ConfigDict(frozen=True)

    type: str
    title: str
    status: int
    detail: str = ""
    code: str
    errors: list[dict[str, Any]] | None = Field(default=None, description="for VALIDATION_ERROR: what was invalid")
