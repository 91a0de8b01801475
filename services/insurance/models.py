"""Tables of the insurance service's own database."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
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


class Insurer(Base):
    """An insurance company the bureau buys 民政惠民济困保 from; its API clients carry its id."""

    __tablename__ = "insurers"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PolicyTerm(Base):
    """A policy term: one calendar year, one insurer, one premium per person."""

    __tablename__ = "policy_terms"
    __table_args__ = (CheckConstraint("year BETWEEN 2018 AND 2100", name="year_in_range"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    insurer_id: Mapped[UUID] = mapped_column(ForeignKey("insurers.id"), index=True)
    premium_fen: Mapped[int] = mapped_column(BigInteger, comment="per person per year")
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Cover(Base):
    """A cover type of a term, with its limit, its reporting limit and the documents a claim needs."""

    __tablename__ = "covers"

    policy_year: Mapped[int] = mapped_column(ForeignKey("policy_terms.year"), primary_key=True)
    cover_type: Mapped[str] = mapped_column(Text, primary_key=True)
    limit_fen: Mapped[int] = mapped_column(BigInteger, comment="most paid per claim")
    report_limit_hours: Mapped[int | None] = mapped_column(
        Integer, comment="report within this many hours of the incident (accidents: 48)"
    )
    documents: Mapped[list[str]] = mapped_column(ARRAY(Text), comment="the claim's documents checklist")


class BeneficiaryCase(Base):
    """Read model of an eligibility case (from `eligibility.case.v1`): where it is and how far it is applied."""

    __tablename__ = "beneficiary_cases"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    household_id: Mapped[UUID]
    program: Mapped[str] = mapped_column(Text, comment="dibao | tekun")
    district_code: Mapped[str] = mapped_column(Text, index=True)
    last_event_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), comment="time of the latest case event applied; older ones are replays"
    )


class Beneficiary(Base):
    """Read model: one person's cover window from one case, 1st of the confirmation month to `cover_end`. A
    person dropped from a case and added back later has a second window: the months between are not cover."""

    __tablename__ = "beneficiaries"

    case_id: Mapped[UUID] = mapped_column(
        ForeignKey("beneficiary_cases.case_id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[UUID] = mapped_column(primary_key=True, index=True)
    categories: Mapped[list[str]] = mapped_column(ARRAY(Text), comment="insurance categories")
    cover_start: Mapped[date] = mapped_column(
        Date, primary_key=True, comment="1st of the month the case was confirmed (or the person added again)"
    )
    cover_end: Mapped[date | None] = mapped_column(Date, comment="last day covered; NULL while active")
    end_reason: Mapped[str | None] = mapped_column(Text, comment="case_ended | death | moved")


class RosterEntry(Base):
    """One insured person on one term's roster: exactly one per (person, policy year)."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        UniqueConstraint("person_id", "policy_year"),
        Index("ix_roster_entries_year_district", "policy_year", "district_code"),
        CheckConstraint("EXTRACT(YEAR FROM cover_from) = policy_year", name="cover_from_in_term"),
        CheckConstraint(
            "cover_until IS NULL OR (cover_until >= cover_from - 1 AND EXTRACT(YEAR FROM cover_until) <= policy_year)",
            name="cover_until_in_term",
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID]
    policy_year: Mapped[int] = mapped_column(ForeignKey("policy_terms.year"))
    insurer_id: Mapped[UUID] = mapped_column(ForeignKey("insurers.id"))
    district_code: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(ARRAY(Text))
    cover_from: Mapped[date] = mapped_column(Date, comment="1st of the month of confirmation, or 1 January")
    cover_until: Mapped[date | None] = mapped_column(
        Date, comment="last day covered; NULL: to the term's end; the day before cover_from: never covered"
    )
    removal_reason: Mapped[str | None] = mapped_column(Text)
    premium_fen: Mapped[int] = mapped_column(
        BigInteger, comment="premium due for the months covered: cover_from to cover_until, gaps aside"
    )
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CoverGap(Base):
    """Days between `cover_from` and `cover_until` when a removed person was not covered, before they were
    enrolled again in the same term: the entry's cover periods are its span less its gaps."""

    __tablename__ = "cover_gaps"
    __table_args__ = (CheckConstraint("gap_until >= gap_from", name="gap_not_empty"),)

    roster_entry_id: Mapped[UUID] = mapped_column(
        ForeignKey("roster_entries.id", ondelete="CASCADE"), primary_key=True
    )
    gap_from: Mapped[date] = mapped_column(Date, primary_key=True, comment="first day not covered")
    gap_until: Mapped[date] = mapped_column(Date, comment="last day not covered")


