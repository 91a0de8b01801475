"""A calendar year from a CSV or YAML file or a request: every bad row named, nothing half-read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.eligibility.domain.calendar import NoticeDay, calendar_year, read_notice_file
from shared.errors import InvalidInput

TABLE_2027 = Path(__file__).parent / "data" / "calendar_2027.yaml"


def refused(filename: str, content: str, *, year: int | None = None) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as raised:
        read_notice_file(filename, content.encode(), year=year, notice=None)
    return [(issue.field, issue.rule) for issue in raised.value.errors]


def test_the_yaml_table_reads_whole() -> None:
    notice = read_notice_file(TABLE_2027.name, TABLE_2027.read_bytes(), year=None, notice=None)
    assert notice.year == 2027 and notice.notice == "test table (not the official notice)"
    year = calendar_year(2027, [(str(i), day) for i, day in enumerate(notice.days)])
    assert date(2027, 4, 5) in year.holidays and date(2027, 2, 14) in year.shifted_working_days
    assert len(year.holidays) + len(year.shifted_working_days) == len(notice.days) == 31


def test_a_csv_with_the_year_given_reads_whole() -> None:
    content = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-14,working_day,春节调休\n"
    notice = read_notice_file("2027.csv", content.encode("utf-8-sig"), year=2027, notice="国办发明电")
    assert notice.days == (
        NoticeDay(date(2027, 1, 1), "holiday", "元旦"),
        NoticeDay(date(2027, 2, 14), "working_day", "春节调休"),
    )
    assert notice.notice == "国办发明电"


def test_every_bad_row_is_named_at_once() -> None:
    content = (
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "2026-12-31,holiday,outside\n"  # row 3: not in 2027
        "2027-02-14,holiday,春节\n"  # row 4
        "2027-02-14,working_day,调休\n"  # row 5: both a holiday and worked
        "2027-03-03,working_day,\n"  # row 6: a Wednesday is worked anyway
        "2027-13-01,holiday,\n"  # row 7: no such date
        "2027-01-01,holiday,元旦\n"  # row 8: twice
        "2027-05-01,off,\n"  # row 9: unknown kind
    )
    assert refused("2027.csv", content, year=2027) == [
        ("row 7.date", "date"),
        ("row 9.kind", "kind"),
        ("row 3.date", "outside_year"),
        ("row 5.kind", "holiday_and_working_day"),
        ("row 6.date", "not_a_weekend"),
        ("row 8.date", "duplicate"),
    ]


def test_an_unknown_or_missing_column_refuses_the_file() -> None:
    assert refused("2027.csv", "date,kind,name,remark\n2027-01-01,holiday,,x\n", year=2027) == [
        ("column 'remark'", "unknown_column")
    ]
    assert refused("2027.csv", "day,name\n2027-01-01,x\n", year=2027) == [
        ("column 'day'", "unknown_column"),
        ("column 'date'", "missing_column"),
        ("column 'kind'", "missing_column"),
    ]


def test_the_year_must_be_said_real_and_agree() -> None:
    assert refused("x.csv", "date,kind\n2027-01-01,holiday\n") == [("year", "required")]
    assert refused("x.csv", "date,kind\n", year=1899) == [("year", "year_out_of_range")]
    assert ("year", "year_mismatch") in refused("x.yaml", "year: 2027\ndays: []\n", year=2028)
    assert refused("x.yaml", "year: 2027\nremark: x\ndays: []\n") == [("remark", "unknown_key")]


@pytest.mark.parametrize(
    ("filename", "content", "rule"),
    [
        ("x.txt", "date,kind\n", "format"),
        ("x.yaml", "year: [\n", "yaml"),
        ("x.yaml", "- a list\n", "yaml"),
    ],
)
def test_unreadable_files_are_refused(filename: str, content: str, rule: str) -> None:
    assert refused(filename, content, year=2027)[0][1] == rule


def test_non_ascii_digits_and_datetimes_are_not_dates() -> None:
    fullwidth = "date,kind\n２０２７-01-01,holiday\n"
    assert refused("x.csv", fullwidth, year=2027) == [("row 2.date", "date")]
    assert refused("x.yaml", "year: 2027\ndays:\n  - {date: 2027-01-01 10:00:00, kind: holiday}\n") == [
        ("days[0].date", "date")
    ]


def test_a_request_names_its_rows_by_index() -> None:
    rows = [
        ("days[0]", NoticeDay(date(2028, 1, 1), "holiday")),
        ("days[1]", NoticeDay(date(2027, 1, 4), "working_day")),
    ]
    with pytest.raises(InvalidInput) as raised:
        calendar_year(2027, rows)
    assert [(i.field, i.rule) for i in raised.value.errors] == [
        ("days[0].date", "outside_year"),
        ("days[1].date", "not_a_weekend"),
    ]
