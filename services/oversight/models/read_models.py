"""Read models, ids and facts only, each rebuilt by replaying its topic; no foreign keys between them: their
topics arrive in any order relative to each other. Months are stored as their first day."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.oversight.models.base import Base


class Household(Base):
    """Read model: a household at the latest version announced, with its declared facts (fen)."""

    __tablename__ = "households"

    household_id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    district_code: Mapped[str] = mapped_column(Text, index=True)
    township_code: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str] = mapped_column(Text, comment="urban | rural")
    member_count: Mapped[int] = mapped_column(Integer)
    monthly_income_fen: Mapped[int] = mapped_column(BigInteger)
    financial_assets_fen: Mapped[int] = mapped_column(BigInteger)
    vehicle_exemption_evidenced: Mapped[bool] = mapped_column(Boolean)
    study_abroad_self_funded: Mapped[bool] = mapped_column(Boolean)
    premiums_fen_per_year: Mapped[int] = mapped_column(BigInteger)
    recorded_on: Mapped[date] = mapped_column(Date)


class HouseholdMember(Base):
    """Read model: a member of a household at its latest version."""

    __tablename__ = "household_members"

    household_id: Mapped[UUID] = mapped_column(
        ForeignKey("households.household_id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[UUID] = mapped_column(primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(Text)
    match_key: Mapped[bytes] = mapped_column(LargeBinary, index=True, comment="keyed hash of the resident ID")


class Membership(Base):
    """Read model: every household a person was ever recorded in, from the first day seen there (拆户 check)."""

    __tablename__ = "memberships"

    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    household_id: Mapped[UUID] = mapped_column(primary_key=True)
    first_recorded_on: Mapped[date] = mapped_column(Date)


class StaffRelative(Base):
    """Read model: the register (备案) of relatives of assistance staff and village cadres."""

    __tablename__ = "staff_relatives"

    relative_id: Mapped[UUID] = mapped_column(primary_key=True)
    match_key: Mapped[bytes] = mapped_column(LargeBinary, index=True)
    staff_id: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(Text)
    district_code: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date] = mapped_column(Date)


class Case(Base):
    """Read model: an approved dibao or 特困 case, its suspension and its review schedule."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_district_program", "district_code", "program"),)

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    household_id: Mapped[UUID] = mapped_column(index=True)
    program: Mapped[str] = mapped_column(Text, comment="dibao | tekun")
    district_code: Mapped[str] = mapped_column(Text)
    township_code: Mapped[str | None] = mapped_column(Text)
    start_month: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date] = mapped_column(Date)
    decision_due: Mapped[date | None] = mapped_column(
        Date, comment="the statutory decision deadline CaseApproved carried; NULL in events from before it"
    )
    suspended_from: Mapped[date | None] = mapped_column(Date, comment="first month not paid while suspended")
    next_review_due: Mapped[date | None] = mapped_column(Date)
    review_set_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="time of the event that set next_review_due; a newer one wins"
    )


class Beneficiary(Base):
    """Read model: a person covered by a case, from a month until the first month no longer covered."""

    __tablename__ = "beneficiaries"

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True, index=True)
    covered_from: Mapped[date] = mapped_column(Date)
    ended_from: Mapped[date | None] = mapped_column(Date, comment="first month not covered")
    end_reason: Mapped[str | None] = mapped_column(Text)


class CaseAmount(Base):
    """Read model: a beneficiary's decided monthly total from a month on (approval, then each change)."""

    __tablename__ = "case_amounts"

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.case_id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    from_month: Mapped[date] = mapped_column(Date, primary_key=True)
    total_fen: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    """Read model: a payment as the bank last reported it (issued on a reissue, then disbursed or failed)."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_person_month", "person_id", "month"),)

    payment_id: Mapped[UUID] = mapped_column(primary_key=True)
    case_id: Mapped[UUID] = mapped_column(index=True)
    household_id: Mapped[UUID] = mapped_column()
    person_id: Mapped[UUID | None] = mapped_column()
    benefit: Mapped[str] = mapped_column(Text)
    month: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text, comment="issued | disbursed | failed")
    reported_on: Mapped[date] = mapped_column(Date)


class Overpayment(Base):
    """Read model: a payment payments recorded as owed back, with the overpayment to recover."""

    __tablename__ = "overpayments"

    overpayment_id: Mapped[UUID] = mapped_column(primary_key=True)
    payment_id: Mapped[UUID] = mapped_column(index=True)
    case_id: Mapped[UUID] = mapped_column()
    person_id: Mapped[UUID] = mapped_column()
    month: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)


class Placement(Base):
    """Read model: a 特困 person's stay in a care facility, from admission to discharge."""

    __tablename__ = "placements"

    placement_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(index=True)
    case_id: Mapped[UUID] = mapped_column()
    facility_id: Mapped[UUID] = mapped_column()
    district_code: Mapped[str] = mapped_column(Text)
    admitted_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[str | None] = mapped_column(Text)


class RosterEntry(Base):
    """Read model: an entry of the 民政惠民济困保 roster; an enrolment sets the start, a removal the end."""

    __tablename__ = "roster_entries"

    roster_entry_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(index=True)
    policy_year: Mapped[int] = mapped_column(Integer)
    district_code: Mapped[str] = mapped_column(Text)
    cover_from: Mapped[date | None] = mapped_column(Date, comment="NULL if only the removal arrived")
    cover_until: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(Text)


class CareLevelFact(Base):
    """Read model: a 特困 person's self-care ability as assessed on a day (at approval, then each assessment);
    the latest on or before a day holds on that day (care-rate KPI)."""

    __tablename__ = "care_levels"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True, index=True)
    assessed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    care_level: Mapped[str] = mapped_column(Text, comment="self_caring | half_care | full_care")


class Claim(Base):
    """Read model: a claim of the 民政惠民济困保 as reported (报案), for the insurance KPIs."""

    __tablename__ = "claims"

    claim_id: Mapped[UUID] = mapped_column(primary_key=True)
    roster_entry_id: Mapped[UUID] = mapped_column(index=True, comment="its district is the roster entry's")
    person_id: Mapped[UUID] = mapped_column()
    cover_type: Mapped[str] = mapped_column(Text)
    incident_date: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date] = mapped_column(Date, index=True)


class TemporaryGrant(Base):
    """Read model: a temporary-assistance grant (临时救助), for the response-time KPI."""

    __tablename__ = "temporary_grants"

    grant_id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text, comment="emergency | expenditure")
    help_first: Mapped[bool] = mapped_column(Boolean)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    applied_on: Mapped[date | None] = mapped_column(
        Date, comment="the day help was asked for; NULL in older events"
    )
    granted_on: Mapped[date] = mapped_column(Date, index=True)
