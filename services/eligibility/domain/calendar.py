"""A year of the working-day calendar as the bureau enters it from the State Council's notice (节假日安排).

Each listed day is a holiday (放假) or a weekend day worked in exchange (调休上班). A year is refused
whole, every bad row named, when it is outside 2000–2100, a day lies outside the year, a day is
listed twice or as both, or a "working day" is not a weekend day (a weekday is worked anyway).
Files are CSV (`date,kind,name`, the year given separately) or YAML (`year`, `notice`, `days`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

import yaml

from shared.errors import FieldIssue, InvalidInput
from shared.workdays import SATURDAY, CalendarYear

DayKind = Literal["holiday", "working_day"]
FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_MAX = 64
NOTICE_MAX = 200
MAX_DAYS = 366
CSV_COLUMNS = ("date", "kind", "name")
YAML_KEYS = ("year", "notice", "days")


@dataclass(frozen=True, slots=True)
class NoticeDay:
    on: date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """What a calendar file says: the year, where it comes from, and its days."""

    year: int
    notice: str | None
    days: tuple[NoticeDay, ...]


Row = tuple[str, NoticeDay]
"""A listed day with the label that names it in an error: `days[3]` in a request, `row 5` in a CSV file."""


def year_issues(year: int) -> list[FieldIssue]:
    if FIRST_YEAR <= year <= LAST_YEAR:
        return []
    return [FieldIssue("year", "year_out_of_range", f"{year} is not a year from {FIRST_YEAR} to {LAST_YEAR}")]


def day_issues(year: int, rows: Sequence[Row]) -> list[FieldIssue]:
    """What is wrong with the listed days of `year`, each problem under its row's label."""
    issues = []
    if len(rows) > MAX_DAYS:
        issues.append(FieldIssue("days", "too_many", f"at most {MAX_DAYS} days, got {len(rows)}"))
    seen: dict[date, DayKind] = {}
    for row, day in rows:
        if day.on.year != year:
            issues.append(FieldIssue(f"{row}.date", "outside_year", f"{day.on} is not in {year}"))
        if day.kind == "working_day" and day.on.weekday() < SATURDAY:
            issues.append(
                FieldIssue(f"{row}.date", "not_a_weekend", f"{day.on} is a weekday: it is worked anyway")
            )
        earlier = seen.get(day.on)
        if earlier == day.kind:
            issues.append(FieldIssue(f"{row}.date", "duplicate", f"{day.on} is listed twice"))
        elif earlier is not None:
            issues.append(
                FieldIssue(f"{row}.kind", "holiday_and_working_day", f"{day.on} is both a holiday and worked")
            )
        seen[day.on] = day.kind
    return issues


def calendar_year(year: int, rows: Sequence[Row]) -> CalendarYear:
    """The year the notice describes, or `InvalidInput` naming every bad row."""
    if issues := year_issues(year) + day_issues(year, rows):
        raise InvalidInput(f"the {year} calendar is refused; nothing was stored", errors=issues)
    return CalendarYear(
        year,
        frozenset(day.on for _, day in rows if day.kind == "holiday"),
        frozenset(day.on for _, day in rows if day.kind == "working_day"),
        source="loaded",
    )


