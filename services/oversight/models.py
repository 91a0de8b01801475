"""Tables of the oversight service's own database.

Read models (ids and facts only, each rebuilt by replaying its topic): `households`, `household_members`,
`memberships` and `staff_relatives` from `eligibility.household.v1`; `cases`, `beneficiaries` and
`case_amounts` from `eligibility.case.v1`; `payments` and `overpayments` from `payments.payment.v1`;
`placements` from `facilities.placement.v1`; `roster_entries` from `insurance.enrollment.v1`. No foreign keys
between them: their topics arrive in any order relative to each other.

Own data: `imports` and their `external_records` (other departments' files, resident IDs kept only as match
keys and masks); `check_runs` and their `findings`, one per rule and subject across runs. Months are stored
as their first day.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import metadata as audit_metadata
from shared.messaging.tables import metadata as messaging_metadata
from shared.schema import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


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


class Import(Base):
    """A file of another department, checked row by row; its report says what was accepted and refused."""

    __tablename__ = "imports"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text, comment="deaths | vehicles | real_estate | business | ...")
    mode: Mapped[str] = mapped_column(Text, comment="all_or_nothing | good_rows_only")
    status: Mapped[str] = mapped_column(Text, comment="loaded | refused")
    file_name: Mapped[str] = mapped_column(Text)
    file_format: Mapped[str] = mapped_column(Text, comment="csv | xlsx")
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_loaded: Mapped[int] = mapped_column(Integer, comment="accepted rows kept as new facts")
    rows_known: Mapped[int] = mapped_column(
        Integer, comment="accepted rows whose fact an earlier row delivered"
    )
    rejections: Mapped[list[dict[str, object]]] = mapped_column(
        JSONB, comment="[{row, field, reason}] for every refused row (no resident ID in clear)"
    )
    imported_by: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ExternalRecord(Base):
    """One accepted row of an import: the person as a match key (and a mask for people), typed facts."""

    __tablename__ = "external_records"
    __table_args__ = (
        Index("ix_external_records_source_match_key", "source", "match_key"),
        # A fact is kept once however often it is delivered (a file sent again, a row repeated): counts stay true.
        Index(
            "uq_external_records_fact",
            "source",
            "match_key",
            "kind",
            "detail",
            "district_code",
            "on_date",
            "until_date",
            "amount_fen",
            "area_m2",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    import_id: Mapped[UUID] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(Text)
    row_number: Mapped[int] = mapped_column(Integer, comment="1 is the header; data rows from 2")
    match_key: Mapped[bytes] = mapped_column(LargeBinary)
    id_masked: Mapped[str] = mapped_column(Text, comment="first 3 and last 4 characters")
    kind: Mapped[str] = mapped_column(Text, comment="what the row says: death, car, dwelling, prison, ...")
    detail: Mapped[str | None] = mapped_column(Text)
    district_code: Mapped[str | None] = mapped_column(Text)
    on_date: Mapped[date | None] = mapped_column(Date)
    until_date: Mapped[date | None] = mapped_column(Date)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))


class CheckRun(Base):
    """A run of the checks, city-wide or for one district, as of a day, with the parameters it applied."""

    __tablename__ = "check_runs"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str | None] = mapped_column(Text, comment="NULL: city-wide")
    rules: Mapped[list[str]] = mapped_column(ARRAY(Text))
    as_of: Mapped[date] = mapped_column(Date)
    parameters: Mapped[dict[str, object]] = mapped_column(JSONB, comment="standards and thresholds applied")
    findings_new: Mapped[int] = mapped_column(Integer)
    findings_again: Mapped[int] = mapped_column(Integer, comment="hits already found by an earlier run")
    started_by: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Finding(Base):
    """A hit of a rule: one per rule and subject (a case, a case's person, a roster person, a listed person),
    however many runs find it again; the latest run's evidence is kept."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("rule", "subject"),
        Index("ix_findings_district_rule", "district_code", "rule"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(
        Text, comment="case:<id>, case:<id>/person:<id>, person:<id>, match:<hex>"
    )
    district_code: Mapped[str] = mapped_column(Text)
    case_id: Mapped[UUID | None] = mapped_column(index=True)
    person_id: Mapped[UUID | None] = mapped_column()
    severity: Mapped[str] = mapped_column(Text, comment="low | medium | high")
    evidence: Mapped[dict[str, object]] = mapped_column(JSONB)
    first_run_id: Mapped[UUID] = mapped_column(ForeignKey("check_runs.id"))
    last_run_id: Mapped[UUID] = mapped_column(ForeignKey("check_runs.id"))
    first_found_on: Mapped[date] = mapped_column(Date)
    last_found_on: Mapped[date] = mapped_column(Date)


METADATA = (Base.metadata, messaging_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
