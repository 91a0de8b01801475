"""A facility's status and the steps between statuses."""

from __future__ import annotations

from typing import Final, Literal

Kind = Literal["township_home", "district_home", "care_center"]
SafetyGrade = Literal["A", "B", "C", "D"]

STEPS: Final[dict[str, frozenset[str]]] = {
    "open": frozenset({"renovating", "closing"}),
    "renovating": frozenset({"open", "closing"}),
    "closing": frozenset({"open", "closed"}),
    "closed": frozenset({"open"}),
}
"""Which status may follow which: closing is the only way to closed (its residents are relocated first),
and a closed facility may reopen (after a rebuild)."""


def can_change(current: str, to: str) -> bool:
    return to in STEPS.get(current, frozenset())


def admits(status: str) -> bool:
    """Only an open facility admits: renovating, closing and closed ones admit nobody."""
    return status == "open"
