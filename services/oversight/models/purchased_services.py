"""Government-purchased social-assistance services (政府购买社会救助服务): providers, contracts, tasks and
each contract's performance evaluations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.oversight.models.base import Base


class ServiceProvider(Base):
    """A provider (承接主体) registered in a district, known by its unified social credit code."""

    __tablename__ = "service_providers"
    __table_args__ = (UniqueConstraint("district_code", "credit_code"),)

    id: Mapped[UUID] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    credit_code: Mapped[str] = mapped_column(Text, comment="统一社会信用代码, check character verified")
    registered_by: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServiceContract(Base):
    """A district's contract with a provider: what it covers, its budget and its period."""

    __tablename__ = "service_contracts"
    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="period"),
        CheckConstraint("budget_fen > 0", name="budget"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    provider_id: Mapped[UUID] = mapped_column(ForeignKey("service_providers.id"), index=True)
    district_code: Mapped[str] = mapped_column(Text, index=True)
    scope: Mapped[list[str]] = mapped_column(ARRAY(Text))
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    signed_by: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServiceTask(Base):
    """A task given to a contract's provider about a case, due by a day, completed with evidence."""

    __tablename__ = "service_tasks"
    __table_args__ = (
        CheckConstraint(
            "(completed_on IS NULL) = (completed_by IS NULL) AND (completed_on IS NULL) = (evidence IS NULL)",
            name="completion_whole",
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True)
    contract_id: Mapped[UUID] = mapped_column(ForeignKey("service_contracts.id"), index=True)
    district_code: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    case_id: Mapped[UUID] = mapped_column(index=True)
    due_on: Mapped[date] = mapped_column(Date)
    assigned_by: Mapped[str] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_by: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)


class ContractEvaluation(Base):
    """A contract's performance as of a day: the score and each of its parts, and who evaluated."""

    __tablename__ = "contract_evaluations"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    contract_id: Mapped[UUID] = mapped_column(ForeignKey("service_contracts.id"), index=True)
    district_code: Mapped[str] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    tasks_due: Mapped[int] = mapped_column(Integer)
    tasks_on_time: Mapped[int] = mapped_column(Integer)
    quality_problems: Mapped[int] = mapped_column(Integer)
    complaints: Mapped[int] = mapped_column(Integer)
    timeliness_points: Mapped[int] = mapped_column(Integer)
    quality_points: Mapped[int] = mapped_column(Integer)
    complaint_points: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    evaluated_by: Mapped[str] = mapped_column(Text)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
