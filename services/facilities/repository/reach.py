"""What a caller's queries may return: the token's districts and, for a facility manager, its facilities."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, SQLColumnExpression, and_

from shared.db import Scope, in_scope


@dataclass(frozen=True, slots=True)
class Reach:
    """Rows of `districts` (None: every district) and, unless `facilities` is None, of those facilities only."""

    districts: Scope
    facilities: frozenset[UUID] | None = None


EVERYWHERE = Reach(districts=None)
"""For what the service looks up on its own behalf once the caller was checked on the facility: its residents
before closing, a relocation's moves."""


def within(
    reach: Reach, facility_id: SQLColumnExpression[UUID | None], district_code: SQLColumnExpression[str]
) -> ColumnElement[bool]:
    """The WHERE clause of every facility-scoped query: district, and facility for a facility manager."""
    in_districts = in_scope(district_code, reach.districts)
    return in_districts if reach.facilities is None else and_(in_districts, facility_id.in_(reach.facilities))
