"""Runs of the checks and their findings, one per rule and subject across runs."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.oversight.models.base import Base


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
