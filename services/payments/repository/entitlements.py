"""Queries about entitlements and the grants to pay, kept from eligibility's events."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

from sqlalchemy import select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import Entitlement, EntitlementAmount, OneOffPayment, Payment
from shared.db import Scope, in_scope, insert_if_absent


async def entitlements_of_case(
    session: AsyncSession, case_id: UUID, *, for_update: bool = False
) -> list[Entitlement]:
    query = select(Entitlement).where(Entitlement.case_id == case_id).order_by(Entitlement.person_id)
    if for_update:
        query = query.with_for_update()
    return list(await session.scalars(query))


async def entitlements_of_cases(
    session: AsyncSession, case_ids: Collection[UUID], *, for_update: bool = False
) -> dict[UUID, list[Entitlement]]:
    """`entitlements_of_case` for several cases in one statement; a case with none is absent."""
    query = select(Entitlement).where(Entitlement.case_id.in_(list(case_ids))).order_by(Entitlement.person_id)
    if for_update:
        query = query.with_for_update()
    found: dict[UUID, list[Entitlement]] = {}
    for entitlement in await session.scalars(query):
        found.setdefault(entitlement.case_id, []).append(entitlement)
    return found


async def add_entitlements(
    session: AsyncSession, rows: list[dict[str, object]]
) -> dict[tuple[UUID, UUID, str], UUID]:
    """`add_entitlement` for many in two statements: the ids of the entitlements that stand, by (case, person,
    benefit)."""
    if rows:
        await session.execute(insert(Entitlement).values(rows).on_conflict_do_nothing())
    keys = {(r["case_id"], r["person_id"], r["benefit"]) for r in rows}
    standing = await session.execute(
        select(Entitlement.id, Entitlement.case_id, Entitlement.person_id, Entitlement.benefit).where(
            tuple_(Entitlement.case_id, Entitlement.person_id, Entitlement.benefit).in_(list(keys))
        )
    )
    return {(row.case_id, row.person_id, row.benefit): row.id for row in standing}


async def set_amounts(session: AsyncSession, amounts: list[dict[str, object]]) -> None:
    """`set_amount` for many in one statement; of several for one entitlement and month, the last stands."""
    last = list({(a["entitlement_id"], a["from_month"]): a for a in amounts}.values())
    statement = insert(EntitlementAmount).values(last)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[EntitlementAmount.entitlement_id, EntitlementAmount.from_month],
            set_={
                key: statement.excluded[key] for key in last[0] if key not in {"entitlement_id", "from_month"}
            },
        )
    )


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
    session: AsyncSession, case_id: UUID, person_ids: list[UUID], end_month: date, reason: str
) -> int:
    result = await session.execute(
        update(Entitlement)
        .where(
            Entitlement.case_id == case_id,
            Entitlement.person_id.in_(person_ids),
            Entitlement.end_month.is_(None),
        )
        .values(end_month=end_month, end_reason=reason)
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


async def one_offs(
    session: AsyncSession, scope: Scope, household_id: UUID | None
) -> list[tuple[OneOffPayment, str | None]]:
    """Each grant with the status of its live payment (None until a run includes it)."""
    query = (
        select(OneOffPayment, Payment.status)
        .outerjoin(Payment, (Payment.grant_id == OneOffPayment.grant_id) & (Payment.status != "reissued"))
        .where(in_scope(OneOffPayment.district_code, scope))
        .order_by(OneOffPayment.granted_on, OneOffPayment.grant_id)
    )
    if household_id is not None:
        query = query.where(OneOffPayment.household_id == household_id)
    return [(grant, status) for grant, status in await session.execute(query)]


# Payments for months the beneficiary is no longer due that hold no money out — not yet sent, or refused
# by the bank — are cancelled: never sent, never retried or reissued.
CANCEL_UNSENT = text(
    """
UPDATE payments p SET status = 'cancelled'
FROM entitlements e
WHERE e.id = p.entitlement_id AND e.case_id = CAST(:case_id AS uuid) AND e.end_month IS NOT NULL
  AND p.month >= e.end_month AND p.status IN ('due', 'failed')
"""
)


async def ended_before(session: AsyncSession, entitlement_id: UUID | None, month: date) -> bool:
    """Whether the entitlement had ended by `month` (a temporary grant, without one, never has)."""
    if entitlement_id is None:
        return False
    end = await session.scalar(select(Entitlement.end_month).where(Entitlement.id == entitlement_id))
    return end is not None and end <= month


async def cancel_unsent(session: AsyncSession, case_id: UUID) -> None:
    await session.execute(CANCEL_UNSENT, {"case_id": case_id})
