"""Migration 0009: existing cases get their exact counted income from what is stored, and it goes back down."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from services.eligibility.main import DEFINITION
from shared.db import downgrade, upgrade

EXACT = "0010"


def revision_before(revision: str) -> str:
    script = ScriptDirectory(str(DEFINITION.migrations)).get_revision(revision)
    assert script is not None and isinstance(script.down_revision, str)
    return script.down_revision


BEFORE = revision_before(EXACT)


async def add(
    connection: AsyncConnection,
    *,
    program: str,
    income_fen: int,
    facts: str,
    household_members: int,
    covered: int,
    per_capita_fen: int,
    standard_id: UUID,
) -> UUID:
    """A household with its members and a case covering the first `covered` of them, as 0008 stored it."""
    household_id, case_id = uuid4(), uuid4()
    await connection.execute(
        text(
            "INSERT INTO households (id, district_code, area, monthly_income_fen, facts, version, updated_by) "
            "VALUES (:id, '500103', 'urban', :income, CAST(:facts AS jsonb), 1, 't')"
        ),
        {"id": household_id, "income": income_fen, "facts": facts},
    )
    await connection.execute(
        text(
            "INSERT INTO cases (id, household_id, program, district_code, area, status, start_month, "
            "per_capita_income_fen, monthly_amount_fen, standard_id, approved_by, approved_on) "
            "VALUES (:id, :household_id, :program, '500103', 'urban', 'active', DATE '2026-01-01', "
            ":per_capita, 0, :standard_id, 'rv', DATE '2025-12-20')"
        ),
        {
            "id": case_id,
            "household_id": household_id,
            "program": program,
            "per_capita": per_capita_fen,
            "standard_id": standard_id,
        },
    )
    for index in range(household_members):
        person_id = uuid4()
        await connection.execute(
            text(
                "INSERT INTO persons (id, id_number_index, id_number_cipher, name_cipher, birth_date, created_by) "
                "VALUES (:id, :index, 'x', 'x', DATE '1960-01-01', 't')"
            ),
            {"id": person_id, "index": person_id.bytes},
        )
        await connection.execute(
            text(
                "INSERT INTO household_members (household_id, person_id, relation, profile) "
                "VALUES (:household_id, :person_id, 'other', '{}')"
            ),
            {"household_id": household_id, "person_id": person_id},
        )
        if index < covered:
            await connection.execute(
                text(
                    "INSERT INTO case_beneficiaries (case_id, person_id, program, active, add_on_kinds, "
                    "base_fen, add_on_fen, care_subsidy_fen, insurance_categories) "
                    "VALUES (:case_id, :person_id, :program, true, '{}', 0, 0, 0, ARRAY[:program])"
                ),
                {"case_id": case_id, "person_id": person_id, "program": program},
            )
    return case_id


async def test_existing_cases_get_their_exact_income_and_the_migration_goes_down_again(
    new_database: Any,
) -> None:
    url = await new_database()
    migrations = DEFINITION.migrations
    await asyncio.to_thread(upgrade, migrations, url, BEFORE)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            standard_id = uuid4()
            await connection.execute(
                text(
                    "INSERT INTO standards (id, effective_from, parameters, published_by) "
                    "VALUES (:id, DATE '2025-07-01', '{}', 'seed')"
                ),
                {"id": standard_id},
            )
            common = {"standard_id": standard_id}
            cases = {
                # ¥1,000 less 5 fen of rigid expenses a year over 3: approval stored floor((100,000 − 1) / 3).
                "exact": await add(
                    connection,
                    program="dibao",
                    income_fen=100_000,
                    facts='{"rigid_expenses_12m_fen": {"medical": 5}}',
                    household_members=3,
                    covered=3,
                    per_capita_fen=33_333,
                    **common,
                ),
                # The household's income changed after approval: the stored per-capita income is kept.
                "changed": await add(
                    connection,
                    program="dibao",
                    income_fen=200_000,
                    facts="{}",
                    household_members=3,
                    covered=3,
                    per_capita_fen=33_333,
                    **common,
                ),
                # One of two members covered: not the household's per-capita income.
                "partly": await add(
                    connection,
                    program="dibao",
                    income_fen=0,
                    facts="{}",
                    household_members=2,
                    covered=1,
                    per_capita_fen=0,
                    **common,
                ),
                "tekun": await add(
                    connection,
                    program="tekun",
                    income_fen=20_000,
                    facts="{}",
                    household_members=1,
                    covered=1,
                    per_capita_fen=20_000,
                    **common,
                ),
            }
        await asyncio.to_thread(upgrade, migrations, url, EXACT)
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT id, counted_income_twelfths, income_members, per_capita_income_fen FROM cases")
            )
            stored = {
                row.id: (row.counted_income_twelfths, row.income_members, row.per_capita_income_fen)
                for row in rows
            }
        assert stored == {
            cases["exact"]: (12 * 100_000 - 5, 3, 33_333),
            cases["changed"]: (12 * 33_333, 1, 33_333),
            cases["partly"]: (0, 1, 0),
            cases["tekun"]: (12 * 20_000, 1, 20_000),
        }

        await asyncio.to_thread(downgrade, migrations, url, BEFORE)
        async with engine.connect() as connection:
            columns = set(
                (
                    await connection.execute(
                        text("SELECT column_name FROM information_schema.columns WHERE table_name = 'cases'")
                    )
                ).scalars()
            )
            kept = await connection.scalar(text("SELECT COUNT(*) FROM cases"))
        assert "counted_income_twelfths" not in columns and "income_members" not in columns
        assert "per_capita_income_fen" in columns and kept == 4
        await asyncio.to_thread(upgrade, migrations, url, EXACT)
    finally:
        await engine.dispose()
