"""`safetynet prepare-run`: prepares (or resumes) a district's monthly run on the embedded database, with
a progress bar, and a second call adds nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.conftest import Embedded, safetynet

pytestmark = pytest.mark.slow

# Twelve beneficiaries in 500103 due in November (¥570 each), one ended in October, one in another district.
SEED = """
INSERT INTO entitlements (id, case_id, person_id, household_id, benefit, district_code, start_month, end_month)
SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'dibao',
       CASE WHEN n = 14 THEN '500101' ELSE '500103' END, DATE '2026-08-01',
       CASE WHEN n = 13 THEN DATE '2026-10-01' END
FROM generate_series(1, 14) AS n;
INSERT INTO entitlement_amounts (entitlement_id, from_month, base_fen, add_on_fen, care_subsidy_fen, total_fen,
                                 reason, back_pay_months, event_id)
SELECT id, DATE '2026-08-01', 57000, 0, 0, 57000, 'approved', '{}', gen_random_uuid() FROM entitlements
"""


async def test_the_cli_prepares_a_run_with_a_progress_bar_and_adds_nothing_the_second_time(
    embedded: Embedded,
) -> None:
    engine = create_async_engine(embedded.settings["payments"].database.url)
    try:
        async with engine.begin() as connection:
            for statement in SEED.split(";"):
                await connection.execute(text(statement))
        command = [
            "prepare-run",
            "500103",
            "2026-11",
            "--prepared-by",
            "fin-1",
            "--batch-size",
            "5",
            *embedded.option,
        ]
        first = await asyncio.to_thread(safetynet, *command)
        assert first.returncode == 0, first.stderr
        assert "12/12" in first.stderr and "12 payments, 684000 fen; prepared" in first.stderr
        second = await asyncio.to_thread(safetynet, *command)
        assert second.returncode == 0, second.stderr
        assert "already prepared" in second.stderr and "12 payments, 684000 fen" in second.stderr
        bad = await asyncio.to_thread(safetynet, *command[:2], "2026-13", *command[3:])
        assert bad.returncode == 2 and "Invalid value" in bad.stderr
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT count(*) FROM payments")) == 12
    finally:
        await engine.dispose()
