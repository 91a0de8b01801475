"""Policy terms (a calendar year each), their premium and the covers of the seeded terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

CoverType = Literal[
    "accident", "serious_illness", "death_from_illness", "student_critical_illness", "school_entry_grant"
]

ANNUAL_PREMIUM_FEN = 12_000
"""¥120 per person per year (¥10 a month), paid centrally (DOMAIN.md)."""


@dataclass(frozen=True, slots=True)
class CoverDefault:
    """A cover of the seeded terms. Limits and checklists are *defaults*, to be confirmed per contract."""

    cover_type: CoverType
    limit_fen: int
    report_limit_hours: int | None
    documents: tuple[str, ...]


DEFAULT_COVERS: tuple[CoverDefault, ...] = (
    CoverDefault(
        "accident",
        5_000_000,
        48,
        ("claim_form", "identity_proof", "accident_proof", "medical_invoices", "discharge_summary"),
    ),
    CoverDefault(
        "serious_illness",
        10_000_000,
        None,
        ("claim_form", "identity_proof", "medical_invoices", "insurance_settlement", "discharge_summary"),
    ),
    CoverDefault(
        "death_from_illness",
        1_000_000,
        None,
        ("claim_form", "death_certificate", "registration_cancelled", "beneficiary_relationship"),
    ),
    CoverDefault(
        "student_critical_illness",
        5_000_000,
        None,
        ("claim_form", "identity_proof", "student_status", "hospital_certificate", "medical_invoices"),
    ),
    CoverDefault(
        "school_entry_grant", 500_000, None, ("claim_form", "admission_letter", "household_insured_proof")
    ),
)


def term_bounds(year: int) -> tuple[date, date]:
    """A policy term is a calendar year (DOMAIN.md)."""
    return date(year, 1, 1), date(year, 12, 31)


def within_term(day: date, year: int) -> date:
    """`day` kept within the term: a past term's last day, a future term's first (the default `as_of`
    of a term's figures, so that last year's term is read to 31 December and next year's from 1 January)."""
    starts_on, ends_on = term_bounds(year)
    return min(max(day, starts_on), ends_on)
