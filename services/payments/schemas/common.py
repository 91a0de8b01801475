"""Helpers shared by the payments API's schemas."""

from __future__ import annotations


def _columns(row: object) -> dict[str, object]:
    table = row.__table__  # type: ignore[attr-defined]
    return {column.key: getattr(row, column.key) for column in table.columns}
