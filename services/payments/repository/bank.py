"""Queries of bank files and returns: instructions written set-based, outcomes applied set-based."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import (
    BankFile,
    BankReturn,
    PayeeAccount,
    Payment,
    PaymentInstruction,
    PaymentRun,
)
from shared.db import Scope, in_scope

# Every payment of the run still due whose payee has an account (the beneficiary's, the care facility's for
# a month it is paid for its 特困 resident, or the household's for a temporary grant) becomes one line of the
# file, and sent. A payment whose payee a resident's move changed meanwhile waits for the next file.
SEND_DUE = text(
    """
WITH due AS (
    SELECT p.id, p.amount_fen, p.facility_id, a.id AS account_id, row_number() OVER (ORDER BY p.id) AS line
    FROM payments p
    JOIN payee_accounts a ON a.superseded_at IS NULL AND a.owner_kind = p.payee_kind
     AND a.owner_id = COALESCE(p.facility_id, p.person_id, p.household_id)
    WHERE p.run_id = CAST(:run_id AS uuid) AND p.status = 'due'
), sent AS (
    UPDATE payments p SET status = 'sent' FROM due
    WHERE p.id = due.id AND p.status = 'due' AND p.facility_id IS NOT DISTINCT FROM due.facility_id
    RETURNING p.id
), lines AS (
    INSERT INTO payment_instructions (id, bank_file_id, line, payment_id, payee_account_id, amount_fen, status)
    SELECT uuid_v7(), CAST(:bank_file_id AS uuid), due.line, due.id, due.account_id, due.amount_fen, 'sent'
    FROM due JOIN sent ON sent.id = due.id
    RETURNING amount_fen
)
SELECT count(*) AS line_count, COALESCE(sum(amount_fen), 0) AS total_fen FROM lines
"""
)

COUNT_HELD = text(
    """
SELECT count(*) FROM payments p
WHERE p.run_id = CAST(:run_id AS uuid) AND p.status = 'due' AND NOT EXISTS (
    SELECT 1 FROM payee_accounts a WHERE a.superseded_at IS NULL AND a.owner_kind = p.payee_kind
      AND a.owner_id = COALESCE(p.facility_id, p.person_id, p.household_id))
"""
)


async def send_due(session: AsyncSession, run_id: UUID, bank_file_id: UUID) -> tuple[int, int]:
    row = (await session.execute(SEND_DUE, {"run_id": run_id, "bank_file_id": bank_file_id})).one()
    return int(row.line_count), int(row.total_fen)


async def count_held(session: AsyncSession, run_id: UUID) -> int:
    return int(await session.scalar(COUNT_HELD, {"run_id": run_id}) or 0)


async def next_sequence(session: AsyncSession, run_id: UUID) -> int:
    return (
        int(
            await session.scalar(
                select(func.coalesce(func.max(BankFile.sequence), 0)).where(BankFile.run_id == run_id)
            )
            or 0
        )
        + 1
    )


async def bank_file(
    session: AsyncSession, bank_file_id: UUID, scope: Scope, *, for_update: bool = False
) -> tuple[BankFile, PaymentRun] | None:
    query = (
        select(BankFile, PaymentRun)
        .join(PaymentRun, PaymentRun.id == BankFile.run_id)
        .where(BankFile.id == bank_file_id, in_scope(PaymentRun.district_code, scope))
    )
    if for_update:
        query = query.with_for_update(of=BankFile)
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def bank_files_of_run(session: AsyncSession, run_id: UUID) -> list[BankFile]:
    return list(
        await session.scalars(select(BankFile).where(BankFile.run_id == run_id).order_by(BankFile.sequence))
    )


async def file_lines(session: AsyncSession, bank_file_id: UUID) -> list[Any]:
    return list(
        (
            await session.execute(
                select(
                    PaymentInstruction.line,
                    PaymentInstruction.id,
                    PaymentInstruction.amount_fen,
                    PayeeAccount.bank_code,
                    PayeeAccount.account_number,
                    PayeeAccount.holder_name,
                    Payment.benefit,
                    Payment.month,
                )
                .join(PayeeAccount, PayeeAccount.id == PaymentInstruction.payee_account_id)
                .join(Payment, Payment.id == PaymentInstruction.payment_id)
                .where(PaymentInstruction.bank_file_id == bank_file_id)
                .order_by(PaymentInstruction.line)
            )
        ).all()
    )


async def instruction_states(session: AsyncSession, bank_file_id: UUID, ids: list[UUID]) -> dict[UUID, str]:
    rows = await session.execute(
        select(PaymentInstruction.id, PaymentInstruction.status).where(
            PaymentInstruction.bank_file_id == bank_file_id, PaymentInstruction.id.in_(ids)
        )
    )
    return {row.id: row.status for row in rows}


async def previous_return(session: AsyncSession, bank_file_id: UUID, checksum: str) -> BankReturn | None:
    return await session.scalar(
        select(BankReturn).where(BankReturn.bank_file_id == bank_file_id, BankReturn.checksum == checksum)
    )


# The bank's outcomes for lines still sent; the payments follow their instruction. Returns what changed,
# with what the events need.
APPLY_OUTCOMES = text(
    """
