"""The district KPIs: what each one is, its default targets (DOMAIN.md), the period it is read over, and how
a value and its verdict follow from a numerator, a denominator and a target (docs/oversight.md, KPIs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from shared.contracts.types import YearMonth
from shared.errors import FieldIssue, InvalidInput

KpiName = Literal[
    "coverage",
    "decision_timeliness",
    "payment_timeliness",
    "temporary_response_days",
    "care_rate",
    "insurance_timeliness",
    "claim_rate",
    "open_problems",
    "overdue_problems",
    "findings_per_1000_cases",
]
KPI_NAMES: tuple[KpiName, ...] = get_args(KpiName)

Unit = Literal["share", "per_person_year", "per_1000_cases", "count", "days"]
_SCALE: dict[Unit, int] = {"share": 1, "per_person_year": 1, "per_1000_cases": 1000, "count": 1, "days": 1}

EARLIEST_MONTH = YearMonth(2018, 1)
"""The special rectification began in 2018 (渝民发〔2018〕27号): no KPI is read for a month before it."""

MAX_MONTHS = 12
"""The longest period one request reads: a year, as the monthly and annual reports need."""

ACCIDENT_REPORT_DAYS = 2
"""报案时效: an accident is reported in time within 48 hours (DOMAIN.md default); the events carry dates only,
so a claim reported by the second day after the incident is in time (as the insurance service counts it)."""

PAYMENT_DAY = 10
"""Benefits are credited by the 10th of the month they are for (DOMAIN.md, Payments)."""


@dataclass(frozen=True, slots=True)
class KpiInfo:
    title: str
    unit: Unit
    higher_is_better: bool
    default_targets: tuple[tuple[date, float], ...] = ()
    """(from, target): the latest on or before a day holds; none before the first."""


_ALWAYS = date(2018, 1, 1)

KPIS: dict[KpiName, KpiInfo] = {
    "coverage": KpiInfo("Coverage (应保尽保)", "share", True, ((_ALWAYS, 1.0),)),
    "decision_timeliness": KpiInfo(
        "Approvals decided within the statutory period", "share", True, ((_ALWAYS, 1.0),)
    ),
    "payment_timeliness": KpiInfo("Payments credited by the 10th", "share", True, ((_ALWAYS, 1.0),)),
    "temporary_response_days": KpiInfo("Temporary assistance: days from request to grant", "days", False),
    "care_rate": KpiInfo(
        "Care rate (集中供养率)", "share", True, ((date(2018, 12, 31), 0.25), (date(2020, 12, 31), 0.5))
    ),
    "insurance_timeliness": KpiInfo(
        "Accidents reported within 48 h (报案时效)", "share", True, ((_ALWAYS, 1.0),)
    ),
    "claim_rate": KpiInfo("Claims per insured person-year (出险率)", "per_person_year", False),
    "open_problems": KpiInfo("Open problems (问题清单)", "count", False),
    "overdue_problems": KpiInfo("Overdue rectifications", "count", False, ((_ALWAYS, 0.0),)),
    "findings_per_1000_cases": KpiInfo("Findings per 1,000 cases", "per_1000_cases", False),
}


@dataclass(frozen=True, slots=True)
class Period:
    """The months a KPI is read over: flows (payments, claims, findings) count within `first`..`last`,
    stocks (who is covered, cared for, open) are read on `as_of`, the last day not after today."""

    first: date
    last: date
    as_of: date

    @property
    def as_of_month(self) -> date:
        return YearMonth.of(self.as_of).first_day

    @property
    def label(self) -> str:
        first, last = YearMonth.of(self.first).label, YearMonth.of(self.last).label
        return first if first == last else f"{first}..{last}"


def period(month: YearMonth, through: YearMonth | None, *, today: date) -> Period:
    """The period from `month` to `through` (default `month` itself), refused when it starts before 2018, ends
    after today's month, runs backwards or spans more than a year."""
    last = through or month
    current = YearMonth.of(today)
    if month < EARLIEST_MONTH or month > current:
        raise InvalidInput(
            "a KPI month is from 2018-01 to this month",
            errors=[FieldIssue("month", "range", f"from {EARLIEST_MONTH.label} to {current.label}")],
        )
    if last < month or last > current or month.plus(MAX_MONTHS - 1) < last:
        raise InvalidInput(
            "the period runs from month through at most 12 months, not past this month",
            errors=[
                FieldIssue(
                    "through", "range", f"from month to {MAX_MONTHS} months on, not after {current.label}"
                )
            ],
        )
    return Period(first=month.first_day, last=last.last_day, as_of=min(last.last_day, today))


def value_of(kpi: KpiName, numerator: float, denominator: float | None) -> float | None:
    """The KPI's value, rounded to 4 places; None when there is nothing to divide by."""
    info = KPIS[kpi]
    if info.unit == "count":
        return float(numerator)
    if not denominator:
        return None
    return round(numerator / denominator * _SCALE[info.unit], 4)


def default_target(kpi: KpiName, on: date) -> float | None:
    held = [target for since, target in KPIS[kpi].default_targets if since <= on]
    return held[-1] if held else None


def meets(kpi: KpiName, value: float | None, target: float | None) -> bool | None:
    """Whether the value reaches its target (at least it, or at most it when lower is better)."""
    if value is None or target is None:
        return None
    return value >= target if KPIS[kpi].higher_is_better else value <= target
