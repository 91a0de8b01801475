"""What the use cases share: the caller's reach (districts, and a facility manager's facilities), and refusals
turned into typed errors."""

from __future__ import annotations

from collections.abc import Sequence

from services.facilities.domain.placements import Refusal
from services.facilities.repository.reach import Reach
from shared.auth import Principal
from shared.errors import Conflict, FieldIssue, Forbidden


def scope(caller: Principal, district_code: str | None = None) -> Reach:
    """What the caller's queries may return: the token's districts (None: all), narrowed to `district_code`
    if given (403 outside them), and a facility manager's facilities (`Principal.facility_scope`).

    Another facility reads as missing (404), never as forbidden: a manager learns nothing of it."""
    facilities = caller.facility_scope
    if district_code is None:
        return Reach(caller.district_scope, facilities)
    caller.require_district(district_code)
    return Reach(frozenset({district_code}), facilities)


def refuse(what: str, refusals: Sequence[Refusal]) -> Conflict:
    """A 409 problem naming every rule broken, the first in its detail."""
    first = refusals[0]
    return Conflict(
        f"{what} refused: {first.rule}: {first.message}",
        errors=[FieldIssue(r.field, r.rule, r.message) for r in refusals],
    )


def check_district(caller: Principal, district_code: str, field: str = "district_code") -> None:
    if not caller.can_access_district(district_code):
        raise Forbidden(
            f"district {district_code} is outside the caller's scope",
            errors=[FieldIssue(field, "OUT_OF_SCOPE", "not one of the token's districts")],
        )
