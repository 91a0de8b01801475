"""The bank file layouts: the instruction file we send and the return file the bank sends back.

Both are UTF-8 CSV (RFC 4180 quoting, CRLF line ends), one record per line, the first field its kind.

Instruction file (`SAFETYNET-PAYMENT-INSTRUCTIONS`, version 1):

    H,SAFETYNET-PAYMENT-INSTRUCTIONS,1,<bank file id>,<district code>,<YYYY-MM>,<sequence>,<created at, UTC ISO 8601>
    D,<line>,<instruction id>,<bank code>,<account number>,<holder name>,<amount in fen>,<benefit>,<YYYY-MM paid for>
    T,<number of D lines>,<sum of their amounts in fen>
    C,SHA-256,<hex digest of every byte before this line>

Return file (`SAFETYNET-PAYMENT-RETURNS`, version 1), one R line per instruction settled:

    H,SAFETYNET-PAYMENT-RETURNS,1,<bank file id>
    R,<instruction id>,PAID|FAILED,<bank reason code, empty when PAID>,<YYYY-MM-DD credited or refused>
    T,<number of R lines>
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from shared.errors import FieldIssue, InvalidInput

INSTRUCTIONS = "SAFETYNET-PAYMENT-INSTRUCTIONS"
RETURNS = "SAFETYNET-PAYMENT-RETURNS"
VERSION = "1"
_REASON_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")

Complaint = Callable[[int, str, str], None]
"""Records a bad line: its number, the rule it breaks, and what a good one looks like."""


@dataclass(frozen=True)
class FileHeader:
    bank_file_id: UUID
    district_code: str
    month: date
    sequence: int
    created_at: datetime


@dataclass(frozen=True)
class InstructionLine:
    line: int
    instruction_id: UUID
    bank_code: str
    account_number: str
    holder_name: str
    amount_fen: int
    benefit: str
    month: date


@dataclass(frozen=True)
class Outcome:
    """The bank's answer for one instruction."""

    instruction_id: UUID
    status: str  # "paid" | "failed"
    reason_code: str | None
    settled_on: date
    line: int


def render_instructions(header: FileHeader, lines: Iterable[InstructionLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "H",
            INSTRUCTIONS,
            VERSION,
            header.bank_file_id,
            header.district_code,
            f"{header.month:%Y-%m}",
            header.sequence,
            header.created_at.isoformat(),
        ]
    )
    count = total = 0
    for line in lines:
        writer.writerow(
            [
                "D",
                line.line,
                line.instruction_id,
                line.bank_code,
                line.account_number,
                line.holder_name,
                line.amount_fen,
                line.benefit,
                f"{line.month:%Y-%m}",
            ]
        )
        count, total = count + 1, total + line.amount_fen
    writer.writerow(["T", count, total])
    body = buffer.getvalue().encode()
    return body + f"C,SHA-256,{hashlib.sha256(body).hexdigest()}\r\n".encode()


def verify_checksum(content: bytes) -> bool:
    """Whether a file's last line is the SHA-256 of everything before it."""
    body, _, last = content.rstrip(b"\r\n").rpartition(b"\r\n")
    digest = hashlib.sha256(body + b"\r\n").hexdigest()
    return last == f"C,SHA-256,{digest}".encode()


def parse_returns(content: bytes, bank_file_id: UUID) -> list[Outcome]:
    """Every outcome of a return file for `bank_file_id`, or InvalidInput naming each bad line and its rule.
    All or nothing: one bad line refuses the whole file."""
    issues: list[FieldIssue] = []

    def bad(line: int, rule: str, message: str) -> None:
        issues.append(FieldIssue(f"line {line}", rule, message))

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the return file is not UTF-8", errors=[FieldIssue("file", "utf8", "send the file as UTF-8")]
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    rows = [row for row in rows if row]
    if not rows or rows[0][:3] != ["H", RETURNS, VERSION] or len(rows[0]) != 4:
        raise InvalidInput(
            "not a return file",
            errors=[
                FieldIssue("line 1", "header", f"the first line is H,{RETURNS},{VERSION},<bank file id>")
            ],
        )
    if rows[0][3] != str(bank_file_id):
        raise InvalidInput(
            "the return file answers another bank file",
            errors=[
                FieldIssue("line 1", "bank_file_id", f"expected bank file {bank_file_id}, got {rows[0][3]}")
            ],
        )
    outcomes: list[Outcome] = []
    seen: set[UUID] = set()
    trailer: list[str] | None = None
    records = 0
    for number, row in enumerate(rows[1:], start=2):
        records += row[0] == "R" and trailer is None
        if trailer is not None:
            bad(number, "after_trailer", "nothing may follow the T line")
        elif row[0] == "T":
            trailer = row
            if len(row) != 2 or row[1] != str(records):
                bad(number, "record_count", f"the T line must count the {records} R lines: T,{records}")
        elif row[0] != "R" or len(row) != 5:
            bad(number, "record", "expected R,<instruction id>,PAID|FAILED,<reason code>,<YYYY-MM-DD>")
        else:
            outcome = _outcome(number, row, bad)
            if outcome is None:
                continue
            if outcome.instruction_id in seen:
                bad(number, "duplicate", f"instruction {outcome.instruction_id} appears twice")
            seen.add(outcome.instruction_id)
            outcomes.append(outcome)
    if trailer is None:
        bad(len(rows) + 1, "trailer", "the file must end with T,<number of R lines>")
    if issues:
        raise InvalidInput(f"the return file has {len(issues)} bad lines; nothing was applied", errors=issues)
    return outcomes


def _outcome(number: int, row: list[str], bad: Complaint) -> Outcome | None:
    _, instruction, status, reason, when = row
    try:
        instruction_id = UUID(instruction)
    except ValueError:
        bad(number, "instruction_id", "not an instruction id from our file")
        return None
    try:
        settled_on = date.fromisoformat(when)
    except ValueError:
        bad(number, "date", "the date must be YYYY-MM-DD")
        return None
    if status == "PAID":
        if reason:
            bad(number, "reason_code", "a PAID line has no reason code")
            return None
        return Outcome(instruction_id, "paid", None, settled_on, number)
    if status == "FAILED":
        if not _REASON_CODE.fullmatch(reason):
            bad(
                number,
                "reason_code",
                "a FAILED line needs the bank's reason code (1-32 of A-Z a-z 0-9 _ . -)",
            )
            return None
        return Outcome(instruction_id, "failed", reason, settled_on, number)
    bad(number, "status", "the status is PAID or FAILED")
    return None
