"""The standards in force and the working-day calendar with the deadlines recomputed from it."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.eligibility.models.base import Base


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
