"""The KPIs: the care rate (集中供养率) at any day, per district and over the caller's scope, against the
targets, with a monthly trend; bed occupancy and utilisation per facility and district."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

from services.facilities.domain.kpis import Target, next_target, share, target_in_force, trend_days
from services.facilities.repository import kpis as kpi_queries
from services.facilities.schemas.kpis import (
    CareRateOut,
    CareRateReportOut,
    OccupancyOut,
    OccupancyReportOut,
    TargetOut,
    TrendPointOut,
)
from services.facilities.service.common import scope
from shared.auth import Principal
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import FieldIssue, InvalidInput


def _target(target: Target | None) -> TargetOut | None:
    return None if target is None else TargetOut(due_on=target.due_on, rate=target.rate)


def _rate(district: str | None, on: date, disabled: int, placed: int, targets: list[Target]) -> CareRateOut:
    rate, due = share(placed, disabled), target_in_force(targets, on)
    return CareRateOut(
        district_code=district,
        on=on,
        disabled_persons=disabled,
        in_facilities=placed,
        rate=rate,
        target_in_force=_target(due),
        meets_target=None if rate is None or due is None else rate >= due.rate,
        next_target=_target(next_target(targets, on)),
    )


async def care_rate(
    uow: UnitOfWork,
    caller: Principal,
    *,
    on: date,
    district_code: str | None,
    trend_from: str | None,
    trend_to: str | None,
) -> CareRateReportOut:
    """Counts come from one statement over every day asked for (`on` and each trend month's last day)."""
    try:
        first = YearMonth.parse(trend_from) if trend_from else YearMonth.of(on).plus(-11)
        days = trend_days(first, YearMonth.parse(trend_to) if trend_to else YearMonth.of(on))
    except ValueError as error:
        raise InvalidInput(str(error), errors=[FieldIssue("trend_from", "TREND_RANGE", str(error))]) from None
    async with uow:
        seen = scope(caller, district_code).districts
        rows = await kpi_queries.care_rate_counts(
            uow.session, sorted({on, *days}), seen, district_code=district_code
        )
        targets = [Target(t.due_on, t.rate) for t in await kpi_queries.targets(uow.session)]
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        totals[row.day][0] += row.disabled
        totals[row.day][1] += row.in_facilities
    disabled, placed = totals[on]
    return CareRateReportOut(
        overall=_rate(district_code, on, disabled, placed, targets),
        districts=[]
        if district_code is not None
        else [_rate(r.district_code, on, r.disabled, r.in_facilities, targets) for r in rows if r.day == on],
        trend=[
            TrendPointOut(
                month=YearMonth.of(day).label,
                disabled_persons=totals[day][0],
                in_facilities=totals[day][1],
                rate=share(totals[day][1], totals[day][0]),
            )
            for day in days
        ],
    )


def _occupancy(
    row_id: UUID | None, name: str | None, district: str, status: str | None, counts: list[int]
) -> OccupancyOut:
    beds, available, occupied = counts
    return OccupancyOut(
        facility_id=row_id,
        name=name,
        district_code=district,
        status=status,
        beds=beds,
        available=available,
        occupied=occupied,
        occupancy=share(occupied, beds),
        utilisation=share(occupied, available),
    )


async def occupancy(
    uow: UnitOfWork, caller: Principal, *, on: date, district_code: str | None
) -> OccupancyReportOut:
    async with uow:
        rows = await kpi_queries.occupancy(
            uow.session, on, scope(caller, district_code), district_code=district_code
        )
    per_district: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        sums = per_district[row.district_code]
        sums[0] += row.beds
        sums[1] += row.available
        sums[2] += row.occupied
    return OccupancyReportOut(
        on=on,
        facilities=[
            _occupancy(r.id, r.name, r.district_code, r.status, [r.beds, r.available, r.occupied])
            for r in rows
        ],
        districts=[_occupancy(None, None, d, None, sums) for d, sums in sorted(per_district.items())],
    )
