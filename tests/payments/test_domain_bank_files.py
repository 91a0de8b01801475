"""The bank file layouts as pure functions: what we send carries its totals and a checksum that catches any
change; what the bank sends back is read all or nothing, every bad line named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from services.payments.domain.bank_files import (
    FileHeader,
    InstructionLine,
    Outcome,
    parse_returns,
    render_instructions,
    verify_checksum,
)
from shared.errors import InvalidInput

FILE = UUID("6f1c2a8e-0000-4000-8000-000000000001")
ONE = UUID("6f1c2a8e-0000-4000-8000-00000000000a")
TWO = UUID("6f1c2a8e-0000-4000-8000-00000000000b")


def instructions() -> bytes:
    header = FileHeader(FILE, "500103", date(2026, 11, 1), 2, datetime(2026, 11, 3, 1, 30, tzinfo=UTC))
    lines = [
        InstructionLine(
            1, ONE, "102653000015", "6222021900000000001", "张三", 57_000, "dibao", date(2026, 11, 1)
        ),
        InstructionLine(
            2,
            TWO,
            "102653000015",
            "6222021900000000002",
            'Li, "Junior"',
            3_000,
            "back_pay",
            date(2026, 10, 1),
        ),
    ]
    return render_instructions(header, lines)


def test_an_instruction_file_has_its_header_lines_totals_and_checksum() -> None:
    content = instructions()
    rows = content.decode().split("\r\n")
    assert rows[0] == f"H,SAFETYNET-PAYMENT-INSTRUCTIONS,1,{FILE},500103,2026-11,2,2026-11-03T01:30:00+00:00"
    assert rows[1] == f"D,1,{ONE},102653000015,6222021900000000001,张三,57000,dibao,2026-11"
    assert rows[2] == f'D,2,{TWO},102653000015,6222021900000000002,"Li, ""Junior""",3000,back_pay,2026-10'
    assert rows[3] == "T,2,60000"
    assert rows[4].startswith("C,SHA-256,") and rows[5] == ""
    assert verify_checksum(content)


@pytest.mark.parametrize("change", [(b"57000", b"57001"), (b"T,2,60000", b"T,2,60001"), (b"\r\nT", b"\nT")])
def test_the_checksum_catches_any_change(change: tuple[bytes, bytes]) -> None:
    assert not verify_checksum(instructions().replace(*change, 1))


def returns(*lines: str, file: UUID = FILE) -> bytes:
    return "\r\n".join([f"H,SAFETYNET-PAYMENT-RETURNS,1,{file}", *lines]).encode() + b"\r\n"


def test_a_return_file_is_read_line_by_line() -> None:
    parsed = parse_returns(
        returns(f"R,{ONE},PAID,,2026-11-08", f"R,{TWO},FAILED,ACCOUNT_CLOSED,2026-11-09", "T,2"), FILE
    )
    assert parsed == [
        Outcome(ONE, "paid", None, date(2026, 11, 8), 2),
        Outcome(TWO, "failed", "ACCOUNT_CLOSED", date(2026, 11, 9), 3),
    ]
    assert parse_returns("\ufeff".encode() + returns("T,0"), FILE) == []  # a byte-order mark is tolerated


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([f"R,{ONE},PAID,,2026-11-08"], [("line 3", "trailer")]),
        ([f"R,{ONE},PAID,,2026-11-08", "T,3"], [("line 3", "record_count")]),
        ([f"R,{ONE},PAID,E1,2026-11-08", "T,1"], [("line 2", "reason_code")]),
        ([f"R,{ONE},FAILED,,2026-11-08", "T,1"], [("line 2", "reason_code")]),
        ([f"R,{ONE},FAILED,bad code!,2026-11-08", "T,1"], [("line 2", "reason_code")]),
        ([f"R,{ONE},REVERSED,,2026-11-08", "T,1"], [("line 2", "status")]),
        ([f"R,{ONE},PAID,,08/11/2026", "T,1"], [("line 2", "date")]),
        (["R,not-an-id,PAID,,2026-11-08", "T,1"], [("line 2", "instruction_id")]),
        ([f"R,{ONE},PAID,", "T,1"], [("line 2", "record")]),
        ([f"R,{ONE},PAID,,2026-11-08", f"R,{ONE},PAID,,2026-11-08", "T,2"], [("line 3", "duplicate")]),
        ([f"R,{ONE},PAID,,2026-11-08", "T,1", f"R,{TWO},PAID,,2026-11-08"], [("line 4", "after_trailer")]),
        (
            [f"R,{ONE},LOST,,2026-11-08", f"R,{TWO},PAID,,someday", "T,2"],
            [("line 2", "status"), ("line 3", "date")],
        ),
    ],
)
def test_every_bad_line_is_named_and_nothing_is_returned(
    lines: list[str], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_returns(returns(*lines), FILE)
    assert [(issue.field, issue.rule) for issue in refused.value.errors] == expected


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "header"),
        (b"H,SAFETYNET-PAYMENT-INSTRUCTIONS,1,x\r\nT,0\r\n", "header"),
        (returns("T,0", file=ONE), "bank_file_id"),
        ("H,SAFETYNET-PAYMENT-RETURNS,1,x".encode("utf-16"), "utf8"),
    ],
)
def test_a_file_that_is_not_this_files_return_is_refused(content: bytes, rule: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_returns(content, FILE)
    assert refused.value.errors[0].rule == rule
