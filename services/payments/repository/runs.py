"""Queries of monthly runs: preparing their payments set-based, reading their progress and totals."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import Payment, PaymentRun, PaymentRunSlice
from services.payments.repository.facilities import PAYING_STAY
from shared.db import Scope, in_scope

# One batch of a slice of a monthly run: every entitlement of the district due that month, at the amount
# in force for the month, in entitlement-id order from the slice's cursor to its end (plain bounds, so
# that even a generic plan scans just that range of the index), paid to the care facility whose stay covers
# the month for a 特困 resident, else to the person. The unique index on (person, benefit, month) makes a
# repeated or resumed run add nothing, and a month paid once stays paid to whom it was paid.
PREPARE_BATCH = text(
    """
WITH batch AS (
    SELECT e.id, e.case_id, e.person_id, e.household_id, e.benefit
    FROM entitlements e
    WHERE e.district_code = :district_code
      AND e.start_month <= CAST(:month AS date)
      AND (e.end_month IS NULL OR e.end_month > CAST(:month AS date))
      AND (e.suspended_from IS NULL OR e.suspended_from > CAST(:month AS date))
      AND e.id > COALESCE(CAST(:cursor AS uuid), CAST(:after_id AS uuid)) AND e.id <= CAST(:up_to_id AS uuid)
    ORDER BY e.id
    LIMIT :batch_size
), inserted AS (
    INSERT INTO payments (id, run_id, entitlement_id, case_id, person_id, household_id, benefit, month, amount_fen,
                          status, payee_kind, facility_id)
    SELECT uuid_v7(), CAST(:run_id AS uuid), b.id, b.case_id, b.person_id, b.household_id, b.benefit,
           CAST(:month AS date), amount.total_fen, 'due',
           CASE WHEN stay.facility_id IS NULL THEN 'person' ELSE 'facility' END, stay.facility_id
    FROM batch b
    JOIN LATERAL (
        SELECT a.total_fen FROM entitlement_amounts a
        WHERE a.entitlement_id = b.id AND a.from_month <= CAST(:month AS date)
        ORDER BY a.from_month DESC LIMIT 1
    ) amount ON amount.total_fen > 0
    LEFT JOIN LATERAL ("""  # noqa: S608
    + PAYING_STAY.format(person="b.person_id", month="CAST(:month AS date)")
    + """) stay ON b.benefit = 'tekun'
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
INSERT INTO payments (id, run_id, grant_id, case_id, person_id, household_id, benefit, month, amount_fen, status,
                      payee_kind)
SELECT uuid_v7(), CAST(:run_id AS uuid), o.grant_id, o.application_id, NULL, o.household_id, 'temporary',
       CAST(:month AS date), o.amount_fen, 'due', 'household'
FROM one_off_payments o
WHERE o.district_code = :district_code AND o.granted_on < CAST(:month AS date) + INTERVAL '1 month'
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.grant_id = o.grant_id)
ON CONFLICT DO NOTHING
"""
)


# Back pay (补发): a month already paid in a released run at less than the amount now in force for it
# (a standard raised with a past effective date) gets the difference, less any earlier top-ups, paid to whom
# the month was paid.
PREPARE_BACK_PAY = text(
    """
INSERT INTO payments (id, run_id, entitlement_id, case_id, person_id, household_id, benefit, month, amount_fen, status,
                      payee_kind, facility_id)
SELECT uuid_v7(), CAST(:run_id AS uuid), p.entitlement_id, p.case_id, p.person_id, p.household_id, 'back_pay',
       p.month, owed.total_fen - p.amount_fen - COALESCE(topped.amount, 0), 'due', p.payee_kind, p.facility_id
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
WHERE e.district_code = :district_code AND p.benefit IN ('dibao', 'tekun') AND p.status IN ('due', 'sent', 'paid')
  AND p.month < CAST(:month AS date)
  AND owed.total_fen - p.amount_fen - COALESCE(topped.amount, 0) > 0
