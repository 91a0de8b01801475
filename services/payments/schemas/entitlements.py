"""Entitlements and one-off grants as the payments API shows them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field


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
    payment_status: str | None = Field(description="its payment's status; null until a run includes it")