def read_notice_file(filename: str, content: bytes, *, year: int | None, notice: str | None) -> Notice:
    """Parse and check a CSV or YAML calendar file; `InvalidInput` names every bad row and field."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the file is not UTF-8", errors=[FieldIssue("file", "encoding", "not UTF-8")]
        ) from None
    if filename.lower().endswith((".yaml", ".yml")):
        return _read_yaml(text, year=year, notice=notice)
    if filename.lower().endswith(".csv"):
        return _read_csv(text, year=year, notice=notice)
    raise InvalidInput(
        "a calendar file is .csv or .yaml",
        errors=[FieldIssue("file", "format", f"{filename}: expected a .csv, .yaml or .yml file")],
    )


def _day(raw: dict[str, Any], row: str, issues: list[FieldIssue]) -> NoticeDay | None:
    """One listed day from a mapping of its fields; problems go to `issues`."""
    on, kind, name = raw.get("date"), raw.get("kind"), raw.get("name") or ""
    found = len(issues)
    if isinstance(on, str):
        try:
            # fromisoformat accepts other scripts' digits; a date in a file is ASCII.
            on = date.fromisoformat(on.strip()) if on.strip().isascii() else None
        except ValueError:
            on = None
    if not isinstance(on, date) or isinstance(on, datetime):
        issues.append(FieldIssue(f"{row}.date", "date", f"{raw.get('date')!r} is not a YYYY-MM-DD date"))
    if kind not in get_args(DayKind):
        issues.append(FieldIssue(f"{row}.kind", "kind", f"{kind!r} is not holiday or working_day"))
    if not isinstance(name, str) or len(name) > NAME_MAX or "\x00" in name:
        issues.append(FieldIssue(f"{row}.name", "name", f"a name is text of at most {NAME_MAX} characters"))
    if len(issues) > found:
        return None
    assert isinstance(on, date) and kind in ("holiday", "working_day")
    return NoticeDay(on, kind, name.strip())


def _finish(year: int | None, notice: str | None, rows: list[Row], issues: list[FieldIssue]) -> Notice:
    if year is None:
        if not any(issue.field == "year" for issue in issues):
            issues.append(FieldIssue("year", "required", "say which year the file is for (--year)"))
    else:
        issues += year_issues(year) + day_issues(year, rows)
    if notice is not None and len(notice) > NOTICE_MAX:
        issues.append(FieldIssue("notice", "too_long", f"at most {NOTICE_MAX} characters"))
    if issues:
        raise InvalidInput("the calendar file is refused; nothing was stored", errors=issues)
    assert year is not None
    return Notice(year, notice, tuple(day for _, day in rows))


def _refused(issues: list[FieldIssue]) -> InvalidInput:
    return InvalidInput("the calendar file is refused; nothing was stored", errors=issues)


def _read_csv(text: str, *, year: int | None, notice: str | None) -> Notice:
    reader = csv.DictReader(io.StringIO(text))
    columns = tuple(reader.fieldnames or ())
    issues = [
        FieldIssue(f"column {name!r}", "unknown_column", f"columns are {', '.join(CSV_COLUMNS)}")
        for name in columns
        if name not in CSV_COLUMNS
    ]
    issues += [
        FieldIssue(f"column {name!r}", "missing_column", "every row needs it")
        for name in ("date", "kind")
        if name not in columns
    ]
    if issues:
        raise _refused(issues)
    rows: list[Row] = []
    for line, raw in enumerate(reader, start=2):
        label = f"row {line}"
        if None in raw:
            issues.append(FieldIssue(label, "extra_values", "more values than columns"))
        elif (day := _day(dict(raw), label, issues)) is not None:
            rows.append((label, day))
    return _finish(year, notice, rows, issues)


def _read_yaml(text: str, *, year: int | None, notice: str | None) -> Notice:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _refused([FieldIssue("file", "yaml", str(exc))]) from None
    if not isinstance(document, dict):
        raise _refused([FieldIssue("file", "yaml", f"expected the keys {', '.join(YAML_KEYS)}")])
    issues = [
        FieldIssue(str(key), "unknown_key", f"keys are {', '.join(YAML_KEYS)}")
        for key in document
        if key not in YAML_KEYS
    ]
    stated = document.get("year", year)
    if not isinstance(stated, int) or (year is not None and stated != year):
        issues.append(FieldIssue("year", "year_mismatch", f"the file says {stated!r}, the command {year}"))
        stated = None
    raw_days = document.get("days") or []
    if not isinstance(raw_days, list):
        issues.append(FieldIssue("days", "list", "days is a list of date, kind and name"))
        raw_days = []
    rows: list[Row] = []
    for i, raw in enumerate(raw_days):
        label = f"days[{i}]"
        if not isinstance(raw, dict) or any(key not in CSV_COLUMNS for key in raw):
            issues.append(FieldIssue(label, "unknown_key", f"each day has {', '.join(CSV_COLUMNS)}"))
        elif (day := _day(raw, label, issues)) is not None:
            rows.append((label, day))
    stated_notice = document.get("notice", notice)
    return _finish(stated, None if stated_notice is None else str(stated_notice), rows, issues)