ON CONFLICT DO NOTHING
"""
)


async def prepare_back_pay(session: AsyncSession, parameters: dict[str, object]) -> None:
    await session.execute(PREPARE_BACK_PAY, parameters)


async def prepare_batch(session: AsyncSession, parameters: dict[str, object]) -> tuple[UUID | None, int, int]:
    # A batch and its cursor commit together or not at all, and a lost batch is prepared again on resume:
    # its commit need not wait for the disk (a later synchronous commit, such as the release, flushes it).
    await session.execute(text("SET LOCAL synchronous_commit = off"))
    row = (await session.execute(PREPARE_BATCH, parameters)).one()
    return row.last_id, int(row.scanned), int(row.added)


async def run_for(
    session: AsyncSession, district_code: str, month: date, *, for_update: bool = False
) -> PaymentRun | None:
    query = select(PaymentRun).where(PaymentRun.district_code == district_code, PaymentRun.month == month)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def runs(
    session: AsyncSession, scope: Scope, *, district_code: str | None, month: date | None, limit: int
) -> list[PaymentRun]:
    """The runs in scope, the latest month first."""
    query = select(PaymentRun).where(in_scope(PaymentRun.district_code, scope))
    if district_code is not None:
        query = query.where(PaymentRun.district_code == district_code)
    if month is not None:
        query = query.where(PaymentRun.month == month)
    query = query.order_by(PaymentRun.month.desc(), PaymentRun.district_code).limit(limit)
    return list(await session.scalars(query))


async def run(
    session: AsyncSession, run_id: UUID, scope: Scope, *, for_update: bool = False
) -> PaymentRun | None:
    query = select(PaymentRun).where(PaymentRun.id == run_id)
    query = query.where(in_scope(PaymentRun.district_code, scope))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def run_totals(session: AsyncSession, run_id: UUID) -> dict[str, tuple[int, int]]:
    """(payments, total fen) of a run by status, derived from its payments rather than kept as counters."""
    rows = await session.execute(
        select(Payment.status, func.count(), func.sum(Payment.amount_fen))
        .where(Payment.run_id == run_id)
        .group_by(Payment.status)
    )
    return {status: (int(count), int(total)) for status, count, total in rows}


# The entitlements a run of the month will scan: its progress bar's total.
COUNT_DUE = text(
    """
SELECT count(*) FROM entitlements e
WHERE e.district_code = :district_code
  AND e.start_month <= CAST(:month AS date)
  AND (e.end_month IS NULL OR e.end_month > CAST(:month AS date))
  AND (e.suspended_from IS NULL OR e.suspended_from > CAST(:month AS date))
"""
)


async def count_due(session: AsyncSession, district_code: str, month: date) -> int:
    return int(await session.scalar(COUNT_DUE, {"district_code": district_code, "month": month}) or 0)


async def add_slices(session: AsyncSession, slices: list[PaymentRunSlice]) -> None:
    session.add_all(slices)
    await session.flush()


async def free_slice(session: AsyncSession, run_id: UUID) -> PaymentRunSlice | None:
    """A slice still to prepare that no other worker holds, locked until the transaction ends."""
    return await session.scalar(
        select(PaymentRunSlice)
        .where(PaymentRunSlice.run_id == run_id, PaymentRunSlice.done.is_(False))
        .order_by(PaymentRunSlice.slice)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


async def slice_progress(session: AsyncSession, run_id: UUID) -> tuple[int, int]:
    """(entitlements scanned, slices not done) of a run."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(PaymentRunSlice.scanned), 0),
                func.count().filter(PaymentRunSlice.done.is_(False)),
            ).where(PaymentRunSlice.run_id == run_id)
        )
    ).one()
    return int(row[0]), int(row[1])


async def runs_preparing(session: AsyncSession) -> list[UUID]:
    return list(await session.scalars(select(PaymentRun.id).where(PaymentRun.status == "preparing")))


async def prepare_one_offs(session: AsyncSession, parameters: dict[str, object]) -> None:
    await session.execute(PREPARE_ONE_OFFS, parameters)
