"""Queries of the insured roster read model, and of the identity an insurer may ask for."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.models import Household, HouseholdMember, InsuredPerson, Person


async def record_enrolments(session: AsyncSession, entries: list[dict[str, object]]) -> None:
    """Insert each entry, or bring it up to date: a re-enrolment after a removal puts the person back on."""
    await _upsert(
        session,
        entries,
        updated=["district_code", "cover_from", "enrolled_event_id"],
        cleared=["cover_until", "removal_reason", "removed_event_id"],
    )


async def record_removals(session: AsyncSession, entries: list[dict[str, object]]) -> None:
    """Set each entry's end of cover; an entry whose enrolment never arrived is kept with its start unknown."""
    await _upsert(
        session,
        entries,
        updated=["district_code", "cover_until", "removal_reason", "removed_event_id"],
        cleared=[],
    )


async def _upsert(
    session: AsyncSession, entries: list[dict[str, object]], *, updated: list[str], cleared: list[str]
) -> None:
    """Insert each entry, or set `updated` from its event and clear `cleared` on the one there; one statement.

    Of several events for one entry in a run, the last is applied: each sets every column the earlier ones
    set, so the result is the same as applying them in order (and one statement may touch a row only once).
    """
    last = list({entry["roster_entry_id"]: entry for entry in entries}.values())
    statement = insert(InsuredPerson).values(last)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[InsuredPerson.roster_entry_id],
            set_={
                **{column: statement.excluded[column] for column in updated},
                **dict.fromkeys(cleared),
                "updated_at": func.now(),
            },
        )
    )


async def entries_with_insurer(
    session: AsyncSession, person_id: UUID, insurer_id: UUID
) -> list[InsuredPerson]:
    """The person's roster entries with one insurer, oldest policy year first."""
    return list(
        await session.scalars(
            select(InsuredPerson)
            .where(InsuredPerson.person_id == person_id, InsuredPerson.insurer_id == insurer_id)
            .order_by(InsuredPerson.policy_year, InsuredPerson.cover_from.nulls_first())
        )
    )


async def person_and_district(session: AsyncSession, person_id: UUID) -> tuple[Person, str | None] | None:
    """The registered person and the district of their household (None if they are in none)."""
    row = (
        await session.execute(
            select(Person, Household.district_code)
            .outerjoin(HouseholdMember, HouseholdMember.person_id == Person.id)
            .outerjoin(Household, Household.id == HouseholdMember.household_id)
            .where(Person.id == person_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])
