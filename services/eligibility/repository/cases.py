"""Queries of cases and their beneficiaries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.models import (
    Case,
    CaseBeneficiary,
    CaseFinding,
    TemporaryGrant,
)
from shared.db import Scope, in_scope


async def add_case(session: AsyncSession, case: Case, beneficiaries: list[CaseBeneficiary]) -> None:
    session.add(case)
    await session.flush()
    session.add_all(beneficiaries)
    await session.flush()


async def case(
    session: AsyncSession, case_id: UUID, scope: Scope, *, for_update: bool = False
) -> Case | None:
    query = select(Case).where(Case.id == case_id, in_scope(Case.district_code, scope))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def case_of_application(session: AsyncSession, application_id: UUID) -> UUID | None:
    return await session.scalar(select(Case.id).where(Case.application_id == application_id))


async def beneficiaries_of(session: AsyncSession, case_id: UUID) -> list[CaseBeneficiary]:
    return list(
        await session.scalars(
            select(CaseBeneficiary)
            .where(CaseBeneficiary.case_id == case_id)
            .order_by(CaseBeneficiary.person_id)
        )
    )


async def persons_in_active_cases(session: AsyncSession, person_ids: list[UUID], program: str) -> list[UUID]:
    return list(
        await session.scalars(
            select(CaseBeneficiary.person_id).where(
                CaseBeneficiary.person_id.in_(person_ids),
                CaseBeneficiary.program == program,
                CaseBeneficiary.active,
            )
        )
    )


async def deactivate_beneficiaries(session: AsyncSession, case_id: UUID) -> list[UUID]:
    result = await session.execute(
        update(CaseBeneficiary)
        .where(CaseBeneficiary.case_id == case_id, CaseBeneficiary.active)
        .values(active=False)
        .returning(CaseBeneficiary.person_id)
    )
    return list(result.scalars())


async def grants_for(
    session: AsyncSession, person_ids: list[UUID], cause: str, since: date
) -> list[TemporaryGrant]:
    """Temporary grants to these persons for this cause on or after `since`."""
    return list(
        await session.scalars(
            select(TemporaryGrant).where(
                TemporaryGrant.person_id.in_(person_ids),
                TemporaryGrant.cause == cause,
                TemporaryGrant.granted_on >= since,
            )
        )
    )


async def cases_page(
    session: AsyncSession,
    scope: Scope,
    *,
    district_code: str | None,
    status: str | None,
    program: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Case], int]:
    """A page of the cases in scope, newest approval first, and how many there are in all."""
    conditions = [in_scope(Case.district_code, scope)]
    if district_code is not None:
        conditions.append(Case.district_code == district_code)
    if status is not None:
        conditions.append(Case.status == status)
    if program is not None:
        conditions.append(Case.program == program)
    total = await session.scalar(select(func.count()).select_from(Case).where(*conditions))
    rows = await session.scalars(
        select(Case).where(*conditions).order_by(Case.approved_on.desc(), Case.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def add_finding(session: AsyncSession, finding: dict[str, object]) -> bool:
    """Keeps a finding once however often it is delivered; False if it was kept already."""
    added = await session.execute(
        insert(CaseFinding).values(finding).on_conflict_do_nothing().returning(CaseFinding.finding_id)
    )
    return added.first() is not None


async def findings_of(session: AsyncSession, case_id: UUID) -> list[CaseFinding]:
    return list(
        await session.scalars(
            select(CaseFinding)
            .where(CaseFinding.case_id == case_id)
            .order_by(CaseFinding.found_on.desc(), CaseFinding.received_at.desc())
        )
    )
