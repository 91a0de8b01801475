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
    Integer,
    LargeBinary,
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
    end_reason: Mapped[str | None] = mapped_column(Text, comment="death | termination | fraud")
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
    entitlements_due: Mapped[int | None] = mapped_column(
        BigInteger, comment="entitlements due in the month, counted when preparation starts (progress)"
    )
    prepared_by: Mapped[str] = mapped_column(Text)
    released_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PaymentRunSlice(Base):
    """One slice of a run's entitlement ids (`after_id` < id <= `up_to_id`), prepared batch by batch from its
    cursor. Workers take slices with SKIP LOCKED, so several prepare one run at once, and a crashed worker's
    slice resumes from its cursor."""

    __tablename__ = "payment_run_slices"

    run_id: Mapped[UUID] = mapped_column(ForeignKey("payment_runs.id"), primary_key=True)
    slice: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    after_id: Mapped[UUID] = mapped_column(comment="the slice starts after this id")
    up_to_id: Mapped[UUID] = mapped_column(comment="and ends with this one")
    cursor: Mapped[UUID | None] = mapped_column(comment="last entitlement id prepared")
    scanned: Mapped[int] = mapped_column(BigInteger, comment="entitlements scanned so far")
    done: Mapped[bool] = mapped_column(Boolean)


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
            postgresql_where=text("grant_id IS NULL AND benefit <> 'back_pay' AND status <> 'reissued'"),
        ),
        # A month paid at an old rate gets at most one top-up per run (a later raise, a later top-up).
        Index(
            "uq_payments_back_pay_per_run",
            "person_id",
            "month",
            "run_id",
            unique=True,
            postgresql_where=text("benefit = 'back_pay' AND status <> 'reissued'"),
        ),
        Index(
            "uq_payments_grant",
            "grant_id",
            unique=True,
            postgresql_where=text("grant_id IS NOT NULL AND status <> 'reissued'"),
        ),
        # A run's payments by status: its totals, what is still due to send.
        Index("ix_payments_run_id_status", "run_id", "status"),
        Index(
            "uq_payments_reissue_of",
            "reissue_of",
            unique=True,
            postgresql_where=text("reissue_of IS NOT NULL"),
        ),
        CheckConstraint(
            "status IN ('due', 'sent', 'paid', 'failed', 'reissued', 'cancelled')", name="known_status"
        ),
        CheckConstraint("payee_kind IN ('person', 'household', 'facility')", name="known_payee_kind"),
        CheckConstraint("(payee_kind = 'facility') = (facility_id IS NOT NULL)", name="facility_payee_named"),
    )

    id: Mapped[UUID] = mapped_column(
        primary_key=True, comment="time-ordered (uuid_v7()) when a run writes it"
    )
    run_id: Mapped[UUID] = mapped_column(
        comment="the run; no foreign key: payments are written only with the run row locked, runs are never "
        "deleted, and checking the same row for every payment cost a fifth of a run"
    )
    entitlement_id: Mapped[UUID | None] = mapped_column(
        comment="the entitlement paid; no foreign key: a run takes it from `entitlements` in the same "
        "statement, entitlements are never deleted, and the key's row lock on every entitlement doubled a run's writes"
    )
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
    status: Mapped[str] = mapped_column(
        Text,
        comment="due → sent → paid | failed; failed → due (retry) | reissued; due → cancelled (support ended)",
    )
    reissue_of: Mapped[UUID | None] = mapped_column(
        ForeignKey("payments.id"), comment="the failed payment this one replaces (once)"
    )
    payee_kind: Mapped[str] = mapped_column(
        Text, server_default="person", comment="whose account is paid: person | household (grant) | facility"
    )
    facility_id: Mapped[UUID | None] = mapped_column(
        comment="the care facility paid for its 特困 resident (payee_kind facility)"
    )


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
    settled_on: Mapped[date | None] = mapped_column(Date, comment="when recovered or waived")
    settled_by: Mapped[str | None] = mapped_column(Text)


