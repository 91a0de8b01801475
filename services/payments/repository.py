"""All queries of the payments service."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import Entitlement, EntitlementAmount, OneOffPayment, Payment, PaymentRun
from shared.db import Scope, in_scope, insert_if_absent


async def entitlements_of_case(
    session: AsyncSession, case_id: UUID, *, for_update: bool = False
) -> list[Entitlement]:
    query = select(Entitlement).where(Entitlement.case_id == case_id).order_by(Entitlement.person_id)
    if for_update:
        query = query.with_for_update()
    return list(await session.scalars(query))


async def add_entitlement(session: AsyncSession, entitlement: Entitlement) -> Entitlement:
    """Insert unless the (case, person, benefit) already has one; returns the one that stands."""
    await insert_if_absent(session, entitlement)
    standing = await session.scalar(
        select(Entitlement).where(
            Entitlement.case_id == entitlement.case_id,
            Entitlement.person_id == entitlement.person_id,
            Entitlement.benefit == entitlement.benefit,
        )
    )
    assert standing is not None
    return standing


async def set_amount(session: AsyncSession, amount: EntitlementAmount) -> None:
    """The amount from a month on; a later event for the same month replaces it."""
    values = {c.key: getattr(amount, c.key) for c in EntitlementAmount.__table__.columns}
    statement = insert(EntitlementAmount).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[EntitlementAmount.entitlement_id, EntitlementAmount.from_month],
            set_={
                key: statement.excluded[key] for key in values if key not in {"entitlement_id", "from_month"}
            },
        )
    )


async def end_entitlements(
    session: AsyncSession, case_id: UUID, person_ids: list[UUID], end_month: date
) -> int:
    result = await session.execute(
        update(Entitlement)
        .where(
            Entitlement.case_id == case_id,
            Entitlement.person_id.in_(person_ids),
            Entitlement.end_month.is_(None),
        )
        .values(end_month=end_month)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def suspend_entitlements(session: AsyncSession, case_id: UUID, from_month: date) -> None:
    await session.execute(
        update(Entitlement)
        .where(Entitlement.case_id == case_id, Entitlement.end_month.is_(None))
        .values(suspended_from=from_month)
    )


async def entitlements(
    session: AsyncSession, scope: Scope, *, case_id: UUID | None, person_id: UUID | None
) -> list[tuple[Entitlement, list[EntitlementAmount]]]:
    query = (
        select(Entitlement)
        .where(in_scope(Entitlement.district_code, scope))
        .order_by(Entitlement.case_id, Entitlement.person_id)
    )
    if case_id is not None:
        query = query.where(Entitlement.case_id == case_id)
    if person_id is not None:
        query = query.where(Entitlement.person_id == person_id)
    found = list(await session.scalars(query.limit(500)))
    amounts: dict[UUID, list[EntitlementAmount]] = {e.id: [] for e in found}
    for amount in await session.scalars(
        select(EntitlementAmount)
        .where(EntitlementAmount.entitlement_id.in_(list(amounts)))
        .order_by(EntitlementAmount.from_month)
    ):
        amounts[amount.entitlement_id].append(amount)
    return [(e, amounts[e.id]) for e in found]


async def one_offs(session: AsyncSession, scope: Scope, household_id: UUID | None) -> list[OneOffPayment]:
    query = select(OneOffPayment).order_by(OneOffPayment.granted_on)
    query = query.where(in_scope(OneOffPayment.district_code, scope))
    if household_id is not None:
        query = query.where(OneOffPayment.household_id == household_id)
    return list(await session.scalars(query))


# One batch of a monthly run: every entitlement of the district due that month, at the amount in force
# for the month, in entitlement-id order from the cursor. The unique index on (person, benefit, month)
# makes a repeated or resumed run add nothing.
PREPARE_BATCH = text(
    """
WITH batch AS (
    SELECT e.id, e.case_id, e.person_id, e.household_id, e.benefit
    FROM entitlements e
    WHERE e.district_code = :district_code
      AND e.start_month <= CAST(:month AS date)
      AND (e.end_month IS NULL OR e.end_month > CAST(:month AS date))
      AND (e.suspended_from IS NULL OR e.suspended_from > CAST(:month AS date))
      AND (CAST(:cursor AS uuid) IS NULL OR e.id > CAST(:cursor AS uuid))
    ORDER BY e.id
    LIMIT :batch_size
), inserted AS (
    INSERT INTO payments (id, run_id, entitlement_id, case_id, person_id, household_id, benefit, month, amount_fen, status)
    SELECT gen_random_uuid(), CAST(:run_id AS uuid), b.id, b.case_id, b.person_id, b.household_id, b.benefit,
           CAST(:month AS date), amount.total_fen, 'due'
    FROM batch b
    JOIN LATERAL (
        SELECT a.total_fen FROM entitlement_amounts a
        WHERE a.entitlement_id = b.id AND a.from_month <= CAST(:month AS date)
        ORDER BY a.from_month DESC LIMIT 1
    ) amount ON amount.total_fen > 0
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT id FROM batch ORDER BY id DESC LIMIT 1) AS last_id,
       (SELECT COUNT(*) FROM batch) AS scanned,
       (SELECT COUNT(*) FROM inserted) AS added
