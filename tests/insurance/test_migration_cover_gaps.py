"""Migration 0006: ended entries' premiums become the months covered, existing claims get their history from
their decision dates, a case's windows per return; and all of it goes back down."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import uuid4

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.insurance.main import DEFINITION
from shared.db import downgrade, upgrade


async def test_premiums_and_claim_histories_are_filled_in_and_the_migration_goes_down_again(
    new_database: Any,
) -> None:
    url = await new_database()
    await asyncio.to_thread(upgrade, DEFINITION.migrations, url, "0005")
    engine = create_async_engine(url)
    insurer, ended, open_, void, claim, case = (uuid4() for _ in range(6))
    try:
        async with engine.begin() as connection:
            run = connection.execute
            await run(text("INSERT INTO insurers (id, name) VALUES (:id, 'acme')"), {"id": insurer})
            await run(
                text(
                    "INSERT INTO policy_terms (year, insurer_id, premium_fen, created_by) VALUES (2026, :i, 12000, 't')"
                ),
                {"i": insurer},
            )
            await run(
                text(
                    "INSERT INTO covers (policy_year, cover_type, limit_fen, documents) "
                    "VALUES (2026, 'accident', 5000000, ARRAY['claim_form'])"
                )
            )
            for entry, starts, until in (
                (ended, "2026-01-01", "2026-03-31"),  # was ¥120, due for three months: ¥30
                (open_, "2026-10-01", None),  # ¥30 either way
                (void, "2026-02-01", "2026-01-31"),  # voided: never covered, nothing due
            ):
                await run(
                    text(
                        "INSERT INTO roster_entries (id, person_id, policy_year, insurer_id, district_code, categories, "
                        "cover_from, cover_until, premium_fen) VALUES (:id, :p, 2026, :i, '500103', ARRAY['dibao'], "
                        ":f, :u, :fen)"
                    ),
                    {
                        "id": entry,
                        "p": uuid4(),
                        "i": insurer,
                        "f": date.fromisoformat(starts),
                        "u": date.fromisoformat(until) if until else None,
                        "fen": 12_000 * (13 - int(starts[5:7])) // 12,
                    },
                )
            await run(
                text(
                    "INSERT INTO claims (id, roster_entry_id, person_id, policy_year, insurer_id, district_code, "
                    "cover_type, incident_date, reported_on, channel, reported_by, claimed_fen, documents_received, "
                    "status, assessed_fen, assessed_on, assessed_by, paid_fen, settled_on, settled_by) "
                    "VALUES (:id, :e, :p, 2026, :i, '500103', 'accident', DATE '2026-02-01', DATE '2026-02-02', "
                    "'caseworker', 'cw', 100, ARRAY['claim_form'], 'settled', 90, DATE '2026-02-10', 'ins', 90, "
                    "DATE '2026-03-01', 'ins')"
                ),
                {"id": claim, "e": ended, "p": uuid4(), "i": insurer},
            )
            await run(
                text(
                    "INSERT INTO beneficiary_cases (case_id, household_id, program, district_code, last_event_at) "
                    "VALUES (:c, :h, 'dibao', '500103', now())"
                ),
                {"c": case, "h": uuid4()},
            )
        await asyncio.to_thread(upgrade, DEFINITION.migrations, url)
        async with engine.begin() as connection:
            premiums: dict[Any, int] = dict(
                list(await connection.execute(text("SELECT id, premium_fen FROM roster_entries")))
            )
            history = list(
                await connection.execute(
                    text(
                        "SELECT status, changed_on, changed_by FROM claim_status_changes ORDER BY changed_on, status"
                    )
                )
            )
        assert premiums == {ended: 3_000, open_: 3_000, void: 0}
        assert [(s, str(d), b) for s, d, b in history] == [
            ("documents_complete", "2026-02-02", "cw"),
            ("reported", "2026-02-02", "cw"),
            ("assessed", "2026-02-10", "ins"),
            ("settled", "2026-03-01", "ins"),
        ]
        await asyncio.to_thread(downgrade, DEFINITION.migrations, url, "0005")
        async with engine.begin() as connection:
            back: dict[Any, int] = dict(
                list(await connection.execute(text("SELECT id, premium_fen FROM roster_entries")))
            )
        assert back == {ended: 12_000, open_: 3_000, void: 11_000}
    finally:
        await engine.dispose()
