"""All queries of the eligibility service."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, delete, func, select, text, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.domain.standards import Standards
from services.eligibility.models import (
    Application,
    ApplicationStep,
    Case,
    CaseBeneficiary,
    Household,
    HouseholdMember,
    HouseholdVersion,
    Person,
    Recalculation,
    StaffRelative,
    Standard,
)
from shared.contracts.eligibility import CASE_TOPIC

STANDARDS = TypeAdapter(Standards)


def standards_of(row: Standard) -> Standards:
    return STANDARDS.validate_python({**row.parameters, "effective_from": row.effective_from})


def parameters_of(standards: Standards) -> dict[str, Any]:
    dumped: dict[str, Any] = STANDARDS.dump_python(standards, mode="json")
    dumped.pop("effective_from")
    return dumped


async def city_standards(session: AsyncSession) -> list[Standard]:
    rows = await session.scalars(
        select(Standard).where(Standard.district_code.is_(None)).order_by(Standard.effective_from)
    )
    return list(rows)


async def standard_in_force(session: AsyncSession, day: date) -> Standard | None:
    return await session.scalar(
        select(Standard)
        .where(Standard.district_code.is_(None), Standard.effective_from <= day)
        .order_by(Standard.effective_from.desc())
        .limit(1)
    )


async def insert_standard_if_new(session: AsyncSession, row: Standard) -> bool:
    """Add a standard unless one with the same effective date and scope exists; True when added."""
    values = {
        column.key: getattr(row, column.key)
        for column in Standard.__table__.columns
        if getattr(row, column.key) is not None
    }
    result = await session.execute(
        insert(Standard).values(values).on_conflict_do_nothing().returning(Standard.id)
    )
    return result.scalar_one_or_none() is not None


async def count_cases_to_recalculate(session: AsyncSession, effective_from: date) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Case)
            .join(Standard, Standard.id == Case.standard_id)
            .where(Case.status == "active", Standard.effective_from < effective_from)
        )
        or 0
    )


async def unfinished_recalculations(session: AsyncSession) -> list[UUID]:
    return list(
        await session.scalars(select(Recalculation.standard_id).where(Recalculation.status != "done"))
    )


async def recalculation_for(session: AsyncSession, standard_id: UUID) -> Recalculation | None:
    return await session.scalar(
        select(Recalculation).where(Recalculation.standard_id == standard_id).with_for_update()
    )


# One batch of the recalculation after a standard change, in one statement: new components per
# beneficiary, new case totals, and a CaseAmountChanged in the outbox for every case that changed.
# Cases already computed at this standard (or a later one) are not selected, so a second run is a
# no-op; the keyset cursor makes a crashed run resume where it stopped.
RECALCULATE_BATCH = text(
    """
