"""Households, their members and versions, the persons behind them (identity encrypted), and the register of staff relatives."""

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
    LargeBinary,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.eligibility.models.base import Base


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
