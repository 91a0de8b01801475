"""District problem lists (问题清单) and each problem's rectification (整改), its evidence and its sign-off.

The rules that make a closure trustworthy live in the database as well as in the use case: a closed problem
has a rectification, a sign-off by someone who neither opened it nor set its rectification, and at least one
piece of evidence (CHECK constraints here; the evidence and the freezing of a closed problem by the triggers
of revision 0007)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.oversight.models.base import Base

PROBLEM_SOURCES = ("self_inspection", "supervision", "complaint", "finding")
PROBLEM_STATUSES = ("open", "rectifying", "closed")


class Problem(Base):
    """A problem on a district's list: open, then rectifying (a rectification is set), then closed."""

    __tablename__ = "problems"
    __table_args__ = (
        CheckConstraint(f"source IN {PROBLEM_SOURCES}", name="source"),
        CheckConstraint(f"status IN {PROBLEM_STATUSES}", name="status"),
        CheckConstraint("source = 'finding' OR finding_id IS NULL", name="finding_source"),
        CheckConstraint(
            "(status = 'open') = (rectification_by IS NULL)"
            " AND (rectification_by IS NULL) = (responsible_person IS NULL)"
            " AND (rectification_by IS NULL) = (measures IS NULL)"
            " AND (rectification_by IS NULL) = (deadline IS NULL)"
            " AND (rectification_by IS NULL) = (rectification_at IS NULL)",
            name="rectification_whole",
        ),
        CheckConstraint(
            "(status = 'closed') = (closed_by IS NOT NULL)"
            " AND (closed_by IS NULL) = (closed_at IS NULL)"
            " AND (closed_by IS NULL) = (closing_note IS NULL)",
            name="closed_signed_off",
        ),
        CheckConstraint(
            "closed_by IS NULL OR (closed_by <> opened_by AND closed_by <> rectification_by)",
            name="second_person",
        ),
        Index("ix_problems_district_status", "district_code", "status"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, comment="self_inspection | supervision | complaint | finding")
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    finding_id: Mapped[UUID | None] = mapped_column(ForeignKey("findings.id"), unique=True)
    case_id: Mapped[UUID | None] = mapped_column(index=True)
    contract_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("service_contracts.id"), index=True, comment="a purchased-service contract it is about"
    )
    task_id: Mapped[UUID | None] = mapped_column(ForeignKey("service_tasks.id"))
    status: Mapped[str] = mapped_column(Text, comment="open | rectifying | closed")
    opened_by: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    responsible_person: Mapped[str | None] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date, comment="overdue from the day after, until closed")
    rectification_by: Mapped[str | None] = mapped_column(Text, comment="who set the rectification")
    rectification_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_on: Mapped[date | None] = mapped_column(Date, comment="reported overdue to the municipal level")
    closed_by: Mapped[str | None] = mapped_column(
        Text, comment="the second person who signed the closure off"
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closing_note: Mapped[str | None] = mapped_column(Text)


class ProblemEvidence(Base):
    """What shows a rectification was done: a description and a document reference; append-only."""

    __tablename__ = "problem_evidence"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    problem_id: Mapped[UUID] = mapped_column(ForeignKey("problems.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    document_ref: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
