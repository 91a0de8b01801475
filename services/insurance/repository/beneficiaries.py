"""Queries of the beneficiaries read model: eligibility's cases and the cover windows of their people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.insurance.models import Beneficiary, BeneficiaryCase


async def case(session: AsyncSession, case_id: UUID, *, for_update: bool = False) -> BeneficiaryCase | None:
    query = select(BeneficiaryCase).where(BeneficiaryCase.case_id == case_id)
    return await session.scalar(query.with_for_update() if for_update else query)


async def add_cases(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Cases first heard of; a case already known (a redelivered approval) stays as it is."""
    if rows:
        await session.execute(insert(BeneficiaryCase).on_conflict_do_nothing(), list(rows))


async def cases(session: AsyncSession, case_ids: Sequence[UUID]) -> dict[UUID, BeneficiaryCase]:
    """Several cases, locked for update, in one statement."""
    rows = await session.scalars(
        select(BeneficiaryCase).where(BeneficiaryCase.case_id.in_(list(case_ids))).with_for_update()
    )
    return {case.case_id: case for case in rows}


async def add_beneficiaries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Cover windows of a case; a window already there (a redelivered approval) stays as it is."""
    if rows:
        await session.execute(insert(Beneficiary).on_conflict_do_nothing(), list(rows))


async def latest_windows_of_case(session: AsyncSession, case_id: UUID) -> dict[UUID, Beneficiary]:
    """Each person's latest cover window in the case: the one a change of the case ends or follows."""
    rows = await session.scalars(
        select(Beneficiary)
        .ext(distinct_on(Beneficiary.person_id))
        .where(Beneficiary.case_id == case_id)
        .order_by(Beneficiary.person_id, Beneficiary.cover_start.desc())
    )
    return {window.person_id: window for window in rows}


async def end_windows(
    session: AsyncSession, case_id: UUID, person_ids: Sequence[UUID], cover_end: date, reason: str
) -> list[UUID]:
    """End the open windows of these people in the case; returns whose window ended."""
    result = await session.execute(
        update(Beneficiary)
        .where(
            Beneficiary.case_id == case_id,
            Beneficiary.person_id.in_(person_ids),
            Beneficiary.cover_end.is_(None),
        )
        .values(cover_end=cover_end, end_reason=reason)
        .returning(Beneficiary.person_id)
    )
    return list(result.scalars())


async def reopen_windows(session: AsyncSession, case_id: UUID, windows: Sequence[tuple[UUID, date]]) -> None:
    """Reopen these (person, cover start) windows of the case: cover carries on without a break."""
    if windows:
        await session.execute(
            update(Beneficiary)
            .where(
                Beneficiary.case_id == case_id,
                tuple_(Beneficiary.person_id, Beneficiary.cover_start).in_(list(windows)),
            )
            .values(cover_end=None, end_reason=None)
        )


async def windows_of(session: AsyncSession, person_ids: Sequence[UUID]) -> list[Any]:
    """Every cover window of these people, with the district of its case."""
    return list(
        await session.execute(
            select(
                Beneficiary.person_id,
                Beneficiary.cover_start,
                Beneficiary.cover_end,
                Beneficiary.categories,
                Beneficiary.end_reason,
                BeneficiaryCase.district_code,
            )
            .join(BeneficiaryCase, BeneficiaryCase.case_id == Beneficiary.case_id)
            .where(Beneficiary.person_id.in_(person_ids))
        )
    )
