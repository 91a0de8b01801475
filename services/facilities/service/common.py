"""What the use cases share: the caller's district scope, and refusals turned into typed errors."""

from __future__ import annotations

from collections.abc import Sequence

from services.facilities.domain.placements import Refusal
from shared.auth import Principal
from shared.db import Scope
from shared.errors import Conflict, FieldIssue, Forbidden


def scope(caller: Principal, district_code: str | None = None) -> Scope:
    """The caller's districts (None: all), narrowed to `district_code` if given (403 outside the scope).

    A facility manager is scoped like district staff, to the districts of the token: tokens carry no
    facility claim yet (docs/facilities.md, Access)."""
    districts = caller.district_scope
    if district_code is None:
        return districts
    caller.require_district(district_code)
    return frozenset({district_code})


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
