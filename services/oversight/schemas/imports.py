"""What the imports API answers: an import's report, and a page of imports."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class RejectionOut(BaseModel):
    row: int = Field(description="Row number in the file; the header is row 1")
    field: str = Field(description="The column at fault (`id_number`, a source's column)")
    reason: str = Field(description="What the cell must hold; never the resident ID itself")


class ImportSummary(BaseModel):
    id: UUID
    source: str
    mode: str = Field(description="all_or_nothing | good_rows_only")
    status: str = Field(description="loaded, or refused (all_or_nothing with a rejected row: nothing loaded)")
    file_name: str
    file_format: str
    rows_total: int = Field(description="Data rows in the file")
    rows_loaded: int = Field(description="Accepted rows kept as new facts (0 when refused)")
    rows_known: int = Field(
        description="Accepted rows whose fact was already kept (the same file sent again, a repeated row)"
    )
    rows_rejected: int = Field(description="Rows with at least one rejected field")
    rejections_total: int = Field(description="Rejected fields in all")
    imported_by: str
    imported_at: datetime


class ImportOut(ImportSummary):
    """An import and its report: one page of the rejected fields, in row order."""

    rejections: list[RejectionOut]


class ImportPage(BaseModel):
    items: list[ImportSummary]
    total: int
