"""Targets of the district KPIs that an admin set, each from a day on, for one district or city-wide."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.oversight.models.base import Base


class KpiTarget(Base):
    """A KPI's target from `effective_from` on, for a district or city-wide (`scope` "city"); the latest one
    on or before a day holds on that day, and without one the default of DOMAIN.md does."""

    __tablename__ = "kpi_targets"

    kpi: Mapped[str] = mapped_column(Text, primary_key=True)
    scope: Mapped[str] = mapped_column(Text, primary_key=True, comment="a district code, or city")
    effective_from: Mapped[date] = mapped_column(Date, primary_key=True)
    target: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    set_by: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
