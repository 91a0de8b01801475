"""What a caller may see, as a SQL condition on a row's district and insurer."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, true

from shared.db import Scope, in_scope


@dataclass(frozen=True, slots=True)
class Visibility:
    """What a caller may see: their districts (None: all) and, for an insurer, only its own terms."""

    districts: Scope
    insurer_id: UUID | None = None

    def where(
        self, district: SQLColumnExpression[str], insurer: SQLColumnExpression[UUID]
    ) -> ColumnElement[bool]:
        own = true() if self.insurer_id is None else insurer == self.insurer_id
        return and_(in_scope(district, self.districts), own)
