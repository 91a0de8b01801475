"""Payee accounts of beneficiaries, households and care facilities."""

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


class FacilityAccountIn(AccountFields):
    """A care facility's account, paid its 特困 residents' amounts; the old one is kept as history."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "holder_name": "重庆市渝中区社会福利院",
                    "account_number": "6222021900012345678",
                    "bank_code": "102653000015",
                    "reason": "account opened for residents' support",
                }
            ]
        },
    )

    reason: str = Field(
        min_length=1, max_length=200, description="why the account is set or changed (audited)"
    )

    def as_payee(self) -> PayeeAccountIn:
        """The facility itself holds the account: never an appointed payee."""
        return PayeeAccountIn.model_validate(self.model_dump())


class PayeeAccountsOut(BaseModel):
    owner_kind: Literal["person", "household", "facility"]
    owner_id: UUID
    current: PayeeAccountOut | None
    owners_sharing_the_account: int = Field(
        description="other owners currently paid into the same account number (a check for oversight)"
    )
    history: list[PayeeAccountOut] = Field(description="earlier accounts, newest first")
