"""The roster: one entry per person and term, from every case's cover window of the person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from services.insurance.domain.terms import term_bounds

RemovalReason = Literal["case_ended", "death", "duplicate", "moved", "other"]


@dataclass(frozen=True, slots=True)
class CoverWindow:
    """One case's cover of one person: from the 1st of the month of confirmation to the last day
    before the month the case stops (`end` None while the case runs)."""

    start: date
    end: date | None
    categories: tuple[str, ...]
    district_code: str
    end_reason: RemovalReason | None = None

    @property
    def is_empty(self) -> bool:
        return self.end is not None and self.end < self.start

    def overlaps(self, starts_on: date, ends_on: date) -> bool:
        return not self.is_empty and self.start <= ends_on and (self.end is None or self.end >= starts_on)


Gap = tuple[date, date]
"""First and last day of a stretch without cover inside an entry's span: removed, then enrolled again."""


@dataclass(frozen=True, slots=True)
class DesiredEntry:
    """What a person's entry on a term's roster should say, given every case that covers them."""

    cover_from: date
    cover_until: date | None
    categories: tuple[str, ...]
    district_code: str
    removal_reason: RemovalReason | None
    gaps: tuple[Gap, ...] = ()


def _gaps(overlapping: list[CoverWindow], starts_on: date, ends_on: date) -> tuple[Gap, ...]:
    """The stretches of the term no window covers between the first window's start and the last one's end."""
    spans = sorted((max(w.start, starts_on), min(w.end or ends_on, ends_on)) for w in overlapping)
    gaps: list[Gap] = []
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach + timedelta(days=1):
            gaps.append((reach + timedelta(days=1), start - timedelta(days=1)))
        reach = max(reach, end)
    return tuple(gaps)


def desired_entry(windows: Iterable[CoverWindow], year: int) -> DesiredEntry | None:
    """A person is insured once per term however many cases or categories cover them.

    Cover runs from the earliest confirmation (or the term's start) and ends only when every case
    has ended; a cover lasting to the term's end is open (`cover_until` None). Months between a removal
    and a later enrolment in the term are gaps, not cover. None: no case covers the person during the term.
    """
    starts_on, ends_on = term_bounds(year)
    overlapping = [w for w in windows if w.overlaps(starts_on, ends_on)]
    if not overlapping:
        return None
    latest = max(overlapping, key=lambda w: w.start)
    cover_from = max(starts_on, min(w.start for w in overlapping))
    cover_until: date | None = None
    reason: RemovalReason | None = None
    if all(w.end is not None for w in overlapping):
        last = max(overlapping, key=lambda w: w.end or ends_on)
        if last.end is not None and last.end < ends_on:
            cover_until, reason = last.end, last.end_reason or "case_ended"
    categories = tuple(sorted({c for w in overlapping for c in w.categories}))
    gaps = _gaps(overlapping, starts_on, ends_on)
    return DesiredEntry(cover_from, cover_until, categories, latest.district_code, reason, gaps)


def void_until(cover_from: date) -> date:
    """The `cover_until` stored for an entry that turned out never to be covered (zero days)."""
    return cover_from - timedelta(days=1)


def _months(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def premium_fen(
    annual_fen: int, cover_from: date, cover_until: date | None = None, gaps: Iterable[Gap] = ()
) -> int:
    """Premium for an entry: a twelfth of the annual premium per month covered, from the month cover starts
    to the month it ends (December while open), less the months of its gaps; nothing for a voided entry.
    Cover starts on a 1st and ends on a month's last day, so every month counted is a whole one."""
    if cover_until is not None and cover_until < cover_from:
        return 0
    months = _months(cover_from, cover_until or date(cover_from.year, 12, 31))
    months -= sum(_months(first, last) for first, last in gaps)
    return annual_fen * months // 12


def removal_reason(termination_reason: str) -> RemovalReason:
    """InsuredRemoved.reason for an eligibility termination reason."""
    if termination_reason == "death":
        return "death"
    if termination_reason == "moved":
        return "moved"
    return "case_ended"
