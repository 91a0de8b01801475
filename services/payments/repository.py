"""All queries of the payments service."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import ColumnElement, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import Entitlement, EntitlementAmount, OneOffPayment

# The districts a caller may see, or None for a city-wide caller.
Scope = frozenset[str] | None


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    return true() if scope is None else Entitlement.district_code.in_(scope)


async def entitlements_of_case(
    session: AsyncSession, case_id: UUID, *, for_update: bool = False
) -> list[Entitlement]:
    query = select(Entitlement).where(Entitlement.case_id == case_id).order_by(Entitlement.person_id)
    if for_update:
        query = query.with_for_update()
    return list(await session.scalars(query))


async def add_entitlement(session: AsyncSession, entitlement: Entitlement) -> Entitlement:
    """Insert unless the (case, person, benefit) already has one; returns the one that stands."""
    values = {
        c.key: getattr(entitlement, c.key)
        for c in Entitlement.__table__.columns
        if getattr(entitlement, c.key) is not None
    }
    await session.execute(insert(Entitlement).values(values).on_conflict_do_nothing())
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


async def add_one_off(session: AsyncSession, payment: OneOffPayment) -> None:
    values = {c.key: getattr(payment, c.key) for c in OneOffPayment.__table__.columns}
    await session.execute(insert(OneOffPayment).values(values).on_conflict_do_nothing())


async def entitlements(
    session: AsyncSession, scope: Scope, *, case_id: UUID | None, person_id: UUID | None
) -> list[tuple[Entitlement, list[EntitlementAmount]]]:
    query = select(Entitlement).where(_in_scope(scope)).order_by(Entitlement.case_id, Entitlement.person_id)
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
    if scope is not None:
        query = query.where(OneOffPayment.district_code.in_(scope))
    if household_id is not None:
        query = query.where(OneOffPayment.household_id == household_id)
    return list(await session.scalars(query))
