"""Supervision (监督检查): inspection teams, reproducible spot-check draws and each sampled case's result."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.oversight.models.base import Base


class InspectionTeam(Base):
    """A district's inspection team; its members are staff subjects (token `sub`)."""

    __tablename__ = "inspection_teams"
    __table_args__ = (UniqueConstraint("district_code", "name"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    members: Mapped[list[str]] = mapped_column(ARRAY(Text))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SpotCheckDraw(Base):
    """A draw of cases to check in a district over a period, with the seed and rates that reproduce it."""

    __tablename__ = "spot_check_draws"
    __table_args__ = (
        CheckConstraint("period_from <= period_to", name="period"),
        CheckConstraint("new_case_rate_pct BETWEEN 0 AND 100", name="new_case_rate"),
        CheckConstraint("relatives_rate_pct BETWEEN 0 AND 100", name="relatives_rate"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text, index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(BigInteger)
    new_case_rate_pct: Mapped[int] = mapped_column(Integer)
    relatives_rate_pct: Mapped[int] = mapped_column(Integer)
    new_cases: Mapped[int] = mapped_column(Integer, comment="new cases in the period, relatives' excluded")
    relatives_cases: Mapped[int] = mapped_column(Integer)
    drawn_by: Mapped[str] = mapped_column(Text)
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SpotCheck(Base):
    """A sampled case: the team it is assigned to and the result it got."""

    __tablename__ = "spot_checks"
    __table_args__ = (
        CheckConstraint("reason IN ('relative', 'new_case')", name="reason"),
        CheckConstraint("outcome IN ('pass', 'problem_found')", name="outcome"),
        CheckConstraint("(outcome = 'problem_found') = (problem_id IS NOT NULL)", name="problem_of_outcome"),
        CheckConstraint("(outcome IS NULL) = (checked_by IS NULL)", name="checked_by"),
    )

    draw_id: Mapped[UUID] = mapped_column(ForeignKey("spot_check_draws.id"), primary_key=True)
    case_id: Mapped[UUID] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(Text, comment="relative | new_case")
    team_id: Mapped[UUID | None] = mapped_column(ForeignKey("inspection_teams.id"), index=True)
    assigned_by: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text, comment="pass | problem_found")
    note: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    problem_id: Mapped[UUID | None] = mapped_column(ForeignKey("problems.id"))
