"""HTTP shapes of the payments API."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class AmountOut(BaseModel):
    from_month: date
    base_fen: int
    add_on_fen: int
    care_subsidy_fen: int
    total_fen: int
    reason: str
    back_pay_months: list[date] = Field(
        description="months eligibility says may have been paid at the old rate"
    )


class EntitlementOut(BaseModel):
    """A beneficiary's monthly benefit and how its amount changed over time."""

    id: UUID
    case_id: UUID
    person_id: UUID
    household_id: UUID
    benefit: str
    district_code: str
    start_month: date
    end_month: date | None = Field(description="first month not due")
    suspended_from: date | None
    amounts: list[AmountOut]


class OneOffOut(BaseModel):
    grant_id: UUID
    application_id: UUID
    household_id: UUID
    district_code: str
    amount_fen: int
    help_first: bool
    granted_on: date
    status: str


class RunIn(BaseModel):
    """The district and month to pay."""

    model_config = ConfigDict(extra="forbid")

    district_code: str = Field(pattern=r"^[0-9]{6}$")
    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="the month the run pays, YYYY-MM")


class RunOut(BaseModel):
    """A monthly run; its count and total are derived from its payments."""

    id: UUID
    district_code: str
    month: str
    status: str = Field(description="preparing | prepared | released")
    prepared_by: str
    released_by: str | None
    payment_count: int
    total_fen: int
