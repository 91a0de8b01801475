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


@dataclass(frozen=True, slots=True)
class DesiredEntry:
    """What a person's entry on a term's roster should say, given every case that covers them."""

    cover_from: date
    cover_until: date | None
    categories: tuple[str, ...]
    district_code: str
    removal_reason: RemovalReason | None


def desired_entry(windows: Iterable[CoverWindow], year: int) -> DesiredEntry | None:
    """A person is insured once per term however many cases or categories cover them.

    Cover runs from the earliest confirmation (or the term's start) and ends only when every case
    has ended; a cover lasting to the term's end is open (`cover_until` None). None: no case covers
    the person during the term.
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
    return DesiredEntry(cover_from, cover_until, categories, latest.district_code, reason)


def void_until(cover_from: date) -> date:
    """The `cover_until` stored for an entry that turned out never to be covered (zero days)."""
    return cover_from - timedelta(days=1)


def premium_fen(annual_fen: int, cover_from: date) -> int:
    """Premium for an entry: a twelfth of the annual premium per month from the month cover starts."""
    return annual_fen * (13 - cover_from.month) // 12


def removal_reason(termination_reason: str) -> RemovalReason:
    """InsuredRemoved.reason for an eligibility termination reason."""
    if termination_reason == "death":
        return "death"
    if termination_reason == "moved":
        return "moved"
    return "case_ended"
