"""Imports of other departments' files: every rejected row named by row, field and reason; all-or-nothing
loads nothing from a file with a bad row, good-rows-only exactly the good ones; resident IDs kept only as
match keys and masks; bounds, formats, roles."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from services.oversight.domain.imports import parse_rows
from shared.errors import InvalidInput
from tests.kit.eligibility import resident_id
from tests.kit.oversight import TODAY, Oversight, Served, match_key, serve

CSV = {"Content-Type": "text/csv"}
XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DEAD = resident_id("500103", "19400101", "011")
ALIVE = resident_id("500104", "19610707", "022")
BAD_CHECK = DEAD[:-1] + ("0" if DEAD[-1] != "0" else "1")


def deaths_csv(*rows: str) -> bytes:
    return ("id_number,event,on\n" + "".join(f"{r}\n" for r in rows)).encode()


GOOD_AND_BAD = deaths_csv(
    f"{DEAD},death,2026-05-02",  # row 2
    f"{BAD_CHECK},death,2026-05-02",  # row 3: check character
    f"{ALIVE},moved,2026-13-01",  # row 4: two fields wrong
    f"{ALIVE},cancelled,2026-06-30",  # row 5
)


def test_every_wrong_field_of_a_row_is_named_and_no_resident_id_is_echoed() -> None:
    rows = [line.split(",") for line in GOOD_AND_BAD.decode().splitlines()]
    parsed = parse_rows("deaths", rows, today=TODAY)
    assert [r.row for r in parsed.records] == [2, 5]
    assert [(r.row, r.field) for r in parsed.rejections] == [(3, "id_number"), (4, "event"), (4, "on")]
    assert all(BAD_CHECK not in r.reason and ALIVE not in r.reason for r in parsed.rejections)
    future = parse_rows("deaths", [["id_number", "event", "on"], [DEAD, "death", "2026-11-17"]], today=TODAY)
    assert [(r.field, r.reason) for r in future.rejections] == [
        ("on", "must be a date from 1900-01-01 to today")
    ]


def test_a_header_that_does_not_match_its_source_names_each_column() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_rows(
            "prisons",
            [["id_number", "custody", "from", "from", "cell"], [DEAD, "prison", "2026-01-01"]],
            today=TODAY,
        )
    assert {(e.field, e.rule) for e in refused.value.errors} == {
        ("columns.cell", "unknown"),
        ("columns.from", "repeated"),
    }
    with pytest.raises(InvalidInput) as missing:
        parse_rows("prisons", [["id_number", "until"], [DEAD, "2026-01-01"]], today=TODAY)
    assert {e.field for e in missing.value.errors} == {
        "columns.custody",
        "columns.from",
    }  # `until` is optional


async def imported(served: Served, source: str, body: bytes, mode: str, headers: dict[str, str] = CSV) -> Any:
    return await served.client.post(
        "/v1/imports",
        params={"source": source, "mode": mode, "file_name": "deaths-2026-06.csv"},
        content=body,
        headers={**headers, **served.token("auditor")},
    )


async def test_all_or_nothing_loads_nothing_from_a_file_with_a_bad_row(
    oversight: Oversight, keys: Path
) -> None:
    async with serve(oversight, keys) as served:
        refused = await imported(served, "deaths", GOOD_AND_BAD, "all_or_nothing")
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert [e["field"] for e in problem["errors"]] == ["rows.3.id_number", "rows.4.event", "rows.4.on"]
        import_id = problem["detail"].split()[1]
        report = (await served.client.get(f"/v1/imports/{import_id}", headers=served.token("auditor"))).json()
    assert (report["status"], report["rows_total"], report["rows_loaded"], report["rows_rejected"]) == (
        "refused",
        4,
        0,
        2,
    )
    assert [(r["row"], r["field"]) for r in report["rejections"]] == [
        (3, "id_number"),
        (4, "event"),
        (4, "on"),
    ]
    assert await oversight.rows("SELECT count(*) FROM external_records") == [(0,)]
    audited = await oversight.rows("SELECT actor, action, subject_id, details->>'rows_loaded' FROM audit_log")
    assert audited == [("staff-1", "import.refused", import_id, "0")]


async def test_good_rows_only_loads_exactly_the_good_rows_as_match_keys(
    oversight: Oversight, keys: Path
) -> None:
    async with serve(oversight, keys) as served:
        loaded = await imported(served, "deaths", GOOD_AND_BAD, "good_rows_only")
        again = await imported(served, "deaths", GOOD_AND_BAD, "good_rows_only")
    assert loaded.status_code == 201, loaded.text
    report = loaded.json()
    assert (report["status"], report["rows_loaded"], report["rows_known"], report["rows_rejected"]) == (
        "loaded",
        2,
        0,
        2,
    )
    # The same file sent again: its facts are known, none kept twice (counts such as R2's dwellings stay true).
    assert (again.json()["rows_loaded"], again.json()["rows_known"]) == (0, 2)
    assert [(r["row"], r["field"]) for r in report["rejections"]] == [
        (3, "id_number"),
        (4, "event"),
        (4, "on"),
    ]
    rows = await oversight.rows(
        "SELECT row_number, match_key, id_masked, kind, on_date FROM external_records ORDER BY 1"
    )
    assert rows == [
        (2, bytes.fromhex(match_key(DEAD)), "500***********" + DEAD[-4:], "death", date(2026, 5, 2)),
        (5, bytes.fromhex(match_key(ALIVE)), "500***********" + ALIVE[-4:], "cancelled", date(2026, 6, 30)),
    ]
    stored = str(await oversight.rows("SELECT * FROM external_records")) + str(
        await oversight.rows("SELECT * FROM imports")
    )
    assert DEAD not in stored and ALIVE not in stored and BAD_CHECK not in stored


async def test_an_xlsx_file_is_read_from_its_first_sheet(oversight: Oversight, keys: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id_number", "custody", "from", "until"])
    sheet.append([DEAD, "prison", date(2025, 3, 1), None])
    sheet.append([ALIVE, "rehabilitation", "2026-01-10", "2026-01-09"])  # ends before it starts
    content = io.BytesIO()
    book.save(content)
    async with serve(oversight, keys) as served:
        loaded = await imported(served, "prisons", content.getvalue(), "good_rows_only", XLSX)
    assert loaded.status_code == 201, loaded.text
    assert [(r["row"], r["field"]) for r in loaded.json()["rejections"]] == [(3, "until")]
    assert await oversight.rows("SELECT kind, on_date, until_date FROM external_records") == [
        ("prison", date(2025, 3, 1), None)
    ]


async def test_roles_formats_and_bounds_are_refused_with_a_problem_naming_the_field(
    oversight: Oversight, keys: Path
) -> None:
    async with serve(oversight, keys, import_max_rows=3, max_body_bytes=4_096) as served:
        body, auditor = deaths_csv(f"{DEAD},death,2026-05-02"), served.token("auditor")
        post = served.client.post
        assert (
            await post("/v1/imports?source=deaths&mode=good_rows_only", content=body, headers=CSV)
        ).status_code == 401
        district = {**CSV, **served.token("reviewer", "500103")}
        assert (
            await post("/v1/imports?source=deaths&mode=good_rows_only", content=body, headers=district)
        ).status_code == 403

        async def problem(url: str, content: bytes, headers: dict[str, str]) -> tuple[int, list[str]]:
            answer = await post(url, content=content, headers={**headers, **auditor})
            return answer.status_code, [e["field"] for e in answer.json().get("errors", [])]

        assert await problem("/v1/imports?source=deaths&mode=some", body, CSV) == (422, ["mode"])
        assert await problem("/v1/imports?source=taxes&mode=good_rows_only", body, CSV) == (422, ["source"])
        assert await problem(
            "/v1/imports?source=deaths&mode=good_rows_only", body, {"Content-Type": "text/plain"}
        ) == (
            422,
            ["Content-Type"],
        )
        four = deaths_csv(*[f"{DEAD},death,2026-05-02"] * 4)
        assert await problem("/v1/imports?source=deaths&mode=good_rows_only", four, CSV) == (422, ["file"])
        assert await problem("/v1/imports?source=deaths&mode=good_rows_only", b"\x00\xff" * 10, XLSX) == (
            422,
            ["file"],
        )
        huge = await post(
            "/v1/imports?source=deaths&mode=good_rows_only", content=body * 200, headers={**CSV, **auditor}
        )
        assert huge.status_code == 413
    assert await oversight.rows("SELECT count(*) FROM imports") == [(0,)]


async def test_without_a_matching_key_nothing_naming_people_is_imported(
    oversight: Oversight, keys: Path
) -> None:
    async with serve(oversight, keys, matching_key=None) as served:
        answer = await imported(served, "deaths", GOOD_AND_BAD, "good_rows_only")
    assert answer.status_code == 409 and answer.json()["errors"][0]["field"] == "matching_key"
