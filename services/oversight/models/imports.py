"""Other departments' files and their accepted rows (resident IDs kept only as match keys and masks)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.oversight.models.base import Base


class Import(Base):
    """A file of another department, checked row by row; its report says what was accepted and refused."""

    __tablename__ = "imports"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text, comment="deaths | vehicles | real_estate | business | ...")
    mode: Mapped[str] = mapped_column(Text, comment="all_or_nothing | good_rows_only")
    status: Mapped[str] = mapped_column(Text, comment="loaded | refused")
    file_name: Mapped[str] = mapped_column(Text)
    file_format: Mapped[str] = mapped_column(Text, comment="csv | xlsx")
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_loaded: Mapped[int] = mapped_column(Integer, comment="accepted rows kept as new facts")
    rows_known: Mapped[int] = mapped_column(
        Integer, comment="accepted rows whose fact an earlier row delivered"
    )
    rejections: Mapped[list[dict[str, object]]] = mapped_column(
        JSONB, comment="[{row, field, reason}] for every refused row (no resident ID in clear)"
    )
    imported_by: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ExternalRecord(Base):
    """One accepted row of an import: the person as a match key (and a mask for people), typed facts."""

    __tablename__ = "external_records"
    __table_args__ = (
        Index("ix_external_records_source_match_key", "source", "match_key"),
        # A fact is kept once however often it is delivered (a file sent again, a row repeated): counts stay true.
        Index(
            "uq_external_records_fact",
            "source",
            "match_key",
            "kind",
            "detail",
            "district_code",
            "on_date",
            "until_date",
            "amount_fen",
            "area_m2",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    import_id: Mapped[UUID] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(Text)
    row_number: Mapped[int] = mapped_column(Integer, comment="1 is the header; data rows from 2")
    match_key: Mapped[bytes] = mapped_column(LargeBinary)
    id_masked: Mapped[str] = mapped_column(Text, comment="first 3 and last 4 characters")
    kind: Mapped[str] = mapped_column(Text, comment="what the row says: death, car, dwelling, prison, ...")
    detail: Mapped[str | None] = mapped_column(Text)
    district_code: Mapped[str | None] = mapped_column(Text)
    on_date: Mapped[date | None] = mapped_column(Date)
    until_date: Mapped[date | None] = mapped_column(Date)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
