"""Shapes of the standards and their recalculations."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Annotated, Any, get_type_hints
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model

from services.eligibility.domain.standards import Area, DisabilityKind, Standards
from services.eligibility.schemas.common import Strict
from shared.contracts.types import MAX_FEN, MAX_INTEGER, Day

Amount = Annotated[int, Field(le=MAX_FEN, json_schema_extra={"minimum": 0})]
Number = Annotated[int, Field(le=MAX_INTEGER, json_schema_extra={"minimum": 0})]
Months = Annotated[int, Field(le=120, json_schema_extra={"minimum": 1})]


class MonthRangeIn(BaseModel):
    min_months: Months
    max_months: Months


class TemporaryMonthsIn(BaseModel):
    """Months of the standard a temporary grant may cover, by household class A–D."""

    a: MonthRangeIn = None  # type: ignore[assignment]  # left out: the default range of the class
    b: MonthRangeIn = None  # type: ignore[assignment]
    c: MonthRangeIn = None  # type: ignore[assignment]
    d: MonthRangeIn = None  # type: ignore[assignment]


class ReserveTierIn(BaseModel):
    min_population: Number
    fund_fen: Amount


DisabilityGrade = tuple[DisabilityKind, Annotated[int, Field(le=4, json_schema_extra={"minimum": 1})]]


def _parameter(name: str) -> tuple[object, None]:
    """The type of parameter `name` as a client sends it, with bounds. Left out, it keeps its value in force;
    it may not be sent as null."""
    kind = get_type_hints(Standards)[name]
    typed: dict[str, object] = {
        "tekun_disability_max_grade": Annotated[list[DisabilityGrade], Field(max_length=7)],
        "temporary_standard_area": Area,
        "temporary_months": TemporaryMonthsIn,
        "township_reserve_tiers": Annotated[list[ReserveTierIn], Field(max_length=20)],
    }
    if kind is int:
        return (Amount if name.endswith("_fen") else Number), None
    return typed[name], None


StandardParameters: type[BaseModel] = create_model(
    "StandardParameters",
    __config__=ConfigDict(
        # An unknown name reaches the use case, which names it (`known_parameter`) before any bad value;
        # lower bounds are the standards' own rule (none may be negative), checked there with the whole.
        extra="allow",
        json_schema_extra={"additionalProperties": False},
    ),
    __doc__="The parameters a standard changes, each with the meaning and unit GET /v1/standards shows; "
    "the others keep the values in force.",
    **{f.name: _parameter(f.name) for f in fields(Standards) if f.name != "effective_from"},  # type: ignore[call-overload]
)


class StandardIn(Strict):
    """A new standard: the parameters that change; every other keeps the value of the standard in force."""

    effective_from: Day
    parameters: StandardParameters = Field(
        description='parameter name → new value, e.g. {"dibao_urban_fen": 80000}; names as in GET /v1/standards',
        examples=[{"dibao_urban_fen": 80000, "dibao_rural_fen": 66000, "tekun_basic_fen": 104000}],
    )
    note: str | None = Field(default=None, max_length=500)

    def changes(self) -> dict[str, Any]:
        """The parameters as sent, unknown names included: the use case checks them all."""
        return self.parameters.model_dump(exclude_unset=True)


class DistrictStandardOut(BaseModel):
    district_code: str
    effective_from: date
    overrides: dict[str, object] = Field(
        description="the district's own values, in force from `effective_from`"
    )
    parameters: dict[str, object] = Field(description="the city-wide standard with the overrides applied")


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
    households_flagged: int = Field(description="near-line households flagged for review when it finished")
    started_at: datetime | None
    finished_at: datetime | None


class ReviewFlagOut(BaseModel):
    """A household the new standard may have made eligible: re-assess it."""

    household_id: UUID
    district_code: str
    per_capita_income_fen: int
    flagged_at: datetime
