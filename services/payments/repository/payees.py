"""Queries of payee accounts: the current version per owner, its history, and owners sharing an account."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import CompoundSelect, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import Entitlement, FacilityStay, OneOffPayment, PayeeAccount
from shared.db import Scope


async def owner_district(session: AsyncSession, owner_kind: str, owner_id: UUID, scope: Scope) -> str | None:
    """The district of a beneficiary (person), household or care facility this service pays, if it is in the
    scope. A facility is known from its residents' stays, in the facility's district."""
    known: Select[str] | CompoundSelect[str]
    if owner_kind == "person":
        known = select(Entitlement.district_code).where(Entitlement.person_id == owner_id)
    elif owner_kind == "facility":
        known = select(FacilityStay.district_code).where(FacilityStay.facility_id == owner_id).distinct()
    else:
        known = (
            select(Entitlement.district_code)
            .where(Entitlement.household_id == owner_id)
            .union(select(OneOffPayment.district_code).where(OneOffPayment.household_id == owner_id))
        )
    districts = {code for code in await session.scalars(known)}
    in_reach = sorted(code for code in districts if scope is None or code in scope)
    return in_reach[0] if in_reach else None


async def current(
    session: AsyncSession, owner_kind: str, owner_id: UUID, *, for_update: bool = False
) -> PayeeAccount | None:
    query = select(PayeeAccount).where(
        PayeeAccount.owner_kind == owner_kind,
        PayeeAccount.owner_id == owner_id,
        PayeeAccount.superseded_at.is_(None),
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def history(session: AsyncSession, owner_kind: str, owner_id: UUID) -> list[PayeeAccount]:
    return list(
        await session.scalars(
            select(PayeeAccount)
            .where(PayeeAccount.owner_kind == owner_kind, PayeeAccount.owner_id == owner_id)
            .order_by(PayeeAccount.created_at.desc(), PayeeAccount.id)
        )
    )


async def replace(session: AsyncSession, account: PayeeAccount) -> None:
    """Supersede the owner's current account, if any, and make `account` current."""
    await session.execute(
        update(PayeeAccount)
        .where(
            PayeeAccount.owner_kind == account.owner_kind,
            PayeeAccount.owner_id == account.owner_id,
            PayeeAccount.superseded_at.is_(None),
        )
        .values(superseded_at=datetime.now(UTC))
    )
    session.add(account)
    await session.flush()


async def owners_sharing(session: AsyncSession, account_index: bytes, owner_id: UUID) -> int:
    """Other owners whose current account is the same number: several beneficiaries paid into one
    account is a sign oversight wants to see."""
    return int(
        await session.scalar(
            select(func.count()).where(
                PayeeAccount.account_index == account_index,
                PayeeAccount.superseded_at.is_(None),
                PayeeAccount.owner_id != owner_id,
            )
        )
        or 0
    )
