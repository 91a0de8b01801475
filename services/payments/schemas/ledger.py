"""District funds: allocations, transactions and balances."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


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