class RosterBuild(Base):
    """A term's roster was built for a district (the January roster); later approvals join it directly."""

    __tablename__ = "roster_builds"

    policy_year: Mapped[int] = mapped_column(ForeignKey("policy_terms.year"), primary_key=True)
    district_code: Mapped[str] = mapped_column(Text, primary_key=True)
    built_by: Mapped[str] = mapped_column(Text)
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


CLAIM_STATUSES = "('reported', 'documents_complete', 'assessed', 'settled', 'rejected')"


class Claim(Base):
    """A claim (理赔) under a roster entry; one per (entry, cover type, incident date). No diagnosis text."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("roster_entry_id", "cover_type", "incident_date"),
        ForeignKeyConstraint(["policy_year", "cover_type"], ["covers.policy_year", "covers.cover_type"]),
        Index(
            "uq_claims_once_per_person",
            "person_id",
            "cover_type",
            unique=True,
            postgresql_where=text(
                "cover_type IN ('death_from_illness', 'school_entry_grant') AND status <> 'rejected'"
            ),
        ),
        Index("ix_claims_year_district", "policy_year", "district_code"),
        CheckConstraint(f"status IN {CLAIM_STATUSES}", name="known_status"),
        CheckConstraint("reported_on >= incident_date", name="reported_after_incident"),
        CheckConstraint("status <> 'settled' OR paid_fen IS NOT NULL", name="settled_has_amount"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    roster_entry_id: Mapped[UUID] = mapped_column(ForeignKey("roster_entries.id"))
    person_id: Mapped[UUID]
    policy_year: Mapped[int]
    insurer_id: Mapped[UUID]
    district_code: Mapped[str] = mapped_column(Text)
    cover_type: Mapped[str] = mapped_column(Text)
    incident_date: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(Text, comment="caseworker | hospital | insurer")
    reported_by: Mapped[str] = mapped_column(Text)
    claimed_fen: Mapped[int] = mapped_column(BigInteger)
    expenses_total_fen: Mapped[int | None] = mapped_column(BigInteger)
    basic_insurance_fen: Mapped[int | None] = mapped_column(BigInteger)
    medical_assistance_fen: Mapped[int | None] = mapped_column(BigInteger)
    out_of_list_fen: Mapped[int | None] = mapped_column(BigInteger)
    documents_received: Mapped[list[str]] = mapped_column(ARRAY(Text))
    status: Mapped[str] = mapped_column(Text)
    assessed_fen: Mapped[int | None] = mapped_column(BigInteger)
    assessed_on: Mapped[date | None] = mapped_column(Date)
    assessed_by: Mapped[str | None] = mapped_column(Text)
    paid_fen: Mapped[int | None] = mapped_column(BigInteger)
    settled_on: Mapped[date | None] = mapped_column(Date)
    settled_by: Mapped[str | None] = mapped_column(Text)
    rejection_code: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text, comment="no personal data or diagnoses")
    rejected_on: Mapped[date | None] = mapped_column(Date)
    rejected_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ClaimStatusChange(Base):
    """A claim's history: each status it took and the day it took it, so figures can be read at a cut-off."""

    __tablename__ = "claim_status_changes"
    __table_args__ = (CheckConstraint(f"status IN {CLAIM_STATUSES}", name="known_status"),)

    claim_id: Mapped[UUID] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(Text, primary_key=True, comment="a claim takes each status once")
    changed_on: Mapped[date] = mapped_column(Date)
    changed_by: Mapped[str] = mapped_column(Text)


METADATA = (Base.metadata, messaging_metadata, idempotency_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
