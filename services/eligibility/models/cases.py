"""Cases, their beneficiaries, support-mode choices, temporary grants, and what reviews and recalculations flagged."""

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
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.eligibility.models.base import Base


class Case(Base):
    """An approved case (案件) and the inputs its monthly amount is computed from.

    The counted income is kept exactly (`counted_income_twelfths` over `income_members`), so that the
    recalculation after a standard change evaluates the amount formula exactly, as approval did.
    """

    __tablename__ = "cases"
    # Room on each page so that a recalculation's updates stay on the page (HOT), without index churn.
    __table_args__ = (
        Index("ix_cases_district_status", "district_code", "status"),
        CheckConstraint("counted_income_twelfths >= 0", name="counted_income_not_negative"),
        CheckConstraint("income_members >= 1", name="income_shared_by_someone"),
        {"postgresql_with": {"fillfactor": 85}},
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    application_id: Mapped[UUID | None] = mapped_column(ForeignKey("applications.id"), unique=True)
    household_id: Mapped[UUID] = mapped_column(ForeignKey("households.id"), index=True)
    program: Mapped[str] = mapped_column(Text)
    district_code: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, comment="active | suspended | terminated")
    start_month: Mapped[date] = mapped_column(Date)
    per_capita_income_fen: Mapped[int] = mapped_column(
        BigInteger, comment="display only, floored to the fen; amounts use the exact counted income"
    )
    counted_income_twelfths: Mapped[int] = mapped_column(
        BigInteger,
        comment="counted monthly income in twelfths of a fen: 12 × income − 12-month rigid expenses, ≥ 0",
    )
    income_members: Mapped[int] = mapped_column(
        Integer, comment="persons sharing the counted income: per capita = twelfths / (12 × members)"
    )
    monthly_amount_fen: Mapped[int] = mapped_column(BigInteger)
    standard_id: Mapped[UUID] = mapped_column(ForeignKey("standards.id"))
    approved_by: Mapped[str] = mapped_column(Text)
    approved_on: Mapped[date] = mapped_column(Date)
    next_review_due: Mapped[date | None] = mapped_column(Date)
    ended_from: Mapped[date | None] = mapped_column(Date, comment="first month not paid")


class CaseBeneficiary(Base):
    """A covered member and the components of their monthly amount."""

    __tablename__ = "case_beneficiaries"
    __table_args__ = (
        # No person in two active cases of the same program.
        Index(
            "uq_case_beneficiaries_active_person_program",
            "person_id",
            "program",
            unique=True,
            postgresql_where=text("active"),
        ),
        {"postgresql_with": {"fillfactor": 85}},
    )

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    program: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    add_on_kinds: Mapped[list[str]] = mapped_column(
        ARRAY(Text), comment="classified add-ons the person receives"
    )
    care_level: Mapped[str | None] = mapped_column(Text)
    base_fen: Mapped[int] = mapped_column(BigInteger)
    add_on_fen: Mapped[int] = mapped_column(BigInteger)
    care_subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    insurance_categories: Mapped[list[str]] = mapped_column(ARRAY(Text))


class SupportModeChoice(Base):
    """A 特困 person's choice of support mode (供养方式) on a case, kept whole; the highest `seq` is in force."""

    __tablename__ = "support_mode_choices"
    __table_args__ = (
        CheckConstraint(
            "(support_mode = 'dispersed') = (carer_name_cipher IS NOT NULL) AND (carer_name_cipher IS NULL) = "
            "(carer_phone_cipher IS NULL) AND support_mode IN ('centralised', 'dispersed')",
            name="carer_named_for_dispersed_only",
        ),
    )

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, comment="1, 2, … per case and person")
    support_mode: Mapped[str] = mapped_column(Text, comment="centralised (集中供养) | dispersed (分散供养)")
    chosen_on: Mapped[date] = mapped_column(Date)
    care_level: Mapped[str] = mapped_column(Text, comment="the care level SupportModeChosen carried")
    carer_name_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    carer_phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TemporaryGrant(Base):
    """Temporary assistance granted to a person, kept to refuse a repeat grant for the same cause within a year."""

    __tablename__ = "temporary_grants"
    __table_args__ = (Index("ix_temporary_grants_person_cause", "person_id", "cause", "granted_on"),)

    application_id: Mapped[UUID] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    cause: Mapped[str] = mapped_column(Text)
    granted_on: Mapped[date] = mapped_column(Date)


class ReviewFlag(Base):
    """A household a new standard may have made eligible (near the line): to be re-assessed by a caseworker."""

    __tablename__ = "review_flags"

    household_id: Mapped[UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    standard_id: Mapped[UUID] = mapped_column(ForeignKey("standards.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    per_capita_income_fen: Mapped[int] = mapped_column(
        BigInteger, comment="display only, floored to the fen; the flag compares exactly"
    )
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Recalculation(Base):
    """A recalculation of every active case after a standard change: resumable by its cursor."""

    __tablename__ = "recalculations"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    standard_id: Mapped[UUID] = mapped_column(ForeignKey("standards.id"), unique=True)
    status: Mapped[str] = mapped_column(Text, comment="running | done")
    cases_total: Mapped[int] = mapped_column(BigInteger)
    cases_changed: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    cursor: Mapped[UUID | None] = mapped_column(comment="last case id processed")
    households_flagged: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseFinding(Base):
    """A finding of oversight's checks against a case (`FindingRaised`), and what eligibility did about it."""

    __tablename__ = "case_findings"
    __table_args__ = (
        CheckConstraint("action IN ('suspended', 'noted')", name="action_known"),
        CheckConstraint("severity IN ('low', 'medium', 'high')", name="severity_known"),
    )

    finding_id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(Text, comment="R1–R14 (DOMAIN.md, Oversight)")
    severity: Mapped[str] = mapped_column(Text)
    person_id: Mapped[UUID | None] = mapped_column()
    found_on: Mapped[date] = mapped_column(Date, comment="the day the check was run as of")
    evidence: Mapped[dict[str, object]] = mapped_column(JSONB, comment="ids, amounts and dates only")
    action: Mapped[str] = mapped_column(
        Text, comment="suspended: this finding paused the case | noted: kept for the caseworker"
    )
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
