"""`shared.messaging.bulk` writes the outbox rows `outbox.write` writes for the same events, only by SQL: same
topic, key, type, source, subject, body and correlation id, in the order asked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import select, text

from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.db import session_factory
from shared.messaging import bulk
from shared.messaging.outbox import outbox_rows, write
from shared.messaging.tables import outbox
from shared.observability import correlation_id
from tests.kit import prepare_database

SOURCE = "/safetynet/test"
COMPARED = ("topic", "key", "type", "source", "subject", "payload", "correlation_id")


def events() -> list[InsuredEnrolled | InsuredRemoved]:
    entry: dict[str, Any] = {
        "roster_entry_id": uuid4(),
        "person_id": uuid4(),
        "policy_year": 2027,
        "insurer_id": uuid4(),
        "district_code": "500103",
    }
    return [
        InsuredEnrolled(
            **entry, categories=["dibao", "orphan"], cover_from=date(2027, 1, 1), premium_fen=3_000
        ),
        InsuredRemoved(**entry, cover_until=date(2027, 3, 31), reason="death"),
    ]


# The events as a relation, in reverse of the order they are to be published in, so the ORDER BY is what
# puts them right.
EVENTS = """
(SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb))
     AS e(step int, topic text, type text, key text, subject text, payload jsonb)) AS events
"""


async def test_bulk_rows_are_the_rows_write_would_write_in_the_order_asked(new_database: Any) -> None:
    engine = await prepare_database(await new_database())
    sessions = session_factory(engine)
    written = events()
    as_sql = [
        {
            "step": step,
            "topic": e.topic,
            "type": e.event_type(),
            "key": e.key(),
            "subject": e.subject(),
            "payload": e.body(),
        }
        for step, e in enumerate(written)
    ]
    token = correlation_id.set("req-bulk-1")
    try:
        async with sessions() as session, session.begin():
            await write(session, written, source=SOURCE)
        async with sessions() as session, session.begin():
            statement = bulk.insert_events(EVENTS, order="step")
            await session.execute(
                text(statement), {"rows": json.dumps(as_sql[::-1]), **bulk.parameters(source=SOURCE)}
            )
            await bulk.notify(session)
        expected = outbox_rows(written, source=SOURCE)
    finally:
        correlation_id.reset(token)
    async with sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.seq))).mappings().all()
    await engine.dispose()
    by_write, by_bulk = rows[:2], rows[2:]
    assert [{k: r[k] for k in COMPARED} for r in by_write] == [{k: e[k] for k in COMPARED} for e in expected]
    assert [{k: r[k] for k in COMPARED} for r in by_bulk] == [{k: r[k] for k in COMPARED} for r in by_write]
    assert len({r["event_id"] for r in rows}) == 4  # each bulk row an event of its own
    assert all(r["occurred_at"] <= datetime.now(UTC) and r["sent_at"] is None for r in by_bulk)
    assert bulk.contract(InsuredRemoved, "removed") == {
        "removed_topic": "insurance.enrollment.v1",
        "removed_type": "InsuredRemoved",
    }
