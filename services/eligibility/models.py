"""Tables of the eligibility service's own database."""

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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import metadata as audit_metadata
from shared.messaging.tables import metadata as messaging_metadata
from shared.schema import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class Standard(Base):
    """Effective-dated policy parameters (标准); `district_code` NULL means city-wide."""

    __tablename__ = "standards"
    __table_args__ = (
        UniqueConstraint("effective_from", "district_code", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date)
    district_code: Mapped[str | None] = mapped_column(Text)
    parameters: Mapped[dict[str, object]] = mapped_column(JSONB)
    published_by: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    note: Mapped[str | None] = mapped_column(Text)


class Person(Base):
    """A resident, identified by the blind index of the resident ID; the ID itself is encrypted."""

    __tablename__ = "persons"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    id_number_index: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    id_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    name_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    birth_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Household(Base):
    """A household (家庭) in one district, with its declared income, assets and expenses."""

    __tablename__ = "households"
    __table_args__ = (CheckConstraint("monthly_income_fen >= 0", name="income_not_negative"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text, index=True)
    township_code: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str] = mapped_column(Text)
    monthly_income_fen: Mapped[int] = mapped_column(BigInteger)
    facts: Mapped[dict[str, object]] = mapped_column(JSONB, comment="assets, consumption, rigid expenses")
    version: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HouseholdMember(Base):
    __tablename__ = "household_members"

    household_id: Mapped[UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True, index=True)
    relation: Mapped[str] = mapped_column(Text)
    profile: Mapped[dict[str, object]] = mapped_column(
        JSONB, comment="disability, illness, student, pre-school, ADL failures, orphan"
    )


class HouseholdVersion(Base):
    """Every change to a household: who, when, why, and the state it left (append-only)."""

    __tablename__ = "household_versions"

    household_id: Mapped[UUID] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed_by: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reason: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict[str, object]] = mapped_column(JSONB)


class Application(Base):
    """An application (申请) moving through the statutory steps; the decision is checked here too."""

    __tablename__ = "applications"
    __table_args__ = (
        # Separation of duties, as a last wall under the service's own check.
        CheckConstraint(
            "decided_by IS NULL OR (decided_by <> entered_by AND NOT (decided_by = ANY(investigators)))",
            name="decider_neither_entered_nor_investigated",
        ),
        CheckConstraint(
            "decision IS DISTINCT FROM 'approved' OR NOT relative_flagged OR (relative_filed AND district_visit_done)",
            name="relative_case_filed_and_visited",
        ),
        Index("ix_applications_district_state", "district_code", "state"),
        # The recount after a calendar year is loaded looks only at these: a small set.
        Index(
            "ix_applications_provisional_open",
            "id",
            postgresql_where=text("decision_due_provisional AND decision IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    household_id: Mapped[UUID] = mapped_column(ForeignKey("households.id"), index=True)
    program: Mapped[str] = mapped_column(Text)
    district_code: Mapped[str] = mapped_column(Text)
    township_code: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(Text)
    investigators: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    relative_flagged: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    relative_filed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    district_visit_done: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    decided_by: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)
    decision_due: Mapped[date | None] = mapped_column(Date)
    decision_due_provisional: Mapped[bool] = mapped_column(
        Boolean, server_default=text("false"), comment="counted Mon–Fri into a year nobody has entered"
    )
    uses_democratic_appraisal: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    emergency: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    temporary: Mapped[dict[str, object] | None] = mapped_column(
        JSONB, comment="temporary assistance: kind, household class, persons, months"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApplicationStep(Base):
    """One statutory step as it happened: its actor and actual date (append-only)."""

    __tablename__ = "application_steps"

    application_id: Mapped[UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    happened_on: Mapped[date] = mapped_column(Date)
    details: Mapped[dict[str, object]] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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


class StaffRelative(Base):
    """The register (备案) of relatives of assistance staff and village cadres."""

    __tablename__ = "staff_relatives"
    __table_args__ = (UniqueConstraint("person_index", "staff_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    person_index: Mapped[bytes] = mapped_column(
        LargeBinary, index=True, comment="blind index of the resident ID"
    )
    staff_id: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(Text)
    district_code: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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


class TemporaryGrant(Base):
    """Temporary assistance granted to a person, kept to refuse a repeat grant for the same cause within a year."""

    __tablename__ = "temporary_grants"
    __table_args__ = (Index("ix_temporary_grants_person_cause", "person_id", "cause", "granted_on"),)

    application_id: Mapped[UUID] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    cause: Mapped[str] = mapped_column(Text)
    granted_on: Mapped[date] = mapped_column(Date)


class InsuredPerson(Base):
    """A roster entry of the 民政惠民济困保 insurance, as the insurance service announced it.

    A read model of `insurance.enrollment.v1`: it says which insurer may ask for whose identity.
    No foreign key to `persons`: the roster is insurance's, and may name people this registry lacks.
    One entry per roster entry id; its events arrive in order (keyed by person) and each sets what it
    says: a removal the end of cover, an enrolment (also a re-enrolment) the start, clearing any end.
    """

    __tablename__ = "insured_persons"
    __table_args__ = (Index("ix_insured_persons_person_insurer", "person_id", "insurer_id"),)

    roster_entry_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column()
    insurer_id: Mapped[UUID] = mapped_column()
    policy_year: Mapped[int] = mapped_column(Integer)
    district_code: Mapped[str] = mapped_column(Text, comment="district whose roster the person is on")
    cover_from: Mapped[date | None] = mapped_column(Date, comment="NULL if only the removal arrived")
    cover_until: Mapped[date | None] = mapped_column(Date, comment="last day of cover once removed")
    removal_reason: Mapped[str | None] = mapped_column(Text)
    enrolled_event_id: Mapped[UUID | None] = mapped_column()
    removed_event_id: Mapped[UUID | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


METADATA = (Base.metadata, messaging_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""


class CalendarYearRow(Base):
    """A year of the working-day calendar entered by the bureau (节假日安排), over the package's data.

    Loading the same year again corrects it: the row is replaced and `revision` counts the loads.
    """

    __tablename__ = "calendar_years"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),
        CheckConstraint("NOT (holidays && shifted_working_days)", name="no_day_both_off_and_worked"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    holidays: Mapped[list[date]] = mapped_column(ARRAY(Date), comment="days off (放假)")
    shifted_working_days: Mapped[list[date]] = mapped_column(
        ARRAY(Date), comment="weekend days worked (调休上班)"
    )
    names: Mapped[dict[str, str]] = mapped_column(JSONB, comment="ISO date -> the notice's name for it")
    notice: Mapped[str | None] = mapped_column(Text, comment="the State Council notice it comes from")
    source: Mapped[str] = mapped_column(Text, comment="the file it was loaded from, or 'api'")
    revision: Mapped[int] = mapped_column(Integer)
    loaded_by: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeadlineRecomputation(Base):
    """After a calendar year is loaded: every open application's provisional deadline counted again."""

    __tablename__ = "deadline_recomputations"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, comment="the calendar_years revision it follows")
    status: Mapped[str] = mapped_column(Text, comment="running | done")
    applications_total: Mapped[int] = mapped_column(BigInteger)
    applications_done: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    cursor: Mapped[UUID | None] = mapped_column(comment="last application id recomputed")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
