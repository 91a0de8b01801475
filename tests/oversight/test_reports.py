"""The monthly information report (信息报送): December's, made on 1 January, has in CSV and in XLSX the figures
the KPI API answers and the month's counts; no cell can start a formula; bad requests are problems."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from services.oversight.domain.reports import COLUMNS, ReportRow, csv_lines, xlsx_bytes
from tests.kit.oversight import DISTRICT, OTHER_DISTRICT, Oversight, serve_on
from tests.kit.oversight_kpis import kpi_city

NEW_YEAR = date(2027, 1, 1)


def _number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def from_csv(content: bytes) -> list[tuple[Any, ...]]:
    header, *lines = list(csv.reader(io.StringIO(content.decode())))
    assert tuple(header) == COLUMNS
    return [(*line[:5], *(_number(c) for c in line[5:])) for line in lines]


def from_xlsx(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    header, *lines = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert header == COLUMNS
    padded = [
        (*line, *[None] * (len(COLUMNS) - len(line))) for line in lines
    ]  # trailing empty cells are left out
    return [(*line[:5], *(None if c is None else float(c) for c in line[5:])) for line in padded]


async def test_decembers_report_made_on_new_years_day_has_the_kpi_apis_figures(
    oversight: Oversight, keys: Path
) -> None:
    await kpi_city(oversight)
    async with serve_on(NEW_YEAR, oversight, keys) as served:
        auditor = served.token("auditor")
        kpis = (await served.client.get("/v1/kpis?month=2026-12", headers=auditor)).json()
        as_csv = await served.client.get("/v1/reports/monthly?month=2026-12&format=csv", headers=auditor)
        as_xlsx = await served.client.get("/v1/reports/monthly?month=2026-12&format=xlsx", headers=auditor)
    assert as_csv.status_code == as_xlsx.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="oversight-monthly-2026-12-all.xlsx"' in as_xlsx.headers["content-disposition"]
    rows = from_csv(as_csv.content)
    assert from_xlsx(as_xlsx.content) == rows
    assert {(r[0], r[1]) for r in rows} == {("2026-12", "2026-12-31")}

    kpi_rows = {(r[2], r[4]): r[5:] for r in rows if r[3] == "kpi"}
    expected = {
        (f["district_code"] or "all", k["kpi"]): (f["value"], f["numerator"], f["denominator"], f["target"])
        for k in kpis["kpis"]
        for f in (*k["districts"], k["total"])
    }
    assert kpi_rows == expected
    assert kpi_rows[DISTRICT, "coverage"] == (round(5 / 6, 4), 5, 6, 1.0)  # e1 ended with November
    assert kpi_rows["all", "payment_timeliness"] == (0.5, 1, 2, 1.0)  # a1 on the 9th, p1 on the 11th

    counts = {(r[2], r[3], r[4]): r[5] for r in rows if r[3] != "kpi"}
    assert counts == {
        (DISTRICT, "cases_active", "dibao"): 1,
        (DISTRICT, "cases_active", "tekun"): 3,
        (DISTRICT, "beneficiaries_active", "dibao"): 2,
        (DISTRICT, "beneficiaries_active", "tekun"): 3,
        (DISTRICT, "beneficiaries_ended", "dibao"): 1,
        (DISTRICT, "paid_fen", "dibao"): 40_000,
        (OTHER_DISTRICT, "cases_active", "dibao"): 1,
        (OTHER_DISTRICT, "cases_active", "tekun"): 1,
        (OTHER_DISTRICT, "beneficiaries_active", "dibao"): 1,
        (OTHER_DISTRICT, "beneficiaries_active", "tekun"): 1,
        (OTHER_DISTRICT, "paid_fen", "dibao"): 40_000,
        ("all", "cases_active", "dibao"): 2,
        ("all", "cases_active", "tekun"): 4,
        ("all", "beneficiaries_active", "dibao"): 3,
        ("all", "beneficiaries_active", "tekun"): 4,
        ("all", "beneficiaries_ended", "dibao"): 1,
        ("all", "paid_fen", "dibao"): 80_000,
    }


async def test_novembers_counts_include_new_findings_problems_and_back_pay(
    oversight: Oversight, keys: Path
) -> None:
    await kpi_city(oversight)
    async with serve_on(NEW_YEAR, oversight, keys) as served:
        answer = await served.client.get(
            f"/v1/reports/monthly?month=2026-11&district_code={OTHER_DISTRICT}",
            headers=served.token("auditor"),
        )
    counts = {(r[2], r[3], r[4]): r[5] for r in from_csv(answer.content) if r[3] != "kpi"}
    assert {k[0] for k in counts} == {OTHER_DISTRICT, "all"}
    assert counts[OTHER_DISTRICT, "findings_new", "low"] == 1  # p1's overdue review (R13)
    assert (counts[OTHER_DISTRICT, "problems", "opened"], counts[OTHER_DISTRICT, "problems", "closed"]) == (
        2,
        1,
    )
    assert counts[OTHER_DISTRICT, "paid_fen", "dibao"] == 40_000


def test_no_cell_can_start_a_formula() -> None:
    row = ReportRow("2026-12", "2026-12-31", "=1+1", "@SUM(A1)", "-2+3", -5, None, None, None)
    (line,) = list(csv_lines([row]))[1:]
    assert next(csv.reader([line])) == [
        "2026-12",
        "2026-12-31",
        "'=1+1",
        "'@SUM(A1)",
        "'-2+3",
        "-5",
        "",
        "",
        "",
    ]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([row], sheet="2026-12")), read_only=False).worksheets[0]
    cells = [c for c in sheet[2]]
    assert [c.value for c in cells[2:6]] == ["'=1+1", "'@SUM(A1)", "'-2+3", -5]
    assert [c.data_type for c in cells[2:6]] == ["s", "s", "s", "n"]


async def test_bad_report_requests_are_problems_naming_the_field(oversight: Oversight, keys: Path) -> None:
    async with serve_on(NEW_YEAR, oversight, keys) as served:
        auditor = served.token("auditor")
        for query, field in (
            ("month=2026-12&format=pdf", "format"),
            ("month=2027-02", "month"),
            ("format=csv", "month"),
            ("month=2026-12&district_code=x", "district_code"),
        ):
            answer = await served.client.get(f"/v1/reports/monthly?{query}", headers=auditor)
            assert answer.status_code == 422, query
            assert [e["field"] for e in answer.json()["errors"]] == [field]
