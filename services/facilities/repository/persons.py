"""Queries of the read model kept from `eligibility.case.v1`: cases, 特困 members and care levels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.facilities.models import CareLevel, Case, TekunMember


async def case(session: AsyncSession, case_id: UUID) -> Case | None:
    return await session.get(Case, case_id)


async def add_cases(session: AsyncSession, cases: Sequence[dict[str, object]]) -> None:
    """The cases, in one statement; a case already recorded (a redelivered approval) stays as it is."""
    await session.execute(insert(Case).on_conflict_do_nothing(), list(cases))


async def add_members(
    session: AsyncSession, case_id: UUID, district_code: str, persons: Sequence[UUID], on: date
) -> None:
    """The case's people from `on`; a member already recorded (a redelivered approval) stays as it is."""
    await session.execute(
        insert(TekunMember).on_conflict_do_nothing(),
        [
            {"case_id": case_id, "person_id": p, "district_code": district_code, "active_from": on}
            for p in persons
        ],
    )


async def member(session: AsyncSession, case_id: UUID, person_id: UUID) -> TekunMember | None:
    return await session.scalar(
        select(TekunMember)
        .where(TekunMember.case_id == case_id, TekunMember.person_id == person_id)
        .with_for_update()
    )


async def end_members(
    session: AsyncSession, case_id: UUID, persons: Sequence[UUID], until: date, reason: str
) -> list[UUID]:
    """End the still-active members; returns whose support ended now (none on a replay)."""
    result = await session.execute(
        update(TekunMember)
        .where(
            TekunMember.case_id == case_id,
            TekunMember.person_id.in_(persons),
            TekunMember.active_until.is_(None),
        )
        .values(active_until=until, end_reason=reason)
        .returning(TekunMember.person_id)
    )
    return list(result.scalars())


async def record_care_level(session: AsyncSession, row: CareLevel) -> None:
    """A care-level fact; of two on one day the later event's wins, so replays change nothing."""
    statement = insert(CareLevel).values(
        person_id=row.person_id, assessed_on=row.assessed_on, care_level=row.care_level, event_at=row.event_at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CareLevel.person_id, CareLevel.assessed_on],
            set_={"care_level": statement.excluded.care_level, "event_at": statement.excluded.event_at},
            where=CareLevel.event_at < statement.excluded.event_at,
        )
    )


async def latest_care_level(session: AsyncSession, person_id: UUID) -> str | None:
    return await session.scalar(
        select(CareLevel.care_level)
        .where(CareLevel.person_id == person_id)
        .order_by(CareLevel.assessed_on.desc(), CareLevel.event_at.desc())
        .limit(1)
    )
