"""The row count of a bulk UPDATE or DELETE: how the single-use steps know whether they won (PEP 249 `rowcount`)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def affected_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE statement matched; both SQLite and psycopg report it exactly for single statements."""
    return cast(CursorResult[Any], result).rowcount
