"""Use cases of the district KPIs: read them for a period within the caller's districts, and set a target
(audited). The dashboard and the monthly report read the same answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.oversight.domain.kpis import (
    KPI_NAMES,
    KPIS,
    KpiName,
    Period,
    default_target,
    meets,
    period,
    value_of,
)
from services.oversight.repository import kpis as kpi_queries
from services.oversight.schemas.kpis import Figure, KpiOut, KpiReportOut, TargetIn, TargetOut
from shared import audit
from shared.auth import Principal
from shared.contracts.types import YearMonth
from shared.db import Scope, UnitOfWork
from shared.errors import FieldIssue, Forbidden, InvalidInput

CITY = "city"
"""The scope of a city-wide target in `kpi_targets`."""


def scope_of(caller: Principal, district_code: str | None) -> Scope:
    """The districts an answer covers: the one asked for (403 outside the caller's), or all of theirs."""
    if district_code is None:
        return caller.district_scope
    if not caller.can_access_district(district_code):
        raise Forbidden(
            f"district {district_code} is outside the caller's scope",
            errors=[FieldIssue("district_code", "OUT_OF_SCOPE", "not one of the token's districts")],
        )
    return frozenset({district_code})


def period_of(month: str, through: str | None, *, today: date) -> Period:
    return period(YearMonth.parse(month), YearMonth.parse(through) if through else None, today=today)


async def read_kpis(
    uow: UnitOfWork,
    caller: Principal,
    *,
    month: str,
    through: str | None,
    district_code: str | None,
    today: date,
) -> KpiReportOut:
    """Every KPI per district of the answer's scope and in total (numerators and denominators summed)."""
    scope = scope_of(caller, district_code)
    chosen = period_of(month, through, today=today)
    async with uow:
        counted = {kpi: await kpi_queries.counts(uow.session, kpi, chosen, scope) for kpi in KPI_NAMES}
        targets = await kpi_queries.targets(uow.session, chosen.as_of)
    districts = sorted({d for per_district in counted.values() for d in per_district} | (scope or set()))

    def target(kpi: KpiName, district: str | None) -> float | None:
        for key in ((kpi, district), (kpi, CITY)) if district else ((kpi, CITY),):
            if key in targets:
                return targets[key]
        return default_target(kpi, chosen.as_of)

    def figure(kpi: KpiName, district: str | None, numerator: float, denominator: float | None) -> Figure:
        value, goal = value_of(kpi, numerator, denominator), target(kpi, district)
        return Figure(
            district_code=district,
            value=value,
            numerator=numerator,
            denominator=None if denominator is None else round(denominator, 6),  # person-years are fractions
            target=goal,
            meets=meets(kpi, value, goal),
        )

    kpis = []
    for kpi in KPI_NAMES:
        info, per_district = KPIS[kpi], counted[kpi]
        count = info.unit == "count"
        rows = [per_district.get(d, (0.0, None if count else 0.0)) for d in districts]
        total_denominator = None if count else sum(d or 0.0 for _, d in rows)
        kpis.append(
            KpiOut(
                kpi=kpi,
                title=info.title,
                unit=info.unit,
                higher_is_better=info.higher_is_better,
                total=figure(kpi, None, sum(n for n, _ in rows), total_denominator),
                districts=[figure(kpi, d, n, den) for d, (n, den) in zip(districts, rows, strict=True)],
            )
        )
    return KpiReportOut(
        month=YearMonth.of(chosen.first).label,
        through=YearMonth.of(chosen.last).label,
        first_day=chosen.first,
        last_day=chosen.last,
        as_of=chosen.as_of,
        district_code=district_code,
        kpis=kpis,
    )


async def set_target(uow: UnitOfWork, caller: Principal, body: TargetIn) -> TargetOut:
    """A KPI's target from a day on, for a district or city-wide; audited."""
    if KPIS[body.kpi].unit == "share" and body.target > 1:
        raise InvalidInput(
            f"{body.kpi} is a share: its target is 0 to 1",
            errors=[FieldIssue("target", "share", "a share's target is 0 to 1 (0.5 = 50 %)")],
        )
    scope = body.district_code or CITY
    async with uow:
        await kpi_queries.set_target(
            uow.session,
            kpi=body.kpi,
            scope=scope,
            effective_from=body.effective_from,
            target=body.target,
            by=caller.subject,
            at=datetime.now(UTC),
        )
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="kpis.target_set",
            subject_type="kpi_target",
            subject_id=f"{body.kpi}/{scope}/{body.effective_from.isoformat()}",
            district_code=body.district_code,
            details={"target": body.target},
        )
        await uow.commit()
    return TargetOut(**body.model_dump(), set_by=caller.subject)
