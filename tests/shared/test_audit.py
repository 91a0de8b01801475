"""The audit log on a real database: records chain, the chain finds tampering, the table refuses changes."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from safetynet.catalog import SERVICES
from shared.audit import GENESIS, audit_log, record, verify_chain
from shared.db import session_factory


@pytest.fixture
async def engine(migrated_database: Any) -> Any:
    url = await migrated_database(SERVICES["oversight"].definition.migrations)
    engine = create_async_engine(url)
    yield engine
    await engine.dispose()


async def write(engine: AsyncEngine, count: int, *, actor: str = "caseworker-1") -> None:
    async with session_factory(engine)() as session, session.begin():
        for n in range(count):
            await record(
                session,
                actor=actor,
                action="identity.read",
                subject_type="person",
                subject_id=f"p-{n}",
                district_code="500103",
                details={"masked": "5001**********1234", "n": n},
            )


async def test_records_chain_from_genesis_and_verify(engine: AsyncEngine) -> None:
    await write(engine, 3)
    await asyncio.gather(*(write(engine, 5, actor=f"reader-{k}") for k in range(4)))
    async with session_factory(engine)() as session:
        rows = (await session.execute(audit_log.select().order_by(audit_log.c.seq))).mappings().all()
        assert rows[0]["prev_hash"] == GENESIS
        assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(rows))
        verification = await verify_chain(session, batch=4)
    assert (verification.records, verification.intact, verification.first_broken_seq) == (23, True, None)


async def test_a_rolled_back_change_leaves_no_record(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with session_factory(engine)() as session, session.begin():
            await record(session, actor="a", action="x", subject_type="person", subject_id="p")
            raise RuntimeError("the change failed")
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM audit_log")) == 0


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log", "TRUNCATE audit_log"],
)
async def test_the_table_refuses_changes(engine: AsyncEngine, statement: str) -> None:
    await write(engine, 2)
    async with engine.begin() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            await connection.execute(text(statement))
    async with engine.connect() as connection:
        assert (
            await connection.scalar(text("SELECT count(*) FROM audit_log WHERE actor = 'caseworker-1'")) == 2
        )


async def test_verification_names_the_first_tampered_record(engine: AsyncEngine) -> None:
    await write(engine, 5)
    # A superuser who disables the trigger can still edit; the chain shows where.
    async with engine.begin() as connection:
        await connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        await connection.execute(text("UPDATE audit_log SET details = '{\"n\": 99}' WHERE seq = 3"))
    async with session_factory(engine)() as session:
        verification = await verify_chain(session)
    assert (verification.intact, verification.first_broken_seq, verification.records) == (False, 3, 2)
