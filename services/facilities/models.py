"""Tables of the facilities service's own database.

Read model from `eligibility.case.v1`: `cases`, `tekun_members`, `care_levels` (ids and facts only).
Own data: `facilities`, `beds`, `placement_requests`, `placements` (a person's stay) and `bed_occupancies`
(which bed a stay holds, from when to when), `safety_items`, `plan_actions`, `care_rate_targets`.
Stays and occupancies are half-open date intervals `[from, until)`: whoever leaves on a day no longer
holds the bed that day.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.audit import metadata as audit_metadata
from shared.messaging.tables import metadata as messaging_metadata
from shared.schema import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


class Case(Base):
    """Read model: an approved case of either program (dibao ones only so their later events are known)."""

    __tablename__ = "cases"

    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(Text, comment="dibao | tekun")
    district_code: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)


class TekunMember(Base):
    """Read model: a 特困 person covered by a case, from the decision to the last day before support ends."""

    __tablename__ = "tekun_members"
    __table_args__ = (Index("ix_tekun_members_district_active", "district_code", "active_from"),)

    case_id: Mapped[UUID] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True, index=True)
    district_code: Mapped[str] = mapped_column(Text)
    active_from: Mapped[date] = mapped_column(Date, comment="the case's decision day")
    active_until: Mapped[date | None] = mapped_column(
        Date, comment="last day supported (the day before the termination's first unpaid month); NULL: active"
    )
    end_reason: Mapped[str | None] = mapped_column(Text)
    support_mode: Mapped[str | None] = mapped_column(
        Text, comment="centralised | dispersed; NULL: not chosen"
    )
    support_mode_on: Mapped[date | None] = mapped_column(Date)
    support_mode_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="time of the choice's event applied; older ones are replays"
    )


class CareLevel(Base):
    """Read model: a person's care level from a day on (an assessment, or the level stated with a choice)."""

    __tablename__ = "care_levels"

    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    assessed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    care_level: Mapped[str] = mapped_column(Text, comment="self_caring | half_care | full_care")
    event_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), comment="of two facts on one day, the later event's wins"
    )


class Facility(Base):
    """A care facility (供养服务机构)."""

    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'renovating', 'closing', 'closed')", name="known_status"),
        CheckConstraint("staff_count >= 0", name="staff_not_negative"),
        Index("ix_facilities_district_status", "district_code", "status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text, comment="township_home | district_home | care_center")
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    cares_for_disabled: Mapped[bool] = mapped_column(Boolean)
    staff_count: Mapped[int] = mapped_column(Integer)
    safety_grade: Mapped[str] = mapped_column(Text, comment="building safety grade A–D")
    status: Mapped[str] = mapped_column(Text)
    status_since: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Bed(Base):
    """A bed of a facility: its room, whether it suits a disabled resident, whether it is in service."""

    __tablename__ = "beds"
    __table_args__ = (UniqueConstraint("facility_id", "label"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    facility_id: Mapped[UUID] = mapped_column(ForeignKey("facilities.id"))
    label: Mapped[str] = mapped_column(Text, comment="the bed's number in the facility")
    room: Mapped[str] = mapped_column(Text)
    disabled_suitable: Mapped[bool] = mapped_column(Boolean)
    in_service: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class PlacementRequest(Base):
    """A person's wish for a place (集中供养): queued until admitted or withdrawn."""

    __tablename__ = "placement_requests"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'admitted', 'withdrawn')", name="known_status"),
        Index(
            "uq_placement_requests_one_queued",
            "person_id",
            unique=True,
            postgresql_where=text("status = 'queued'"),
        ),
        Index("ix_placement_requests_queue", "district_code", "status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, comment="derived from the choice's event id")
    person_id: Mapped[UUID]
    case_id: Mapped[UUID]
    district_code: Mapped[str] = mapped_column(Text)
    care_level: Mapped[str] = mapped_column(Text, comment="the person's latest known care level")
    requested_on: Mapped[date] = mapped_column(Date)
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), comment="time of the choice's event"
    )
    status: Mapped[str] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)