WITH batch AS (
    SELECT c.id, c.program, c.area, c.per_capita_income_fen, c.start_month
    FROM cases c JOIN standards s ON s.id = c.standard_id
    WHERE c.status = 'active' AND s.effective_from < CAST(:effective_from AS date)
      AND (CAST(:cursor AS uuid) IS NULL OR c.id > CAST(:cursor AS uuid))
    ORDER BY c.id
    LIMIT :batch_size
    FOR UPDATE OF c
), computed AS (
    SELECT cb.case_id, cb.person_id,
           cb.base_fen AS old_base, cb.add_on_fen AS old_add_on, cb.care_subsidy_fen AS old_care,
           CASE b.program
               WHEN 'dibao' THEN GREATEST(
                   (CASE b.area WHEN 'urban' THEN CAST(:dibao_urban_fen AS bigint) ELSE CAST(:dibao_rural_fen AS bigint) END) - b.per_capita_income_fen, 0)
               ELSE CAST(:tekun_basic_fen AS bigint)
           END AS base_fen,
           CASE WHEN b.program = 'dibao' THEN
                 (CASE WHEN 'disabled' = ANY(cb.add_on_kinds) THEN CAST(:add_on_disabled_fen AS bigint) ELSE 0 END)
               + (CASE WHEN 'severe' = ANY(cb.add_on_kinds) THEN CAST(:add_on_severe_fen AS bigint) ELSE 0 END)
               + (CASE WHEN 'child_student' = ANY(cb.add_on_kinds) THEN CAST(:add_on_child_student_fen AS bigint) ELSE 0 END)
           ELSE 0 END AS add_on_fen,
           CASE cb.care_level
               WHEN 'full_care' THEN CAST(:care_subsidy_full_fen AS bigint)
               WHEN 'half_care' THEN CAST(:care_subsidy_half_fen AS bigint)
               WHEN 'self_caring' THEN CAST(:care_subsidy_self_fen AS bigint)
               ELSE 0
           END AS care_subsidy_fen
    FROM case_beneficiaries cb JOIN batch b ON b.id = cb.case_id
    WHERE cb.active
), updated AS (
    UPDATE case_beneficiaries cb
    SET base_fen = x.base_fen, add_on_fen = x.add_on_fen, care_subsidy_fen = x.care_subsidy_fen
    FROM computed x
    WHERE cb.case_id = x.case_id AND cb.person_id = x.person_id
      AND (x.base_fen, x.add_on_fen, x.care_subsidy_fen) IS DISTINCT FROM (x.old_base, x.old_add_on, x.old_care)
), totals AS (
    SELECT case_id,
           SUM(base_fen + add_on_fen + care_subsidy_fen) AS total,
           BOOL_OR((base_fen, add_on_fen, care_subsidy_fen) IS DISTINCT FROM (old_base, old_add_on, old_care)) AS changed,
           JSONB_AGG(JSONB_BUILD_OBJECT(
               'person_id', person_id, 'base_fen', base_fen, 'add_on_fen', add_on_fen,
               'care_subsidy_fen', care_subsidy_fen, 'total_fen', base_fen + add_on_fen + care_subsidy_fen
           ) ORDER BY person_id) AS beneficiaries
    FROM computed GROUP BY case_id
), cases_updated AS (
    UPDATE cases c SET monthly_amount_fen = COALESCE(t.total, 0), standard_id = CAST(:standard_id AS uuid)
    FROM batch b LEFT JOIN totals t ON t.case_id = b.id
    WHERE c.id = b.id
), events AS (
    INSERT INTO outbox (event_id, topic, key, type, source, subject, occurred_at, payload, correlation_id)
    SELECT gen_random_uuid(), :topic, b.id::text, 'CaseAmountChanged', :source, b.id::text, now(),
           JSONB_BUILD_OBJECT(
               'case_id', b.id,
               'type', 'CaseAmountChanged',
               'from_month', TO_CHAR(GREATEST(CAST(:from_month AS date), b.start_month), 'YYYY-MM'),
               'beneficiaries', t.beneficiaries,
               'monthly_amount_fen', t.total,
               'back_pay_months', COALESCE((
                   SELECT JSONB_AGG(TO_CHAR(month, 'YYYY-MM') ORDER BY month)
                   FROM GENERATE_SERIES(GREATEST(CAST(:from_month AS date), b.start_month),
                                        CAST(:decided_month AS date), INTERVAL '1 month') AS month
               ), '[]'::jsonb),
               'reason', 'standard_change',
               'standard_id', CAST(:standard_id AS uuid),
               'decided_on', CAST(:decided_on AS date)
           ),
           :correlation_id
    FROM batch b JOIN totals t ON t.case_id = b.id
    WHERE t.changed
    RETURNING 1
)
SELECT (SELECT id FROM batch ORDER BY id DESC LIMIT 1) AS last_id,
       (SELECT COUNT(*) FROM batch) AS cases,
       (SELECT COUNT(*) FROM events) AS changed