WITH outcome AS (
    SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]),
                         CAST(:dates AS date[])) AS o(id, status, reason_code, settled_on)
), settled AS (
    UPDATE payment_instructions i
    SET status = o.status, reason_code = o.reason_code, settled_on = o.settled_on
    FROM outcome o
    WHERE i.id = o.id AND i.bank_file_id = CAST(:bank_file_id AS uuid) AND i.status = 'sent'
    RETURNING i.payment_id, i.status, i.reason_code, i.settled_on
)
UPDATE payments p SET status = s.status
FROM settled s
WHERE p.id = s.payment_id AND p.status = 'sent'
RETURNING p.id, p.run_id, p.case_id, p.household_id, p.person_id, p.benefit, p.month, p.amount_fen,
          s.status, s.reason_code, s.settled_on
"""
)


async def apply_outcomes(
    session: AsyncSession,
    bank_file_id: UUID,
    outcomes: list[tuple[UUID, str, str | None, date]],
) -> list[Any]:
    return list(
        (
            await session.execute(
                APPLY_OUTCOMES,
                {
                    "bank_file_id": bank_file_id,
                    "ids": [o[0] for o in outcomes],
                    "statuses": [o[1] for o in outcomes],
                    "reasons": [o[2] for o in outcomes],
                    "dates": [o[3] for o in outcomes],
                },
            )
        ).all()
    )


async def payment(
    session: AsyncSession, payment_id: UUID, scope: Scope, *, for_update: bool = False
) -> tuple[Payment, PaymentRun] | None:
    query = (
        select(Payment, PaymentRun)
        .join(PaymentRun, PaymentRun.id == Payment.run_id)
        .where(Payment.id == payment_id, in_scope(PaymentRun.district_code, scope))
    )
    if for_update:
        query = query.with_for_update(of=Payment)
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def last_failed_account(session: AsyncSession, payment_id: UUID) -> UUID | None:
    return await session.scalar(
        select(PaymentInstruction.payee_account_id)
        .join(BankFile, BankFile.id == PaymentInstruction.bank_file_id)
        .where(PaymentInstruction.payment_id == payment_id, PaymentInstruction.status == "failed")
        .order_by(BankFile.created_at.desc())
        .limit(1)
    )


async def payments(
    session: AsyncSession,
    scope: Scope,
    *,
    run_id: UUID | None,
    person_id: UUID | None,
    status: str | None,
    after: UUID | None,
    limit: int,
) -> list[tuple[Payment, str]]:
    query = (
        select(Payment, PaymentRun.district_code)
        .join(PaymentRun, PaymentRun.id == Payment.run_id)
        .where(in_scope(PaymentRun.district_code, scope))
        .order_by(Payment.id)
        .limit(limit)
    )
    for column, value in ((Payment.run_id, run_id), (Payment.person_id, person_id), (Payment.status, status)):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(Payment.id > after)
    return [(row[0], row[1]) for row in await session.execute(query)]
