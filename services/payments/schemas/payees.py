"""Payee accounts of beneficiaries and households."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator


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
