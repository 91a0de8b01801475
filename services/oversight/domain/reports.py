"""The monthly information report (信息报送) as a table, written as CSV or XLSX; no cell can run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields

from openpyxl import Workbook

TOTAL = "all"
"""The district column of the rows that add up every district of the report."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One figure: a KPI (value, numerator, denominator, target) or a count (value only)."""

    month: str
    as_of: str
    district_code: str
    section: str
    item: str
    value: float | int | None
    numerator: float | None = None
    denominator: float | None = None
    target: float | None = None


COLUMNS = tuple(f.name for f in fields(ReportRow))


def inert(cell: str) -> str:
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe
    (OWASP, CSV injection); numbers are written as numbers and need none."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _cells(row: ReportRow) -> list[str | float | int | None]:
    return [inert(v) if isinstance(v, str) else v for v in astuple(row)]


def csv_lines(rows: Iterable[ReportRow]) -> Iterator[str]:
    """The header, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header: list[str | float | int | None] = list(COLUMNS)
    for cells in (header, *(_cells(r) for r in rows)):
        writer.writerow(["" if c is None else c for c in cells])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def xlsx_bytes(rows: Iterable[ReportRow], *, sheet: str) -> bytes:
    """One sheet named `sheet` (a month, YYYY-MM): the header, then one row per figure (numbers as numbers)."""
    book = Workbook(write_only=True)
    table = book.create_sheet(sheet)
    table.append(list(COLUMNS))
    for row in rows:
        table.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
