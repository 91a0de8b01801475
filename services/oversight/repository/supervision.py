"""Queries of supervision: the pools a draw samples from (the `cases` read model), inspection teams, draws and
their sampled cases, always within the caller's districts."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.models import (
    Beneficiary,
    Case,
    HouseholdMember,
    InspectionTeam,
    SpotCheck,
    SpotCheckDraw,
    StaffRelative,
)
from shared.db import Scope, in_scope


async def case_in_district(session: AsyncSession, case_id: UUID, district_code: str) -> bool:
    found = await session.scalar(
        select(Case.case_id).where(Case.case_id == case_id, Case.district_code == district_code)
    )
    return found is not None


async def pools(
    session: AsyncSession, district_code: str, period_from: date, period_to: date
) -> tuple[list[UUID], list[UUID]]:
    """(new cases, relatives' cases) of a district. New: approved within the period. Relatives': a household
    member is in the staff-relatives register, and the case is new or was approved earlier and still covers
    someone at the period's end. A relatives' case is in that pool only."""
    relative_in_household = exists(
        select(HouseholdMember.person_id)
        .join(StaffRelative, StaffRelative.match_key == HouseholdMember.match_key)
        .where(HouseholdMember.household_id == Case.household_id)
    )
    still_covering = exists(
        select(Beneficiary.person_id).where(
            Beneficiary.case_id == Case.case_id,
            (Beneficiary.ended_from.is_(None)) | (Beneficiary.ended_from > period_to),
        )
    )
    rows = await session.execute(
        select(Case.case_id, relative_in_household.label("relative"), Case.decided_on).where(
            Case.district_code == district_code,
            Case.decided_on <= period_to,
            (Case.decided_on >= period_from) | still_covering,
        )
    )
    new, relatives = [], []
    for case_id, relative, decided_on in rows:
        if relative:
            relatives.append(case_id)
        elif decided_on >= period_from:
            new.append(case_id)
    return new, relatives


async def add_sample(session: AsyncSession, draw_id: UUID, reasons: dict[UUID, str]) -> None:
    if reasons:
        await session.execute(
            insert(SpotCheck),
            [{"draw_id": draw_id, "case_id": case_id, "reason": why} for case_id, why in reasons.items()],
        )


async def team(session: AsyncSession, scope: Scope, team_id: UUID) -> InspectionTeam | None:
    return await session.scalar(
        select(InspectionTeam).where(
            InspectionTeam.id == team_id, in_scope(InspectionTeam.district_code, scope)
        )
    )


async def team_named(session: AsyncSession, district_code: str, name: str) -> InspectionTeam | None:
    return await session.scalar(
        select(InspectionTeam).where(
            InspectionTeam.district_code == district_code, InspectionTeam.name == name
        )
    )


async def teams(
    session: AsyncSession, scope: Scope, *, district_code: str | None, limit: int, offset: int
) -> tuple[list[InspectionTeam], int]:
    chosen = select(InspectionTeam).where(in_scope(InspectionTeam.district_code, scope))
    if district_code is not None:
        chosen = chosen.where(InspectionTeam.district_code == district_code)
    total = await session.scalar(select(func.count()).select_from(chosen.subquery()))
    rows = await session.scalars(
        chosen.order_by(InspectionTeam.name, InspectionTeam.id).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


async def draw(session: AsyncSession, scope: Scope, draw_id: UUID) -> SpotCheckDraw | None:
    return await session.scalar(
        select(SpotCheckDraw).where(SpotCheckDraw.id == draw_id, in_scope(SpotCheckDraw.district_code, scope))
    )


async def sample(
    session: AsyncSession, draw_id: UUID, *, limit: int, offset: int
) -> tuple[list[SpotCheck], dict[str, int]]:
    """A page of a draw's sampled cases in case-id order, and how many of each reason it holds."""
    counted = await session.execute(
        select(SpotCheck.reason, func.count()).where(SpotCheck.draw_id == draw_id).group_by(SpotCheck.reason)
    )
    rows = await session.scalars(
        select(SpotCheck)
        .where(SpotCheck.draw_id == draw_id)
        .order_by(SpotCheck.case_id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), {reason: int(n) for reason, n in counted}


async def checks_of(session: AsyncSession, draw_id: UUID, case_ids: list[UUID] | None) -> list[SpotCheck]:
    """The draw's sampled cases (those of `case_ids`, or all), locked for an update."""
    chosen = select(SpotCheck).where(SpotCheck.draw_id == draw_id)
    if case_ids is not None:
        chosen = chosen.where(SpotCheck.case_id.in_(case_ids))
    return list(await session.scalars(chosen.order_by(SpotCheck.case_id).with_for_update()))
