"""Queries of the household registry; every one is limited to the caller's district scope."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.models import (
    Household,
    HouseholdMember,
    HouseholdVersion,
    Person,
    StaffRelative,
)
from shared.db import Scope, in_scope


async def persons_by_index(session: AsyncSession, indexes: list[bytes]) -> dict[bytes, Person]:
    rows = await session.scalars(select(Person).where(Person.id_number_index.in_(indexes)))
    return {person.id_number_index: person for person in rows}


async def other_households_of(
    session: AsyncSession, person_ids: list[UUID], household_id: UUID | None
) -> dict[UUID, UUID]:
    """For each person already in a household other than `household_id`: that household."""
    query = select(HouseholdMember.person_id, HouseholdMember.household_id).where(
        HouseholdMember.person_id.in_(person_ids)
    )
    if household_id is not None:
        query = query.where(HouseholdMember.household_id != household_id)
    return {row.person_id: row.household_id for row in await session.execute(query)}


async def household(
    session: AsyncSession, household_id: UUID, scope: Scope, *, for_update: bool = False
) -> Household | None:
    query = select(Household).where(Household.id == household_id, in_scope(Household.district_code, scope))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def household_of_person(session: AsyncSession, household_id: UUID, person_id: UUID) -> Household | None:
    """An applicant's own household, and only theirs."""
    return await session.scalar(
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(Household.id == household_id, HouseholdMember.person_id == person_id)
    )


async def members_of(session: AsyncSession, household_id: UUID) -> list[tuple[HouseholdMember, Person]]:
    rows = await session.execute(
        select(HouseholdMember, Person)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(HouseholdMember.relation != "head", Person.birth_date)
    )
    return [(member, person) for member, person in rows]


async def replace_members(session: AsyncSession, household_id: UUID, members: list[HouseholdMember]) -> None:
    await session.execute(delete(HouseholdMember).where(HouseholdMember.household_id == household_id))
    session.add_all(members)
    await session.flush()


async def households_page(
    session: AsyncSession, scope: Scope, *, district_code: str | None, offset: int, limit: int
) -> tuple[list[tuple[Household, int]], int]:
    conditions = [in_scope(Household.district_code, scope)]
    if district_code is not None:
        conditions.append(Household.district_code == district_code)
    total = await session.scalar(select(func.count()).select_from(Household).where(*conditions))
    members = (
        select(func.count())
        .where(HouseholdMember.household_id == Household.id)
        .correlate(Household)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Household, members)
        .where(*conditions)
        .order_by(Household.updated_at.desc(), Household.id)
        .offset(offset)
        .limit(limit)
    )
    return [(row[0], int(row[1])) for row in rows], int(total or 0)


async def household_versions(session: AsyncSession, household_id: UUID) -> list[HouseholdVersion]:
    return list(
        await session.scalars(
            select(HouseholdVersion)
            .where(HouseholdVersion.household_id == household_id)
            .order_by(HouseholdVersion.version)
        )
    )


async def households_after(
    session: AsyncSession, after: UUID | None, limit: int
) -> list[tuple[Household, list[tuple[UUID, str, bytes]]]]:
    """The next `limit` households by id after `after`, each with its members as (person id, relation,
    encrypted resident ID): the whole registry, page by page, for announcing it again."""
    query = select(Household).order_by(Household.id).limit(limit)
    if after is not None:
        query = query.where(Household.id > after)
    households = list(await session.scalars(query))
    members: dict[UUID, list[tuple[UUID, str, bytes]]] = {h.id: [] for h in households}
    rows = await session.execute(
        select(
            HouseholdMember.household_id,
            HouseholdMember.person_id,
            HouseholdMember.relation,
            Person.id_number_cipher,
        )
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id.in_(list(members)))
        .order_by(HouseholdMember.household_id, HouseholdMember.relation != "head", Person.birth_date)
    )
    for household_id, person_id, relation, cipher in rows:
        members[household_id].append((person_id, relation, cipher))
    return [(household, members[household.id]) for household in households]


async def relatives_after(
    session: AsyncSession, after: UUID | None, limit: int
) -> list[tuple[StaffRelative, bytes | None]]:
    """The next `limit` entries of the relatives register by id after `after`, each with the encrypted resident
    ID of the registered person it names (None if the relative is in no household: the register keeps only
    the ID's blind index)."""
    query = (
        select(StaffRelative, Person.id_number_cipher)
        .outerjoin(Person, Person.id_number_index == StaffRelative.person_index)
        .order_by(StaffRelative.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(StaffRelative.id > after)
    return [(relative, cipher) for relative, cipher in await session.execute(query)]
