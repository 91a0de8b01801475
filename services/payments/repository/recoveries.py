"""Queries of overpayments: raising them where money went out for a month that was not due, settling them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import Entitlement, Overpayment
from shared.db import Scope, in_scope

# Paid payments for months from their entitlement's end on (death, termination, fraud) become one
# overpayment each — unique per payment, so a redelivered termination or a re-imported return adds none.
# Called for a case when its support ends, and for a bank file when its return marks payments paid.
RAISE_OVERPAYMENTS = text(
    """
WITH raised AS (
    INSERT INTO overpayments (id, payment_id, case_id, person_id, month, amount_fen, reason, status, raised_on)
    SELECT gen_random_uuid(), p.id, p.case_id, p.person_id, p.month, p.amount_fen, e.end_reason, 'to_recover',
           CAST(:raised_on AS date)
    FROM payments p JOIN entitlements e ON e.id = p.entitlement_id
    WHERE p.status = 'paid' AND e.end_month IS NOT NULL AND p.month >= e.end_month
      AND (CAST(:case_id AS uuid) IS NULL OR p.case_id = CAST(:case_id AS uuid))
      AND (CAST(:bank_file_id AS uuid) IS NULL OR p.id IN (
            SELECT i.payment_id FROM payment_instructions i
            WHERE i.bank_file_id = CAST(:bank_file_id AS uuid) AND i.status = 'paid'))
    ON CONFLICT (payment_id) DO NOTHING
    RETURNING id, payment_id, case_id, person_id, month, amount_fen, reason
)
SELECT raised.*, e.district_code
FROM raised JOIN payments p ON p.id = raised.payment_id JOIN entitlements e ON e.id = p.entitlement_id
ORDER BY raised.month, raised.payment_id
"""
)


async def raise_overpayments(session: AsyncSession, parameters: dict[str, object]) -> list[Any]:
    return list(
        (
            await session.execute(RAISE_OVERPAYMENTS, {"case_id": None, "bank_file_id": None, **parameters})
        ).all()
    )


async def overpayment(
    session: AsyncSession, overpayment_id: UUID, scope: Scope, *, for_update: bool = False
) -> tuple[Overpayment, str] | None:
    query = (
        select(Overpayment, Entitlement.district_code)
        .join(
            Entitlement,
            (Entitlement.case_id == Overpayment.case_id) & (Entitlement.person_id == Overpayment.person_id),
        )
        .where(Overpayment.id == overpayment_id, in_scope(Entitlement.district_code, scope))
        .limit(1)
    )
    if for_update:
        query = query.with_for_update(of=Overpayment)
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def overpayments(
    session: AsyncSession, scope: Scope, *, case_id: UUID | None, status: str | None, limit: int
) -> list[tuple[Overpayment, str]]:
    query = (
        select(Overpayment, Entitlement.district_code)
        .join(
            Entitlement,
            (Entitlement.case_id == Overpayment.case_id) & (Entitlement.person_id == Overpayment.person_id),
        )
        .where(in_scope(Entitlement.district_code, scope))
        .order_by(Overpayment.raised_on, Overpayment.id)
        .limit(limit)
    )
    if case_id is not None:
        query = query.where(Overpayment.case_id == case_id)
    if status is not None:
        query = query.where(Overpayment.status == status)
    return [(row[0], row[1]) for row in await session.execute(query)]