"""
)

# Temporary grants of the district not yet in any run go into this one (once: unique on the grant).
PREPARE_ONE_OFFS = text(
    """
INSERT INTO payments (id, run_id, grant_id, case_id, person_id, household_id, benefit, month, amount_fen, status)
SELECT gen_random_uuid(), CAST(:run_id AS uuid), o.grant_id, o.application_id, NULL, o.household_id, 'temporary',
       CAST(:month AS date), o.amount_fen, 'due'
FROM one_off_payments o
WHERE o.district_code = :district_code AND o.status = 'due' AND o.granted_on < CAST(:month AS date) + INTERVAL '1 month'
ON CONFLICT DO NOTHING
"""
)


# Back pay (补发): a month already paid in a released run at less than the amount now in force for it
# (a standard raised with a past effective date) gets the difference, less any earlier top-ups.
PREPARE_BACK_PAY = text(
    """
INSERT INTO payments (id, run_id, entitlement_id, case_id, person_id, household_id, benefit, month, amount_fen, status)
SELECT gen_random_uuid(), CAST(:run_id AS uuid), p.entitlement_id, p.case_id, p.person_id, p.household_id, 'back_pay',
       p.month, owed.total_fen - p.amount_fen - COALESCE(topped.amount, 0), 'due'
FROM payments p
JOIN payment_runs r ON r.id = p.run_id AND r.status = 'released'
JOIN entitlements e ON e.id = p.entitlement_id
JOIN LATERAL (
    SELECT a.total_fen FROM entitlement_amounts a
    WHERE a.entitlement_id = e.id AND a.from_month <= p.month
    ORDER BY a.from_month DESC LIMIT 1
) owed ON true
LEFT JOIN LATERAL (
    SELECT SUM(b.amount_fen) AS amount FROM payments b
    WHERE b.person_id = p.person_id AND b.benefit = 'back_pay' AND b.month = p.month
) topped ON true
WHERE e.district_code = :district_code AND p.benefit IN ('dibao', 'tekun') AND p.status <> 'failed'
  AND p.month < CAST(:month AS date)
  AND owed.total_fen - p.amount_fen - COALESCE(topped.amount, 0) > 0
ON CONFLICT DO NOTHING
"""
)


async def prepare_back_pay(session: AsyncSession, parameters: dict[str, object]) -> None:
    await session.execute(PREPARE_BACK_PAY, parameters)


async def prepare_batch(session: AsyncSession, parameters: dict[str, object]) -> tuple[UUID | None, int, int]:
    row = (await session.execute(PREPARE_BATCH, parameters)).one()
    return row.last_id, int(row.scanned), int(row.added)


async def prepare_one_offs(session: AsyncSession, parameters: dict[str, object]) -> None:
    await session.execute(PREPARE_ONE_OFFS, parameters)


async def run_for(
    session: AsyncSession, district_code: str, month: date, *, for_update: bool = False
) -> PaymentRun | None:
    query = select(PaymentRun).where(PaymentRun.district_code == district_code, PaymentRun.month == month)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def run(
    session: AsyncSession, run_id: UUID, scope: Scope, *, for_update: bool = False
) -> PaymentRun | None:
    query = select(PaymentRun).where(PaymentRun.id == run_id)
    query = query.where(in_scope(PaymentRun.district_code, scope))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def run_totals(session: AsyncSession, run_id: UUID) -> tuple[int, int]:
    """(payments, total fen) of a run, derived from its payments rather than kept as counters."""
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Payment.amount_fen), 0)).where(
                Payment.run_id == run_id
            )
        )
    ).one()
    return int(row[0]), int(row[1])


# Payments already released for months from the end on, to the people whose support ended: each
# becomes one overpayment to recover (unique per payment, so a redelivered termination adds none).
RAISE_OVERPAYMENTS = text(
    """
INSERT INTO overpayments (id, payment_id, case_id, person_id, month, amount_fen, reason, status, raised_on)
SELECT gen_random_uuid(), p.id, p.case_id, p.person_id, p.month, p.amount_fen, :reason, 'to_recover', CAST(:raised_on AS date)
FROM payments p JOIN payment_runs r ON r.id = p.run_id AND r.status = 'released'
WHERE p.case_id = CAST(:case_id AS uuid) AND p.person_id = ANY(CAST(:person_ids AS uuid[]))
  AND p.month >= CAST(:from_month AS date) AND p.status <> 'failed'
ON CONFLICT (payment_id) DO NOTHING
RETURNING id, payment_id, case_id, person_id, month, amount_fen
"""
)


async def raise_overpayments(session: AsyncSession, parameters: dict[str, object]) -> list[Any]:
    return list((await session.execute(RAISE_OVERPAYMENTS, parameters)).all())