"""
)


async def recalculate_batch(
    session: AsyncSession, parameters: dict[str, Any]
) -> tuple[UUID | None, int, int]:
    """Run one batch; returns (last case id, cases recalculated, cases whose amounts changed)."""
    row = (await session.execute(RECALCULATE_BATCH, {"topic": CASE_TOPIC, **parameters})).one()
    return row.last_id, int(row.cases), int(row.changed)


async def add_case(session: AsyncSession, case: Case, beneficiaries: list[CaseBeneficiary]) -> None:
    session.add(case)
    await session.flush()
    session.add_all(beneficiaries)
    await session.flush()


# District scope: the districts a caller may see, or None for a city-wide caller. Every household
# query takes it, so a route can never forget it.
Scope = frozenset[str] | None


def _in_scope(scope: Scope) -> ColumnElement[bool]:
    return true() if scope is None else Household.district_code.in_(scope)


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
    query = select(Household).where(Household.id == household_id, _in_scope(scope))
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
    conditions = [_in_scope(scope)]
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


def _application_in_scope(scope: Scope) -> ColumnElement[bool]:
    return true() if scope is None else Application.district_code.in_(scope)


async def application(
    session: AsyncSession, application_id: UUID, scope: Scope, *, for_update: bool = False
) -> Application | None:
    query = select(Application).where(Application.id == application_id, _application_in_scope(scope))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def steps_of(session: AsyncSession, application_id: UUID) -> list[ApplicationStep]:
    return list(
        await session.scalars(
            select(ApplicationStep)
            .where(ApplicationStep.application_id == application_id)
            .order_by(ApplicationStep.seq)
        )
    )


async def applications_page(
    session: AsyncSession,
    scope: Scope,
    *,
    district_code: str | None,
    state: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Application], int]:
    conditions = [_application_in_scope(scope)]
    if district_code is not None:
        conditions.append(Application.district_code == district_code)
    if state is not None:
        conditions.append(Application.state == state)
    total = await session.scalar(select(func.count()).select_from(Application).where(*conditions))
    rows = await session.scalars(
        select(Application)
        .where(*conditions)
        .order_by(Application.created_at.desc(), Application.id)
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)


OPEN_STATES = (
    "applied",
    "accepted",
    "investigating",
    "appraised",
    "township_reviewed",
    "public_notice",
    "refused",
    "rejected",
    "help_first_paid",
)


async def open_applications(
    session: AsyncSession, scope: Scope, district_code: str | None
) -> list[Application]:
    """Applications that may still owe a deadline (a refusal still owes its written notice)."""
    conditions = [_application_in_scope(scope), Application.state.in_(OPEN_STATES)]
    if district_code is not None:
        conditions.append(Application.district_code == district_code)
    return list(
        await session.scalars(select(Application).where(*conditions).order_by(Application.created_at))
    )


async def steps_of_many(
    session: AsyncSession, application_ids: list[UUID]
) -> dict[UUID, list[ApplicationStep]]:
    steps: dict[UUID, list[ApplicationStep]] = {application_id: [] for application_id in application_ids}
    for step in await session.scalars(
        select(ApplicationStep)
        .where(ApplicationStep.application_id.in_(application_ids))
        .order_by(ApplicationStep.seq)
    ):
        steps[step.application_id].append(step)
    return steps


async def registered_relatives(session: AsyncSession, person_indexes: list[bytes]) -> bool:
    return bool(
        await session.scalar(
            select(func.count())
            .select_from(StaffRelative)
            .where(StaffRelative.person_index.in_(person_indexes))
        )
    )


async def relatives_page(session: AsyncSession, scope: Scope) -> list[StaffRelative]:
    query = select(StaffRelative).order_by(StaffRelative.filed_at.desc())
    if scope is not None:
        query = query.where(StaffRelative.district_code.in_(scope))
    return list(await session.scalars(query))


async def insert_relative_if_new(session: AsyncSession, relative: StaffRelative) -> bool:
    values = {
        column.key: getattr(relative, column.key)
        for column in StaffRelative.__table__.columns
        if getattr(relative, column.key) is not None
    }
    result = await session.execute(
        insert(StaffRelative).values(values).on_conflict_do_nothing().returning(StaffRelative.id)
    )
    return result.scalar_one_or_none() is not None


def _case_in_scope(scope: Scope) -> ColumnElement[bool]:
    return true() if scope is None else Case.district_code.in_(scope)


async def case(
    session: AsyncSession, case_id: UUID, scope: Scope, *, for_update: bool = False
) -> Case | None:
    query = select(Case).where(Case.id == case_id, _case_in_scope(scope))
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
