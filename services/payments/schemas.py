"""HTTP shapes of the payments API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.payments.models import BankReturn, Overpayment, Payment


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
    entitlements_due: int | None = Field(
        description="entitlements the preparation scans (its progress total)"
    )
    entitlements_scanned: int = Field(description="entitlements scanned so far")
    payment_count: int = Field(description="payments the run makes (reissued and cancelled ones not counted)")
    total_fen: int
    by_status: dict[str, dict[str, int]] = Field(
        description="count and total_fen per payment status: due, sent, paid, failed, reissued, cancelled"
    )


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

    @classmethod
    def of(cls, payment: Payment, district_code: str) -> Self:
        return cls.model_validate({**_columns(payment), "district_code": district_code})


class AccountFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_name: str = Field(min_length=1, max_length=60, description="the account holder's name")
    account_number: str = Field(
        pattern=r"^[0-9]{12,30}$", description="bank card or passbook number, ASCII digits only"
    )
    bank_code: str = Field(pattern=r"^[0-9]{12}$", description="CNAPS code of the account's bank branch")


class PayeeAccountIn(AccountFields):
    """A new payee account for a beneficiary or household; the old one is kept as history."""

    appointed: bool = Field(
        default=False, description="true if paid to an appointed payee (guardian, relative), not the owner"
    )
    relationship: str | None = Field(
        default=None, max_length=40, description="the appointed payee's relation to the owner"
    )
    reason: str = Field(
        min_length=1, max_length=200, description="why the account is set or changed (audited)"
    )

    @model_validator(mode="after")
    def _appointed_needs_relationship(self) -> Self:
        if self.appointed and not self.relationship:
            raise ValueError("an appointed payee needs the relationship to the owner")
        return self


class PayeeAccountOut(BaseModel):
    """A payee account as shown: holder and number masked."""

    id: UUID
    holder_name: str = Field(description="masked: family name only")
    account_number: str = Field(description="masked: last four digits only")
    bank_code: str
    appointed: bool
    relationship: str | None
    reason: str
    created_by: str
    created_at: datetime
    superseded_at: datetime | None


class PayeeAccountsOut(BaseModel):
    owner_kind: Literal["person", "household"]
    owner_id: UUID
    current: PayeeAccountOut | None
    owners_sharing_the_account: int = Field(
        description="other owners currently paid into the same account number (a check for oversight)"
    )
    history: list[PayeeAccountOut] = Field(description="earlier accounts, newest first")


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
    settled_on: date
    note: str = Field(min_length=1, max_length=200, description="receipt number, or why it is waived")


class AllocationIn(BaseModel):
    """A budget allocation into a district fund."""

    model_config = ConfigDict(extra="forbid")

    amount_fen: int = Field(gt=0, le=10**13)
    reference: str = Field(
        pattern=r"^[A-Za-z0-9_.:/-]{1,64}$", description="the budget document's number; posted once"
    )
    memo: str = Field(min_length=1, max_length=200)


class EntryOut(BaseModel):
    account: str
    amount_fen: int = Field(description="debit > 0, credit < 0")


class TransactionOut(BaseModel):
    id: UUID
    kind: str
    reference: str
    memo: str
    posted_by: str
    posted_at: datetime
    entries: list[EntryOut]


class BalancesOut(BaseModel):
    district_code: str
    balances: dict[str, int] = Field(description="per account, debit positive; derived from the entries")
    balanced: bool = Field(description="debits equal credits over the whole fund")


def _columns(row: object) -> dict[str, object]:
    table = row.__table__  # type: ignore[attr-defined]
    return {column.key: getattr(row, column.key) for column in table.columns}
