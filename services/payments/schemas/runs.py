"""Monthly payment runs."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.types import Month


class RunIn(BaseModel):
    """The district and month to pay."""

    model_config = ConfigDict(extra="forbid")

    district_code: str = Field(pattern=r"^[0-9]{6}$")
    month: Month = Field(description="the month the run pays, YYYY-MM")


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
