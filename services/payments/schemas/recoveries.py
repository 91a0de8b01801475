"""Overpayments and their recovery or waiver."""

from __future__ import annotations

from datetime import date
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.payments.models import Overpayment
from services.payments.schemas.common import _columns
from shared.contracts.types import Day


class OverpaymentOut(BaseModel):
    id: UUID
    payment_id: UUID
    case_id: UUID
    person_id: UUID
    district_code: str
    month: date
    amount_fen: int
    reason: str
    status: str = Field(description="to_recover | recovered | waived")
    raised_on: date
    settled_on: date | None
    settled_by: str | None

    @classmethod
    def of(cls, overpayment: Overpayment, district_code: str) -> Self:
        return cls.model_validate({**_columns(overpayment), "district_code": district_code})


class SettleOverpaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["recovered", "waived"]
    settled_on: Day
    note: str = Field(min_length=1, max_length=200, description="receipt number, or why it is waived")
