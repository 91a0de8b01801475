"""JSON logs carry the correlation id and never a whole ID or account number; the id travels with events."""

from __future__ import annotations

import hashlib
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
from shared.resident_id import check_character
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


def test_console_lines_are_for_people_and_masked_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "console")
    try:
        get_logger("test").info("applicant looked up", id_number="11010519491231002X")
        logging.getLogger("tests.access").info('127.0.0.1:1 - "GET /health HTTP/1.1" 200')  # a stdlib logger
    finally:
        configure_logging("INFO")  # the suite's own lines stay JSON
    first, second = capsys.readouterr().out.splitlines()[-2:]
    assert "[info     ] applicant looked up" in first and "id_number=110********2X" in first
    assert not first.startswith("{") and "11010519491231002X" not in first
    assert '"GET /health HTTP/1.1" 200 [tests.access]' in second


CORRELATION_HEX = "1b437b61130582917469e4d144c24315"  # the access-log id issue 10 saw masked
UUID_DIGIT_TAIL = "123e4567-e89b-12d3-a456-426614174000"
SHA256 = "98ea37124b88e602e528066549404634c2ac7f7ed2dc9891988e83c367dad73d"  # a 15-digit run inside
ID_ENDING_IN_X = "11010519491231002X"
ID_ENDING_IN_DIGIT = "11010519800101001" + check_character("11010519800101001")
ACCOUNT = "6222021234567890123"


def _last_line(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(capsys.readouterr().out.splitlines()[-1])
    return line


def test_log_lines_keep_ids_uuids_and_digests_whole_and_mask_personal_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert hashlib.sha256(b"roster-20").hexdigest() == SHA256 and ID_ENDING_IN_DIGIT[-1] != "X"
    configure_logging("INFO")
    get_logger("test").info(
        f"GET /cases 200 {CORRELATION_HEX}",
        request=UUID_DIGIT_TAIL,
        digest=SHA256,
        holder=f"{ID_ENDING_IN_X} {ID_ENDING_IN_DIGIT}",
        account=f"account:{ACCOUNT}.",
        note=f"身份证号{ID_ENDING_IN_X}已登记",
    )
    line = _last_line(capsys)
    assert line["event"] == f"GET /cases 200 {CORRELATION_HEX}"
    assert line["request"] == UUID_DIGIT_TAIL and line["digest"] == SHA256
    assert line["holder"] == f"110********2X 110********{ID_ENDING_IN_DIGIT[-2:]}"
    assert line["account"] == "account:622********23."
    # CJK characters are letters to Unicode, but not an edge that shields a number.
    assert line["note"] == "身份证号110********2X已登记"


def test_a_token_ending_in_x_is_masked_only_when_its_check_character_is_right() -> None:
    assert check_character("11010519491231003") != "X"
    assert mask_digits("11010519491231003X") == "11010519491231003X"
    assert mask_digits("11010519491231002x") == "110********2x"
    # With a wrong check digit an all-digit token is no resident ID, but its length is an account's.
    assert mask_digits("110105194912310039") == "110********39"
    # Only a token standing alone counts, and a run longer than any account is neither.
    assert (
        mask_digits(f"a{ACCOUNT} {ACCOUNT}_1 -{ACCOUNT} {ACCOUNT}0")
        == f"a{ACCOUNT} {ACCOUNT}_1 -{ACCOUNT} {ACCOUNT}0"
    )
    assert mask_digits("12345678901 123456789012") == "12345678901 123********12"
    # Full-width digits are not ASCII digits.
    assert mask_digits("１１０１０５１９４９１２３１００２X") == "１１０１０５１９４９１２３１００２X"


def test_tracebacks_in_logs_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    try:
        raise ValueError(f"no applicant {ID_ENDING_IN_X} for account {ACCOUNT}")
    except ValueError:
        get_logger("test").exception("lookup failed")
        structlog_line = _last_line(capsys)
        logging.getLogger("stdlib").exception("lookup failed")
        stdlib_line = _last_line(capsys)
    for line in (structlog_line, stdlib_line):
        assert "ValueError: no applicant 110********2X for account 622********23" in line["exception"]
        assert ID_ENDING_IN_X not in json.dumps(line) and ACCOUNT not in json.dumps(line)


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
