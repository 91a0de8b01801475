"""Safety and fire-safety rectification (整改): who may close an item, when it is overdue, what it blocks."""

from __future__ import annotations

from datetime import date
from typing import Literal

Kind = Literal["fire", "other"]
Severity = Literal["minor", "major", "critical"]


def blocks_admissions(kind: str, severity: str, status: str) -> bool:
    """Any open critical fire item stops admissions, overdue or not: a facility that cannot keep its
    residents safe from fire takes nobody new until the item is closed with evidence."""
    return status == "open" and kind == "fire" and severity == "critical"


def is_overdue(status: str, deadline: date, today: date) -> bool:
    """Open past its deadline (the deadline day itself is still in time)."""
    return status == "open" and deadline < today


def may_close(opened_by: str, closer: str) -> bool:
    """Separation of duties: the person who opened an item cannot also close it."""
    return opened_by != closer