class FacilityStay(Base):
    """A span of months in which a care facility (供养服务机构), not the person, is paid the person's 特困
    amounts: from the month after admission (or transfer) until `end_month`, the first month not paid to it."""

    __tablename__ = "facility_stays"
    __table_args__ = (
        UniqueConstraint("placement_id", "start_month"),
        Index("ix_facility_stays_person_start", "person_id", "start_month"),
        Index("uq_facility_stays_open", "person_id", unique=True, postgresql_where=text("end_month IS NULL")),
        CheckConstraint("end_month >= start_month", name="ends_after_start"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    placement_id: Mapped[UUID] = mapped_column(comment="the stay in facilities (continues across a transfer)")
    person_id: Mapped[UUID]
    case_id: Mapped[UUID]
    facility_id: Mapped[UUID] = mapped_column(index=True)
    district_code: Mapped[str] = mapped_column(Text, comment="district of the facility")
    start_month: Mapped[date] = mapped_column(Date, comment="first month paid to the facility")
    end_month: Mapped[date | None] = mapped_column(Date, comment="first month paid to the person again")
    end_reason: Mapped[str | None] = mapped_column(
        Text, comment="transferred | readmitted | death | returned_home | case_ended"
    )


class PayeeAccount(Base):
    """Where a beneficiary's (or a household's) money goes: one current version per owner, each change a
    new version with an audit record. Holder and account number are encrypted; the blind index finds one
    account shared by several owners."""

    __tablename__ = "payee_accounts"
    __table_args__ = (
        Index(
            "uq_payee_accounts_current",
            "owner_kind",
            "owner_id",
            unique=True,
            postgresql_where=text("superseded_at IS NULL"),
        ),
        CheckConstraint("owner_kind IN ('person', 'household', 'facility')", name="known_owner_kind"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(
        Text, comment="person (monthly benefits) | household (grants) | facility (its 特困 residents)"
    )
    owner_id: Mapped[UUID]
    district_code: Mapped[str] = mapped_column(Text)
    holder_name: Mapped[bytes] = mapped_column(LargeBinary, comment="encrypted")
    account_number: Mapped[bytes] = mapped_column(LargeBinary, comment="encrypted")
    account_index: Mapped[bytes] = mapped_column(LargeBinary, index=True, comment="blind index of the number")
    bank_code: Mapped[str] = mapped_column(Text, comment="CNAPS code of the account's bank branch")
    appointed: Mapped[bool] = mapped_column(Boolean, comment="paid to an appointed payee, not the owner")
    relationship: Mapped[str | None] = mapped_column(
        Text, comment="the appointed payee's relation to the owner"
    )
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BankFile(Base):
    """One instruction file of a released run: the first, then follow-ups for retries and reissues."""

    __tablename__ = "bank_files"
    __table_args__ = (UniqueConstraint("run_id", "sequence"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    run_id: Mapped[UUID] = mapped_column(ForeignKey("payment_runs.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    line_count: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PaymentInstruction(Base):
    """One line of a bank file: a payment sent to one payee account. A payment has at most one
    instruction that has not failed, so the bank is never asked to pay it twice."""

    __tablename__ = "payment_instructions"
    __table_args__ = (
        Index(
            "uq_payment_instructions_live",
            "payment_id",
            unique=True,
            postgresql_where=text("status <> 'failed'"),
        ),
        CheckConstraint("status IN ('sent', 'paid', 'failed')", name="known_status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, comment="our reference on the bank's line")
    bank_file_id: Mapped[UUID] = mapped_column(ForeignKey("bank_files.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    payment_id: Mapped[UUID] = mapped_column(ForeignKey("payments.id"), index=True)
    payee_account_id: Mapped[UUID] = mapped_column(ForeignKey("payee_accounts.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text, comment="sent | paid | failed")
    reason_code: Mapped[str | None] = mapped_column(Text, comment="the bank's return code when failed")
    settled_on: Mapped[date | None] = mapped_column(Date)


class BankReturn(Base):
    """A bank return file imported against a bank file; the same file imported twice is one import."""

    __tablename__ = "bank_returns"
    __table_args__ = (UniqueConstraint("bank_file_id", "checksum"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    bank_file_id: Mapped[UUID] = mapped_column(ForeignKey("bank_files.id"))
    checksum: Mapped[str] = mapped_column(Text, comment="SHA-256 of the uploaded file")
    paid_count: Mapped[int] = mapped_column(Integer)
    failed_count: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


LEDGER_ACCOUNTS = ("fund_cash", "budget_allocated", "bank_clearing", "benefits_paid", "recoveries_receivable")
"""A district fund's accounts. Debits are positive, credits negative; every transaction sums to zero."""


class LedgerTransaction(Base):
    """One balanced posting to a district fund, once per (kind, reference)."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (UniqueConstraint("kind", "reference"), Index(None, "district_code", "posted_at"))

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(
        Text, comment="allocation | bank_file | bank_return | overpayment | recovery | waiver"
    )
    reference: Mapped[str] = mapped_column(Text, comment="what it posts: the allocation, file, return…")
    memo: Mapped[str] = mapped_column(Text)
    posted_by: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LedgerEntry(Base):
    """One line of a transaction. Append-only; balances are sums of entries, never stored."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(f"account IN {LEDGER_ACCOUNTS!r}", name="known_account"),
        CheckConstraint("amount_fen <> 0", name="not_zero"),
    )

    transaction_id: Mapped[UUID] = mapped_column(ForeignKey("ledger_transactions.id"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(BigInteger, comment="debit > 0, credit < 0")


METADATA = (Base.metadata, messaging_metadata, idempotency_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
