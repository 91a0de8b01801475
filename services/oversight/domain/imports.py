"""Other departments' files, row by row: which columns each source has, what a valid row is, and the report.

A row is accepted whole or rejected with every field that is wrong (row number as in the file: the header is
row 1). A resident ID is validated to its canonical form and never echoed in a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from shared.errors import FieldIssue, InvalidInput
from shared.resident_id import validate_resident_id

Source = Literal["deaths", "vehicles", "real_estate", "business", "payroll", "prisons", "poverty"]
Mode = Literal["all_or_nothing", "good_rows_only"]

MAX_CELL_CHARACTERS = 200
_ASCII_DIGITS = frozenset("0123456789")
_MAX_YUAN = Decimal(1_000_000_000)
_MAX_AREA = Decimal(100_000)
_EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class Rejection:
    row: int
    field: str
    reason: str


@dataclass
class Record:
    """An accepted row: the person's canonical resident ID (hashed before it is kept) and the row's facts."""

    row: int
    resident_id: str
    kind: str = ""
    detail: str | None = None
    district_code: str | None = None
    on_date: date | None = None
    until_date: date | None = None
    amount_fen: int | None = None
    area_m2: Decimal | None = None


class BadCell(ValueError):
    """A cell that does not hold what its column needs; the message says what it should hold."""


Parser = Callable[[str, date], object]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    target: str
    required: bool = True


@dataclass
class Parsed:
    records: list[Record] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    rows_total: int = 0


def one_of(*choices: str) -> Parser:
    def parse(cell: str, _today: date) -> str:
        if cell not in choices:
            raise BadCell(f"one of {', '.join(choices)}")
        return cell

    return parse


def day(cell: str, today: date) -> date:
    if len(cell) != 10 or not all(c in _ASCII_DIGITS for c in cell[:4] + cell[5:7] + cell[8:]):
        raise BadCell("a date as YYYY-MM-DD")
    try:
        value = date.fromisoformat(cell)
    except ValueError:
        raise BadCell("a real date as YYYY-MM-DD") from None
    if not _EARLIEST <= value <= today:
        raise BadCell(f"a date from {_EARLIEST.isoformat()} to today")
    return value


def _decimal(cell: str, ceiling: Decimal, what: str) -> Decimal:
    if not cell or not all(c in _ASCII_DIGITS or c == "." for c in cell):
        raise BadCell(f"{what} in ASCII digits, e.g. 1234.50")
    try:
        value = Decimal(cell)
    except InvalidOperation:
        raise BadCell(f"{what} in ASCII digits, e.g. 1234.50") from None
    exponent = value.as_tuple().exponent
    if value > ceiling or not isinstance(exponent, int) or exponent < -2:
        raise BadCell(f"{what} of at most {ceiling} with at most 2 decimals")
    return value


def yuan(cell: str, _today: date) -> int:
    """An amount in yuan (元) with up to 2 decimals, kept exactly as fen."""
    return int(_decimal(cell, _MAX_YUAN, "an amount in yuan") * 100)


def area(cell: str, _today: date) -> Decimal:
    value = _decimal(cell, _MAX_AREA, "a floor area in m²")
    if value == 0:
        raise BadCell("a floor area above 0 m²")
    return value


def district(cell: str, _today: date) -> str:
    if len(cell) != 6 or not all(c in _ASCII_DIGITS for c in cell):
        raise BadCell("a 6-digit district code")
    return cell


SOURCES: dict[Source, tuple[str, Sequence[Column]]] = {
    "deaths": (
        "Deaths and cancelled household registrations (公安/卫健)",
        (Column("event", one_of("death", "cancelled"), "kind"), Column("on", day, "on_date")),
    ),
    "vehicles": (
        "Registered motor vehicles (公安交管)",
        (
            Column(
                "vehicle_type", one_of("car", "truck", "motorcycle", "disabled_mobility", "other"), "kind"
            ),
            Column("value_yuan", yuan, "amount_fen"),
        ),
    ),
    "real_estate": (
        "Real estate registrations (不动产登记)",
        (
            Column("property_type", one_of("dwelling", "shop_front"), "kind"),
            Column("floor_area_m2", area, "area_m2"),
            Column("acquired_on", day, "on_date"),
            Column(
                "acquisition",
                one_of("purchase", "self_built", "inherited", "disaster_rebuild", "state_demolition"),
                "detail",
            ),
        ),
    ),
    "business": (
        "Business registry (市场监管)",
        (
            Column("role", one_of("legal_representative", "shareholder", "sole_proprietor"), "kind"),
            Column("status", one_of("active", "deregistered"), "detail"),
            Column("registered_on", day, "on_date"),
        ),
    ),
    "payroll": (
        "Public payroll: staff paid from the state budget, village cadres (财政供养)",
        (
            Column(
                "employer_kind",
                one_of("government", "public_institution", "civil_affairs", "village_cadre"),
                "kind",
            ),
            Column("monthly_wage_yuan", yuan, "amount_fen"),
        ),
    ),
    "prisons": (
        "Prisons and compulsory rehabilitation (司法)",
        (
            Column("custody", one_of("prison", "rehabilitation"), "kind"),
            Column("from", day, "on_date"),
            Column("until", day, "until_date", required=False),
        ),
    ),
    "poverty": (
        "Poverty-alleviation lists (乡村振兴): households found poor by another department",
        (
            Column("district_code", district, "district_code"),
            Column("monthly_income_per_capita_yuan", yuan, "amount_fen"),
        ),
    ),
}
"""Each source: what it is, and its columns beside `id_number` (any order; an optional column may be absent)."""

ID_COLUMN = "id_number"


def parse_rows(source: Source, rows: Sequence[Sequence[str]], *, today: date) -> Parsed:
    """Check the header, then every data row; `rows[0]` is the header."""
    columns = SOURCES[source][1]
    positions = _positions(rows[0], columns)
    parsed = Parsed(rows_total=len(rows) - 1)
    for number, row in enumerate(rows[1:], start=2):
        record = Record(row=number, resident_id="", kind="poverty_list" if source == "poverty" else "")
        problems: list[Rejection] = []
        resident = _cell(row, positions[ID_COLUMN])
        try:
            record.resident_id = validate_resident_id(resident, field=ID_COLUMN, today=today)
        except InvalidInput as invalid:
            problems.extend(Rejection(number, i.field, i.message) for i in invalid.errors)
        for column in columns:
            cell = _cell(row, positions.get(column.name))
            if not cell and not column.required:
                continue
            try:
                if len(cell) > MAX_CELL_CHARACTERS:
                    raise BadCell(f"at most {MAX_CELL_CHARACTERS} characters")
                if not cell:
                    raise BadCell("a value (the cell is empty)")
                setattr(record, column.target, column.parse(cell, today))
            except BadCell as bad:
                problems.append(Rejection(number, column.name, f"must be {bad}"))
        if (
            record.until_date is not None
            and record.on_date is not None
            and record.until_date < record.on_date
        ):
            problems.append(Rejection(number, "until", "must not be before from"))
        if problems:
            parsed.rejections.extend(problems)
        else:
            parsed.records.append(record)
    return parsed


def _positions(header: Sequence[str], columns: Sequence[Column]) -> dict[str, int]:
    names = [ID_COLUMN, *(c.name for c in columns)]
    required = [ID_COLUMN, *(c.name for c in columns if c.required)]
    issues = [
        FieldIssue(f"columns.{name}", "missing", "the header has no such column")
        for name in required
        if name not in header
    ]
    issues += [
        FieldIssue(
            f"columns.{name or index + 1}",
            "unknown",
            f"not a column of this source; its columns: {', '.join(names)}",
        )
        for index, name in enumerate(header)
        if name not in names
    ]
    issues += [
        FieldIssue(f"columns.{name}", "repeated", "the header names this column twice")
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    if issues:
        raise InvalidInput("the file's header does not match its source", errors=issues)
    return {name: header.index(name) for name in names if name in header}


def _cell(row: Sequence[str], position: int | None) -> str:
    return row[position] if position is not None and position < len(row) else ""
