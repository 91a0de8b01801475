"""Use case of the monthly information report (信息报送): the KPI figures and the counts a bureau reports each
month, per district of the caller's scope and in total; the same figures the KPI API answers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from services.oversight.domain.reports import TOTAL, ReportRow
from services.oversight.repository import reports as report_queries
from services.oversight.service.kpis import period_of, read_kpis, scope_of
from shared.auth import Principal
from shared.db import UnitOfWork

SECTIONS = (
    "cases_active",
    "beneficiaries_active",
    "cases_new",
    "beneficiaries_ended",
    "paid_fen",
    "findings_new",
    "problems",
)
"""The counts after the KPIs, in this order; docs/oversight.md (Monthly report) says what each counts."""


async def monthly_report(
    uow: UnitOfWork, caller: Principal, *, month: str, district_code: str | None, today: date
) -> list[ReportRow]:
    """Per district (sorted), then the total: every KPI, then every non-zero count."""
    kpis = await read_kpis(uow, caller, month=month, through=None, district_code=district_code, today=today)
    chosen = period_of(month, None, today=today)
    async with uow:
        counted = await report_queries.counts(uow.session, chosen, scope_of(caller, district_code))
    by_district: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for district, section, item, n in counted:
        by_district[district][section, item] += n
        by_district[TOTAL][section, item] += n
    figures = {(k.kpi, f.district_code or TOTAL): f for k in kpis.kpis for f in (*k.districts, k.total)}
    districts = sorted(({d for _, d in figures} | set(by_district)) - {TOTAL})
    as_of = kpis.as_of.isoformat()
    rows: list[ReportRow] = []
    for district in (*districts, TOTAL):
        for kpi in kpis.kpis:
            if (figure := figures.get((kpi.kpi, district))) is not None:
                rows.append(
                    ReportRow(
                        month=month,
                        as_of=as_of,
                        district_code=district,
                        section="kpi",
                        item=kpi.kpi,
                        value=figure.value,
                        numerator=figure.numerator,
                        denominator=figure.denominator,
                        target=figure.target,
                    )
                )
        counts = by_district.get(district, {})
        rows += [
            ReportRow(month=month, as_of=as_of, district_code=district, section=section, item=item, value=n)
            for section in SECTIONS
            for (of, item), n in sorted(counts.items())
            if of == section
        ]
    return rows
