"""JSON logs carry the correlation id and never a whole ID or account number; the id travels with events."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from shared.db import UnitOfWork, session_factory
from shared.messaging.bus import InProcessBus
from shared.messaging.tables import outbox
from shared.observability import (
    configure_logging,
    correlation_id,
    get_logger,
    mask_digits,
    new_correlation_id,
)
from tests.kit import item_recorded, prepare_database, processor_for, record_effect, relay_for


def test_logs_are_json_with_the_correlation_id_and_masked_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    token = correlation_id.set("req-42")
    try:
        get_logger("test").info(
            "applicant looked up", id_number="11010519491231002X", account="6222021234567890123"
        )
        logging.getLogger("stdlib").warning("plain stdlib line for 11010519491231002X")
    finally:
        correlation_id.reset(token)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    first, second = lines[-2], lines[-1]
    assert first["correlation_id"] == "req-42" and first["event"] == "applicant looked up"
    assert first["id_number"] == "110********2X" and "1234567890" not in first["account"]
    assert "11010519491231002X" not in second["event"] and second["level"] == "warning"


def test_correlation_ids_from_callers_are_kept_only_when_well_formed() -> None:
    assert new_correlation_id("abc-123") == "abc-123"
    assert new_correlation_id("bad id\nwith newline") != "bad id\nwith newline"
    assert len(new_correlation_id(None)) == 32
    assert mask_digits("no digits here") == "no digits here"


async def test_the_correlation_id_goes_into_the_outbox_and_back_into_the_consumer(
    new_database: Any, topic: str
) -> None:
    producer_db = await prepare_database(await new_database())
    consumer_db = await prepare_database(await new_database())
    contract = item_recorded(topic)
    seen: list[str | None] = []

    async def handler(uow: UnitOfWork, event: Any) -> None:
        seen.append(correlation_id.get())
        await record_effect(uow, event)

    bus = InProcessBus()
    bus.subscribe(processor_for(consumer_db, contract, consumer="c", handler=handler))
    token = correlation_id.set("request-7")
    try:
        async with UnitOfWork(session_factory(producer_db), source="/t") as uow:
            uow.emit(contract(item=1))  # type: ignore[call-arg]
            await uow.commit()
    finally:
        correlation_id.reset(token)
    async with producer_db.connect() as connection:
        assert await connection.scalar(select(outbox.c.correlation_id)) == "request-7"
    relay = relay_for(producer_db, bus)
    assert await relay.drain() == 1
    assert seen == ["request-7"]
    await producer_db.dispose()
    await consumer_db.dispose()
