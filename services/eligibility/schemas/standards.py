"""Shapes of the standards and their recalculations."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from services.eligibility.schemas.common import Strict


class StandardIn(Strict):
    """A new city-wide standard; parameters not given keep the values of the standard in force."""

    effective_from: date
    dibao_urban_fen: int = Field(gt=0)
    dibao_rural_fen: int = Field(gt=0)
    tekun_basic_fen: int = Field(gt=0)
    note: str | None = Field(default=None, max_length=500)


class StandardOut(BaseModel):
    id: UUID
    effective_from: date
    parameters: dict[str, object]
    published_by: str
    published_at: datetime
    note: str | None


class RecalculationOut(BaseModel):
    standard_id: UUID
    status: str
    cases_total: int
    cases_changed: int
    started_at: datetime | None
    finished_at: datetime | None
