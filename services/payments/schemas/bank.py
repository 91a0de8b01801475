"""Bank files, the bank's returns, and the payments they settle, retry and reissue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.payments.models import BankReturn, Payment
from services.payments.schemas.common import _columns
from services.payments.schemas.payees import PayeeAccountIn


class PaymentOut(BaseModel):
    id: UUID
    run_id: UUID
    district_code: str
    case_id: UUID
    person_id: UUID | None = Field(description="null for a temporary grant, paid to the household")
    household_id: UUID
    benefit: str
    month: date
    amount_fen: int
    status: str = Field(description="due | sent | paid | failed | reissued | cancelled")
    reissue_of: UUID | None = Field(description="the failed payment this one replaces")
    payee_kind: str = Field(
        description="whose account is paid: person, household (a temporary grant) or facility (the care "
        "facility of a 特困 resident, for a month of the resident's stay)"
    )
    facility_id: UUID | None = Field(description="the care facility paid, when payee_kind is facility")

    @classmethod
    def of(cls, payment: Payment, district_code: str) -> Self:
        return cls.model_validate({**_columns(payment), "district_code": district_code})


class ReissueIn(BaseModel):
    """Reissue a failed payment to another payee."""

    model_config = ConfigDict(extra="forbid")

    payee: PayeeAccountIn


class BankFileOut(BaseModel):
    id: UUID
    run_id: UUID
    sequence: int = Field(description="1 for the run's first file; follow-ups carry retries and reissues")
    line_count: int
    total_fen: int
    held_without_account: int | None = Field(description="due payments left out: their payee has no account")
    created_by: str


class BankReturnOut(BaseModel):
    id: UUID
    bank_file_id: UUID
    paid_count: int
    failed_count: int
    imported_by: str
    imported_at: datetime | None
    replayed: bool = Field(description="true if this file had been imported already: nothing changed")

    @classmethod
    def of(cls, returned: BankReturn, *, replayed: bool) -> Self:
        return cls.model_validate({**_columns(returned), "replayed": replayed})
