"""`safetynet calendar load`: a bad file is refused with every bad row named and stores nothing; a good one
is stored, audited and shown, and the open provisional deadlines are recounted with a progress bar."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.workdays import package_years
from tests.e2e.conftest import REPO, Embedded, safetynet

TABLE = REPO / "tests" / "eligibility" / "data" / "calendar_2027.yaml"
pytestmark = pytest.mark.slow


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return safetynet("calendar", *arguments)


async def test_the_cli_refuses_a_bad_file_whole_and_loads_a_good_one(
    embedded: Embedded, tmp_path: Path
) -> None:
    engine = create_async_engine(embedded.settings["eligibility"].database.url)
    where = embedded.option
    try:
        bad = tmp_path / "2027.csv"
        bad.write_text("date,kind,name,remark\n2027-01-01,holiday,元旦,\n", encoding="utf-8")
        refused = await asyncio.to_thread(
            run, "load", str(bad), "--year", "2027", "--loaded-by", "ops-1", *where
        )
        assert refused.returncode == 1 and "column 'remark': unknown_column" in refused.stderr
        bad.write_text(
            "date,kind,name\n2026-12-31,holiday,\n2027-02-14,holiday,\n2027-02-14,working_day,\n",
            encoding="utf-8",
        )
        refused = await asyncio.to_thread(
            run, "load", str(bad), "--year", "2027", "--loaded-by", "ops-1", *where
        )
        assert refused.returncode == 1
        assert (
            "row 2.date: outside_year" in refused.stderr
            and "row 4.kind: holiday_and_working_day" in refused.stderr
        )
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(text("calendar_years"))) == 0

        loaded = await asyncio.to_thread(run, "load", str(TABLE), "--loaded-by", "ops-1", *where)
        assert loaded.returncode == 0, loaded.stderr
        assert "2027: 26 holidays, 5 shifted working days (revision 1)" in loaded.stderr
        assert "deadlines recounted" in loaded.stderr
        shown = await asyncio.to_thread(run, "show", *where)
        assert shown.returncode == 0, shown.stderr
        assert "2027   26 holidays   5 worked  loaded by ops-1" in shown.stdout
        known_until = max(2027, max(package_years()))
        assert f"known until {known_until}-12-31" in shown.stdout
        async with engine.connect() as connection:
            audited = await connection.scalar(
                text(
                    "SELECT count(*) FROM audit_log WHERE action = 'calendar_year.loaded' AND actor = 'ops-1'"
                )
            )
        assert audited == 1
    finally:
        await engine.dispose()
