"""Tables of the payments service's own database."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import metadata as audit_metadata
from shared.idempotency import metadata as idempotency_metadata
from shared.messaging.tables import metadata as messaging_metadata
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


class PaymentRun(Base):
    """A district's monthly run: prepared by one finance officer, released by another (maker-checker)."""

    __tablename__ = "payment_runs"
    __table_args__ = (
        UniqueConstraint("district_code", "month"),
        CheckConstraint(
            "released_by IS NULL OR released_by <> prepared_by", name="released_by_a_second_person"
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text)
    month: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, comment="preparing | prepared | released")
    prepared_by: Mapped[str] = mapped_column(Text)
    released_by: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[UUID | None] = mapped_column(comment="last entitlement id prepared (resumable)")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payment(Base):
    """One payment of a run. Exactly one per (beneficiary, benefit, month), and one per temporary grant."""

    __tablename__ = "payments"
    __table_args__ = (
        Index(
            "uq_payments_person_benefit_month",
            "person_id",
            "benefit",
            "month",
            unique=True,
            postgresql_where=text("grant_id IS NULL AND benefit <> 'back_pay'"),
        ),
        # A month paid at an old rate gets at most one top-up per run (a later raise, a later top-up).
        Index(
            "uq_payments_back_pay_per_run",
            "person_id",
            "month",
            "run_id",
            unique=True,
            postgresql_where=text("benefit = 'back_pay'"),
        ),
        Index("uq_payments_grant", "grant_id", unique=True, postgresql_where=text("grant_id IS NOT NULL")),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    run_id: Mapped[UUID] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    entitlement_id: Mapped[UUID | None] = mapped_column(ForeignKey("entitlements.id"))
    grant_id: Mapped[UUID | None] = mapped_column(ForeignKey("one_off_payments.grant_id"))
    case_id: Mapped[UUID]
    person_id: Mapped[UUID | None] = mapped_column(
        comment="NULL for a temporary grant, paid to the household"
    )
    household_id: Mapped[UUID]
    benefit: Mapped[str] = mapped_column(Text, comment="dibao | tekun | temporary | back_pay")
    month: Mapped[date] = mapped_column(
        Date, comment="the month paid for (for back pay: the month topped up)"
    )
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text, comment="due | paid | failed")


class Overpayment(Base):
    """A payment that was not due (paid for a month after death or termination): to recover (追回)."""

    __tablename__ = "overpayments"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    payment_id: Mapped[UUID] = mapped_column(ForeignKey("payments.id"), unique=True)
    case_id: Mapped[UUID]
    person_id: Mapped[UUID]
    month: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text, comment="death | termination | fraud")
    status: Mapped[str] = mapped_column(Text, comment="to_recover | recovered | waived")
    raised_on: Mapped[date] = mapped_column(Date)


METADATA = (Base.metadata, messaging_metadata, idempotency_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
