"""The insured roster as insurance announces it: who may read whose identity."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import (
    Date,
    DateTime,
    Index,
    Integer,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.eligibility.models.base import Base


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
