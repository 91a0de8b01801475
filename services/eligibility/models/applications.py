"""Applications and the statutory steps each one takes."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.eligibility.models.base import Base


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
