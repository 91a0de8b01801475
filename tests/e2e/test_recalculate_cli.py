"""`safetynet recalculate`: resumes a standard's recalculation on the embedded database, with progress."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.eligibility.domain.standards import SEED_STANDARDS
from services.eligibility.main import DEFINITION
from services.eligibility.repository import standards as standards_queries
from services.eligibility.service import standards
from shared.db import UnitOfWork, session_factory
from tests.e2e.conftest import Embedded, safetynet
from tests.kit.eligibility import add_case

pytestmark = pytest.mark.slow


async def test_the_cli_finishes_a_published_recalculation_with_a_progress_bar(embedded: Embedded) -> None:
    engine = create_async_engine(embedded.settings["eligibility"].database.url)
    sessions = session_factory(engine)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(sessions, source=DEFINITION.source)

    try:
        async with sessions() as session:
            current = await standards_queries.standard_in_force(session, date(2026, 1, 1))
        assert current is not None
        for income in (0, 10_000, 20_000):
            await add_case(
                new_uow(),
                current.id,
                program="dibao",
                area="urban",
                per_capita_income_fen=income,
                start_month=date(2025, 8, 1),
                members=[([], None, (77_000 - income, 0, 0))],
            )
        raised = replace(SEED_STANDARDS[-1], effective_from=date(2026, 7, 1), dibao_urban_fen=80_000)
        await standards.publish_standard(new_uow(), standards=raised, published_by="admin-1")

        first = await asyncio.to_thread(safetynet, "recalculate", *embedded.option)
        assert first.returncode == 0, first.stderr
        assert "3/3" in first.stderr and "3 cases changed" in first.stderr
        second = await asyncio.to_thread(safetynet, "recalculate", *embedded.option)
        assert second.returncode == 0 and "nothing to recalculate" in second.stderr
    finally:
        await engine.dispose()
