"""Tables of the payments service's own database."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.schema import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class Entitlement(Base):
    """A beneficiary's monthly benefit from an eligibility case: due from `start_month` until `end_month`."""

    __tablename__ = "entitlements"
    __table_args__ = (
        UniqueConstraint("case_id", "person_id", "benefit"),
        Index("ix_entitlements_district_benefit", "district_code", "benefit"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID] = mapped_column(index=True)
    person_id: Mapped[UUID] = mapped_column(index=True)
    household_id: Mapped[UUID]
    benefit: Mapped[str] = mapped_column(Text, comment="dibao | tekun")
    district_code: Mapped[str] = mapped_column(Text)
    start_month: Mapped[date] = mapped_column(Date)
    end_month: Mapped[date | None] = mapped_column(Date, comment="first month not due (termination)")
    suspended_from: Mapped[date | None] = mapped_column(Date, comment="first month paused (suspension)")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EntitlementAmount(Base):
    """The monthly amount from `from_month` on; the latest one not after a month applies to it."""

    __tablename__ = "entitlement_amounts"

    entitlement_id: Mapped[UUID] = mapped_column(
        ForeignKey("entitlements.id", ondelete="CASCADE"), primary_key=True
    )
    from_month: Mapped[date] = mapped_column(Date, primary_key=True)
    base_fen: Mapped[int] = mapped_column(BigInteger)
    add_on_fen: Mapped[int] = mapped_column(BigInteger)
    care_subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text, comment="approved | standard_change | review | circumstances")
    back_pay_months: Mapped[list[date]] = mapped_column(
        ARRAY(Date), comment="months eligibility says may have been paid at the old rate"
    )
    event_id: Mapped[UUID] = mapped_column(comment="the eligibility event that set it")


class OneOffPayment(Base):
    """A temporary-assistance grant to pay once (临时救助)."""

    __tablename__ = "one_off_payments"

    grant_id: Mapped[UUID] = mapped_column(primary_key=True)
    application_id: Mapped[UUID]
    household_id: Mapped[UUID] = mapped_column(index=True)
    district_code: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    help_first: Mapped[bool] = mapped_column(Boolean)
    granted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, comment="due | paid | failed")
