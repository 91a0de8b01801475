"""A term's KPIs: insured persons and person-years, claims, 出险率, timeliness, settlement and amounts paid."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from services.insurance.domain.terms import term_bounds
from shared.contracts.types import YearMonth


@dataclass(frozen=True, slots=True)
class ExposureGroup:
    """Entries of a term that share a district and cover dates, and their premium."""

    district_code: str
    cover_from: date
    cover_until: date | None
    entries: int
    premium_fen: int


@dataclass(frozen=True, slots=True)
class GapGroup:
    """Cover gaps of a term's entries that share a district and dates: removed, then enrolled again."""

    district_code: str
    gap_from: date
    gap_until: date
    entries: int


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    cover_type: str
    incident_date: date
    reported_on: date
    status: str
    paid_fen: int | None
    settled_on: date | None


@dataclass(frozen=True, slots=True)
class MonthChanges:
    month: str
    added: int
    removed: int


@dataclass(frozen=True, slots=True)
class Timeliness:
    cover_type: str
    claims: int
    median_days_to_report: float | None
    limit_hours: int | None
    within_limit: int | None
    share_within_limit: float | None


@dataclass(frozen=True, slots=True)
class Kpis:
    insured_persons: int
    insured_on_as_of: int
    person_years: float
    premium_fen: int
    monthly: tuple[MonthChanges, ...]
    claims: int
    claims_by_type: dict[str, int]
    claim_rate: float | None
    timeliness: tuple[Timeliness, ...]
    settled: int
    rejected: int
    open: int
    settlement_rate: float | None
    median_days_to_settle: float | None
    paid_fen: int
    paid_fen_by_type: dict[str, int]


def covered_days(cover_from: date, cover_until: date | None, *, year: int, as_of: date) -> int:
    """Days of cover in the term up to `as_of` (inclusive); 0 for an entry voided before it began."""
    last = min(cover_until or term_bounds(year)[1], as_of)
    return max(0, (last - cover_from).days + 1)


def person_years(days: int, year: int) -> float:
    """Insured person-years: covered days over the days of the term (365 or 366)."""
    starts_on, ends_on = term_bounds(year)
    return days / ((ends_on - starts_on).days + 1)


def within_limit(incident_date: date, reported_on: date, limit_hours: int) -> bool:
    """Reported within the limit. Dates only: a claim reported `limit_hours / 24` days later still is."""
    return (reported_on - incident_date).days * 24 <= limit_hours


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _median(values: Sequence[int]) -> float | None:
    return float(median(values)) if values else None


def kpis(
    groups: Sequence[ExposureGroup],
    claims: Sequence[ClaimFacts],
    *,
    year: int,
    as_of: date,
    report_limits: Mapping[str, int | None],
    reported_by: date | None = None,
    gaps: Sequence[GapGroup] = (),
) -> Kpis:
    """A term's KPIs up to `as_of` (see docs/insurance.md for every formula): cover up to `as_of` less the
    gaps begun by then, claims reported up to `reported_by` (default `as_of`; later for a past term, whose
    claims are still reported after its last day)."""
    live = [
        g for g in groups if g.cover_from <= as_of and not (g.cover_until and g.cover_until < g.cover_from)
    ]
    begun = [g for g in gaps if g.gap_from <= as_of]
    days = sum(g.entries * covered_days(g.cover_from, g.cover_until, year=year, as_of=as_of) for g in live)
    days -= sum(g.entries * covered_days(g.gap_from, g.gap_until, year=year, as_of=as_of) for g in begun)
    exposure = person_years(days, year)
    months = [YearMonth(year, m) for m in range(1, as_of.month + 1)] if as_of.year == year else []
    monthly = tuple(
        MonthChanges(
            month.label,
            sum(g.entries for g in live if YearMonth.of(g.cover_from) == month)
            + sum(
                g.entries for g in begun if g.gap_until < as_of and YearMonth.of(g.gap_until).next() == month
            ),
            sum(
                g.entries
                for g in live
                if g.cover_until is not None
                and g.cover_until < as_of
                and YearMonth.of(g.cover_until).next() == month
            )
            + sum(g.entries for g in begun if YearMonth.of(g.gap_from) == month),
        )
        for month in months
    )
    reported = [c for c in claims if c.reported_on <= (reported_by or as_of)]
    by_type = Counter(c.cover_type for c in reported)
    settled = [c for c in reported if c.status == "settled"]
    timeliness = []
    for cover_type in sorted(by_type):
        of_type = [c for c in reported if c.cover_type == cover_type]
        limit = report_limits.get(cover_type)
        within = (
            None
            if limit is None
            else sum(within_limit(c.incident_date, c.reported_on, limit) for c in of_type)
        )
        timeliness.append(
            Timeliness(
                cover_type,
                len(of_type),
                _median([(c.reported_on - c.incident_date).days for c in of_type]),
                limit,
                within,
                None if within is None else _ratio(within, len(of_type)),
            )
        )
    paid_by_type: dict[str, int] = {}
    for c in settled:
        paid_by_type[c.cover_type] = paid_by_type.get(c.cover_type, 0) + (c.paid_fen or 0)
    rejected = sum(c.status == "rejected" for c in reported)
    return Kpis(
        insured_persons=sum(g.entries for g in live),
        insured_on_as_of=sum(g.entries for g in live if g.cover_until is None or g.cover_until >= as_of)
        - sum(g.entries for g in begun if as_of <= g.gap_until),
        person_years=exposure,
        premium_fen=sum(g.premium_fen for g in live),
        monthly=monthly,
        claims=len(reported),
        claims_by_type=dict(sorted(by_type.items())),
        claim_rate=_ratio(len(reported), exposure),
        timeliness=tuple(timeliness),
        settled=len(settled),
        rejected=rejected,
        open=len(reported) - len(settled) - rejected,
        settlement_rate=_ratio(len(settled), len(reported)),
        median_days_to_settle=_median(
            [(c.settled_on - c.reported_on).days for c in settled if c.settled_on is not None]
        ),
        paid_fen=sum(paid_by_type.values()),
        paid_fen_by_type=dict(sorted(paid_by_type.items())),
    )
