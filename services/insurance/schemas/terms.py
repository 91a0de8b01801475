"""HTTP shapes of insurers and policy terms."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from services.insurance.domain.terms import DEFAULT_COVERS, CoverType
from services.insurance.schemas.common import DocumentName, Strict
from shared.contracts.types import MAX_FEN, PolicyYear


class InsurerIn(Strict):
    name: str = Field(min_length=1, max_length=200, description="the company's registered name")


class InsurerOut(BaseModel):
    id: UUID
    name: str


class CoverIn(Strict):
    cover_type: CoverType
    limit_fen: int = Field(ge=0, le=MAX_FEN, description="most paid per claim")
    report_limit_hours: int | None = Field(
        default=None, ge=1, le=8_760, description="report within this many hours (at most a year)"
    )
    documents: list[DocumentName] = Field(
        min_length=1, max_length=20, description="the claim's documents checklist"
    )


def _default_covers() -> list[CoverIn]:
    return [
        CoverIn(
            cover_type=c.cover_type,
            limit_fen=c.limit_fen,
            report_limit_hours=c.report_limit_hours,
            documents=list(c.documents),
        )
        for c in DEFAULT_COVERS
    ]


class TermIn(Strict):
    """A policy term (a calendar year) with its insurer, premium and covers; defaults as seeded."""

    year: PolicyYear
    insurer_id: UUID
    premium_fen: int = Field(
        default=12_000, ge=0, le=MAX_FEN, description="per person per year; ¥120 by default"
    )
    covers: list[CoverIn] = Field(default_factory=_default_covers, min_length=1, max_length=20)


class CoverOut(BaseModel):
    cover_type: str
    limit_fen: int
    report_limit_hours: int | None
    documents: list[str]


class TermOut(BaseModel):
    year: int
    starts_on: date
    ends_on: date
    insurer_id: UUID
    premium_fen: int
    covers: list[CoverOut]
