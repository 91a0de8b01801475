"""Writes of the read models kept from other services' topics; each is safe to repeat (ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.models import (
    Beneficiary,
    CareLevelFact,
    Case,
    CaseAmount,
    Household,
    HouseholdMember,
    Membership,
    Payment,
    Placement,
    RosterEntry,
)


async def newer_household(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert or replace a household's row if `values` is a newer version, or the same one announced again (with
    the match keys of a rotated matching key: `safetynet announce-households`); True when it was applied."""
    statement = insert(Household).values(values)
    applied = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Household.household_id],
            set_={k: statement.excluded[k] for k in values if k != "household_id"},
            where=Household.version <= statement.excluded.version,
        ).returning(Household.household_id)
    )
    return applied.first() is not None


async def replace_members(
    session: AsyncSession, household_id: UUID, members: Sequence[dict[str, Any]]
) -> None:
    await session.execute(delete(HouseholdMember).where(HouseholdMember.household_id == household_id))
    await session.execute(insert(HouseholdMember), list(members))


async def add_memberships(
    session: AsyncSession, household_id: UUID, persons: Sequence[UUID], on: date
) -> None:
    """Each person seen in the household from `on`, or earlier if already seen earlier."""
    statement = insert(Membership).values(
        [{"person_id": p, "household_id": household_id, "first_recorded_on": on} for p in persons]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Membership.person_id, Membership.household_id],
            set_={"first_recorded_on": statement.excluded.first_recorded_on},
            where=Membership.first_recorded_on > statement.excluded.first_recorded_on,
        )
    )


async def add_beneficiaries(
    session: AsyncSession, case_id: UUID, amounts: Sequence[tuple[UUID, int]], from_month: date
) -> None:
    """Persons covered from `from_month` at their monthly totals; covering an ended person again reopens them."""
    covered = insert(Beneficiary).values(
        [{"case_id": case_id, "person_id": p, "covered_from": from_month} for p, _ in amounts]
    )
    await session.execute(
        covered.on_conflict_do_update(
            index_elements=[Beneficiary.case_id, Beneficiary.person_id],
            set_={"ended_from": None, "end_reason": None},
            where=Beneficiary.ended_from.is_not(None),
        )
    )
    decided = insert(CaseAmount).values(
        [{"case_id": case_id, "person_id": p, "from_month": from_month, "total_fen": t} for p, t in amounts]
    )
    await session.execute(
        decided.on_conflict_do_update(
            index_elements=[CaseAmount.case_id, CaseAmount.person_id, CaseAmount.from_month],
            set_={"total_fen": decided.excluded.total_fen},
        )
    )


async def end_beneficiaries(
    session: AsyncSession, case_id: UUID, from_month: date, reason: str, persons: Sequence[UUID] | None = None
) -> None:
    """End coverage from `from_month` of `persons` (None: everyone of the case not covered from it)."""
    chosen = (
        Beneficiary.person_id.in_(persons) if persons is not None else Beneficiary.covered_from < from_month
    )
    await session.execute(
        update(Beneficiary)
        .where(Beneficiary.case_id == case_id, Beneficiary.ended_from.is_(None), chosen)
        .values(ended_from=from_month, end_reason=reason)
    )


async def schedule_review(session: AsyncSession, case_id: UUID, due: date, at: datetime) -> None:
    await session.execute(
        update(Case)
        .where(Case.case_id == case_id, or_(Case.review_set_at.is_(None), Case.review_set_at < at))
        .values(next_review_due=due, review_set_at=at)
    )


async def record_payment(session: AsyncSession, values: dict[str, Any]) -> None:
    """A payment's latest state: the bank's last report about it wins (its events arrive in order)."""
    statement = insert(Payment).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Payment.payment_id],
            set_={"status": statement.excluded.status, "reported_on": statement.excluded.reported_on},
        )
    )


async def move_placement(session: AsyncSession, placement_id: UUID, **values: Any) -> bool:
    """Change a known stay; False when its admission has not arrived."""
    moved = await session.execute(
        update(Placement)
        .where(Placement.placement_id == placement_id)
        .values(**values)
        .returning(Placement.placement_id)
    )
    return moved.first() is not None


async def roster_entry(session: AsyncSession, values: dict[str, Any], changes: Sequence[str]) -> None:
    """Insert a roster entry, or set `changes` on the one there: an enrolment its start, a removal its end."""
    statement = insert(RosterEntry).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[RosterEntry.roster_entry_id], set_={k: statement.excluded[k] for k in changes}
        )
    )


async def assess_care(session: AsyncSession, facts: Sequence[dict[str, Any]]) -> None:
    """Care levels as assessed on their days; a second assessment the same day replaces the first (a case's
    events arrive in order, so a replay ends on the same one)."""
    statement = insert(CareLevelFact).values(list(facts))
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[CareLevelFact.case_id, CareLevelFact.person_id, CareLevelFact.assessed_on],
            set_={"care_level": statement.excluded.care_level},
        )
    )