class Placement(Base):
    """A person's stay in care, from admission to discharge, across transfers: one open stay per person."""

    __tablename__ = "placements"
    __table_args__ = (
        Index(
            "uq_placements_one_open_per_person",
            "person_id",
            unique=True,
            postgresql_where=text("discharged_on IS NULL"),
        ),
        CheckConstraint(
            "discharged_on IS NULL OR discharged_on >= admitted_on", name="discharged_after_admitted"
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(index=True)
    case_id: Mapped[UUID]
    request_id: Mapped[UUID] = mapped_column(ForeignKey("placement_requests.id"), unique=True)
    admitted_on: Mapped[date] = mapped_column(Date)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    discharge_reason: Mapped[str | None] = mapped_column(Text, comment="death | returned_home | case_ended")
    admitted_by: Mapped[str] = mapped_column(Text)


class BedOccupancy(Base):
    """Which bed a stay holds over `[from_on, until_on)`: a bed has at most one open occupancy."""

    __tablename__ = "bed_occupancies"
    __table_args__ = (
        Index(
            "uq_bed_occupancies_one_open_per_bed",
            "bed_id",
            unique=True,
            postgresql_where=text("until_on IS NULL"),
        ),
        Index(
            "uq_bed_occupancies_one_open_per_stay",
            "placement_id",
            unique=True,
            postgresql_where=text("until_on IS NULL"),
        ),
        Index("ix_bed_occupancies_facility", "facility_id", "until_on"),
        CheckConstraint("until_on IS NULL OR until_on >= from_on", name="until_after_from"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    placement_id: Mapped[UUID] = mapped_column(ForeignKey("placements.id"))
    facility_id: Mapped[UUID] = mapped_column(ForeignKey("facilities.id"))
    bed_id: Mapped[UUID] = mapped_column(ForeignKey("beds.id"))
    from_on: Mapped[date] = mapped_column(Date)
    until_on: Mapped[date | None] = mapped_column(Date)


class SafetyItem(Base):
    """A safety or fire-safety rectification item (整改) found at a facility."""

    __tablename__ = "safety_items"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="known_status"),
        CheckConstraint("severity IN ('minor', 'major', 'critical')", name="known_severity"),
        CheckConstraint("kind IN ('fire', 'other')", name="known_kind"),
        CheckConstraint("closed_by IS NULL OR closed_by <> opened_by", name="closed_by_a_second_person"),
        Index("ix_safety_items_open", "facility_id", postgresql_where=text("status = 'open'")),
        Index("ix_safety_items_district_deadline", "district_code", "deadline"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    facility_id: Mapped[UUID] = mapped_column(ForeignKey("facilities.id"))
    district_code: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    found_on: Mapped[date] = mapped_column(Date)
    responsible_person: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)


class PlanAction(Base):
    """A facility's action in its district's 5-year plan; a new build has no facility yet."""

    __tablename__ = "plan_actions"
    __table_args__ = (
        CheckConstraint("action IN ('keep', 'renovate', 'close', 'new_build')", name="known_action"),
        CheckConstraint("progress_percent BETWEEN 0 AND 100", name="progress_in_range"),
        CheckConstraint("(action = 'new_build') = (facility_id IS NULL)", name="facility_unless_new_build"),
        UniqueConstraint("facility_id", "plan_start_year"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text, index=True)
    facility_id: Mapped[UUID | None] = mapped_column(ForeignKey("facilities.id"))
    plan_start_year: Mapped[int] = mapped_column(Integer, comment="first year of the five-year plan")
    action: Mapped[str] = mapped_column(Text)
    project_name: Mapped[str | None] = mapped_column(Text, comment="what a new build is called")
    target_start: Mapped[date] = mapped_column(Date)
    target_end: Mapped[date] = mapped_column(Date)
    progress_percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(Text)


class CareRateTarget(Base):
    """A care-rate target (集中供养率): the share to reach by a day; seeded 25% by 2018 and 50% by 2020."""

    __tablename__ = "care_rate_targets"

    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(5, 4), comment="a fraction: 0.25 is 25%")


METADATA = (Base.metadata, messaging_metadata, audit_metadata)
"""Every table this service's migrations create: its own, and the shared ones it uses."""
