"""Pure rules of 民政惠民济困保 (civil-affairs insurance): who is on a term's roster and from when, which
claims a cover admits, and the KPI formulas. No database, web or Kafka here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Literal, Protocol, TypeVar

from shared.errors import FieldIssue, InvalidInput

CoverType = Literal[
    "accident", "serious_illness", "death_from_illness", "student_critical_illness", "school_entry_grant"
]
Channel = Literal["caseworker", "hospital", "insurer"]
RemovalReason = Literal["case_ended", "death", "duplicate", "moved", "other"]
ClaimStatus = Literal["reported", "documents_complete", "assessed", "settled", "rejected"]

ANNUAL_PREMIUM_FEN = 12_000
"""¥120 per person per year (¥10 a month), paid centrally (DOMAIN.md)."""

MEDICAL_COVERS: frozenset[str] = frozenset({"accident", "serious_illness", "student_critical_illness"})
"""Covers that pay hospital expenses: a claim under them states the expenses."""

ONCE_PER_PERSON: frozenset[str] = frozenset({"death_from_illness", "school_entry_grant"})
"""Covers a person can claim once at most (one death; one university entry)."""


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


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_label(day: date) -> str:
    return day.strftime("%Y-%m")


def next_month(day: date) -> date:
    """The 1st of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def term_bounds(year: int) -> tuple[date, date]:
    """A policy term is a calendar year (DOMAIN.md)."""
    return date(year, 1, 1), date(year, 12, 31)


def within_term(day: date, year: int) -> date:
    """`day` kept within the term: a past term's last day, a future term's first (the default `as_of`
    of a term's figures, so that last year's term is read to 31 December and next year's from 1 January)."""
    starts_on, ends_on = term_bounds(year)
    return min(max(day, starts_on), ends_on)


# --- the roster ---------------------------------------------------------------------------------


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


# --- claims -------------------------------------------------------------------------------------


class Covered(Protocol):
    @property
    def policy_year(self) -> int: ...
    @property
    def cover_from(self) -> date: ...
    @property
    def cover_until(self) -> date | None: ...


C = TypeVar("C", bound=Covered)


def covers(entry: Covered, day: date) -> bool:
    """Was the entry's cover active on `day`? Cover ends at `cover_until`, or the term's end."""
    until = entry.cover_until if entry.cover_until is not None else term_bounds(entry.policy_year)[1]
    return entry.cover_from <= day <= until


def covering_entry(incident_date: date, entries: Sequence[C]) -> C:
    """The roster entry whose cover was active on the incident date; InvalidInput naming the rule if none."""
    if not entries:
        raise InvalidInput(
            "the person is not on any roster you can see",
            errors=[FieldIssue("person_id", "NOT_INSURED", "no roster entry for this person in your scope")],
        )
    for entry in entries:
        if covers(entry, incident_date):
            return entry
    first = min(e.cover_from for e in entries)
    if incident_date < first:
        rule, message = "COVER_NOT_STARTED", f"cover started on {first}, after the incident"
    elif all(e.cover_until is not None and e.cover_until < incident_date for e in entries):
        last = max(e.cover_until for e in entries if e.cover_until is not None)
        rule, message = "COVER_ENDED", f"cover ended on {last}, before the incident"
    else:
        rule, message = "NOT_COVERED_ON_DATE", "the person was not covered on the incident date"
    raise InvalidInput(
        f"cover was not active on the incident date: {message}",
        errors=[FieldIssue("incident_date", rule, message)],
    )


@dataclass(frozen=True, slots=True)
class Expenses:
    """Hospitalisation expenses (fen): the total, what basic medical insurance and medical assistance
    paid, and the part outside the medical-insurance list (目录外)."""

    total_fen: int
    basic_insurance_fen: int
    medical_assistance_fen: int
    out_of_list_fen: int

    @property
    def out_of_pocket_fen(self) -> int:
        return self.total_fen - self.basic_insurance_fen - self.medical_assistance_fen


def claim_issues(
    cover_type: str, claimed_fen: int, limit_fen: int, expenses: Expenses | None
) -> list[FieldIssue]:
    """Every rule a reported claim breaks, by field; empty when it may be recorded."""
    issues: list[FieldIssue] = []
    if claimed_fen > limit_fen:
        issues.append(
            FieldIssue(
                "claimed_fen", "ABOVE_COVER_LIMIT", f"the {cover_type} cover pays at most {limit_fen} fen"
            )
        )
    if cover_type in MEDICAL_COVERS and expenses is None:
        issues.append(
            FieldIssue("expenses", "REQUIRED", f"a {cover_type} claim states the hospital expenses")
        )
    if expenses is None:
        return issues
    if expenses.basic_insurance_fen + expenses.medical_assistance_fen > expenses.total_fen:
        issues.append(
            FieldIssue(
                "expenses.total_fen",
                "PAID_EXCEEDS_TOTAL",
                "basic insurance and medical assistance together cannot exceed the total",
            )
        )
    elif expenses.out_of_list_fen > expenses.out_of_pocket_fen:
        issues.append(
            FieldIssue(
                "expenses.out_of_list_fen",
                "EXCEEDS_OUT_OF_POCKET",
                "the out-of-list part is paid by the patient, so within total − insurance − assistance",
            )
        )
    elif cover_type in MEDICAL_COVERS and claimed_fen > expenses.out_of_pocket_fen:
        issues.append(
            FieldIssue(
                "claimed_fen",
                "ABOVE_OUT_OF_POCKET",
                f"the claim may not exceed what remains after insurance and assistance ({expenses.out_of_pocket_fen} fen)",
            )
        )
    return issues


NEXT_STATUS: dict[str, frozenset[str]] = {
    "reported": frozenset({"documents_complete", "rejected"}),
    "documents_complete": frozenset({"assessed", "rejected"}),
    "assessed": frozenset({"settled", "rejected"}),
    "settled": frozenset(),
    "rejected": frozenset(),
}
"""The claim lifecycle: reported → documents complete → assessed → settled, or rejected before settling."""


def can_move(current: str, to: str) -> bool:
    return to in NEXT_STATUS.get(current, frozenset())


# --- KPIs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExposureGroup:
    """Entries of a term that share a district and cover dates, and their premium."""

    district_code: str
    cover_from: date
    cover_until: date | None
    entries: int
    premium_fen: int


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
) -> Kpis:
    """A term's KPIs up to `as_of` (see docs/insurance.md for every formula): cover up to `as_of`, claims
    reported up to `reported_by` (default `as_of`; later for a past term, whose claims are still reported
    after its last day)."""
    live = [
        g for g in groups if g.cover_from <= as_of and not (g.cover_until and g.cover_until < g.cover_from)
    ]
    days = sum(g.entries * covered_days(g.cover_from, g.cover_until, year=year, as_of=as_of) for g in live)
    exposure = person_years(days, year)
    months = [date(year, m, 1) for m in range(1, as_of.month + 1)] if as_of.year == year else []
    monthly = tuple(
        MonthChanges(
            month_label(month),
            sum(g.entries for g in live if first_of_month(g.cover_from) == month),
            sum(
                g.entries
                for g in live
                if g.cover_until is not None and g.cover_until < as_of and next_month(g.cover_until) == month
            ),
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
        insured_on_as_of=sum(g.entries for g in live if g.cover_until is None or g.cover_until >= as_of),
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
