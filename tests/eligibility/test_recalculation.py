"""A standard published for a past effective date: new amounts, back-pay months, events; idempotent, resumable."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.domain.standards import SEED_STANDARDS
from services.eligibility.models import Case, CaseBeneficiary, Household, Person, Standard
from services.eligibility.repository import cases as cases_queries
from services.eligibility.repository import standards as standards_queries
from services.eligibility.service import standards as service
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import CaseAmountChanged
from shared.db import UnitOfWork
from shared.messaging.tables import outbox

TODAY = date(2026, 11, 29)
NEW_EFFECTIVE = date(2026, 7, 1)  # announced in November, in force since July
NEW = replace(
    SEED_STANDARDS[-1],
    effective_from=NEW_EFFECTIVE,
    dibao_urban_fen=80_000,
    dibao_rural_fen=66_000,
    tekun_basic_fen=104_000,
)


async def add_case(
    uow: UnitOfWork,
    standard_id: UUID,
    *,
    program: str,
    area: str,
    per_capita_income_fen: int,
    start_month: date,
    members: list[tuple[list[str], str | None, tuple[int, int, int]]],
    status: str = "active",
) -> UUID:
    """A case as approval stores it; `members` are (add-on kinds, care level, (base, add-on, care) fen)."""
    case_id = uuid4()
    async with uow:
        persons = [
            Person(
                id=uuid4(),
                id_number_index=uuid4().bytes,
                id_number_cipher=b"x",
                name_cipher=b"x",
                birth_date=date(1960, 1, 1),
                created_by="test",
            )
            for _ in members
        ]
        uow.session.add_all(persons)
        household_id = uuid4()
        await uow.session.execute(
            insert(Household).values(
                id=household_id,
                district_code="500101",
                area=area,
                monthly_income_fen=0,
                facts={},
                version=1,
                updated_by="t",
            )
        )
        case = Case(
            id=case_id,
            household_id=household_id,
            program=program,
            district_code="500101",
            area=area,
            status=status,
            start_month=start_month,
            per_capita_income_fen=per_capita_income_fen,
            monthly_amount_fen=sum(sum(parts) for *_, parts in members),
            standard_id=standard_id,
            approved_by="reviewer-1",
            approved_on=start_month,
        )
        beneficiaries = [
            CaseBeneficiary(
                case_id=case_id,
                person_id=person.id,
                program=program,
                active=status == "active",
                add_on_kinds=kinds,
                care_level=care,
                base_fen=parts[0],
                add_on_fen=parts[1],
                care_subsidy_fen=parts[2],
                insurance_categories=[program],
            )
            for person, (kinds, care, parts) in zip(persons, members, strict=True)
        ]
        await cases_queries.add_case(uow.session, case, beneficiaries)
        await uow.commit()
    return case_id


async def case_events(engine: AsyncEngine) -> dict[UUID, CaseAmountChanged]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(outbox).where(outbox.c.type == "CaseAmountChanged"))).all()
    decoded = [
        registry.decode(row.type, row.event_id, row.occurred_at, json.loads(json.dumps(row.payload)))
        for row in rows
    ]
    events = {event.case_id: event for event in decoded if isinstance(event, CaseAmountChanged)}
    assert len(events) == len(rows), "one event per changed case"
    return events


@pytest.fixture
async def cases(new_uow: Callable[[], UnitOfWork]) -> dict[str, UUID]:
    assert await service.seed_standards(new_uow()) == len(SEED_STANDARDS)
    uow = new_uow()
    async with uow:
        current = await standards_queries.standard_in_force(uow.session, TODAY)
        assert current is not None and current.effective_from == date(2025, 7, 1)  # 770 / 630 / 1001
        standard_id = current.id
    return {
        # urban dibao, ¥300 per-capita income, two covered: (770 − 300) each; add-ons 40+60 and 100
        "urban": await add_case(
            new_uow(),
            standard_id,
            program="dibao",
            area="urban",
            per_capita_income_fen=30_000,
            start_month=date(2025, 8, 1),
            members=[
                (["disabled", "severe"], None, (47_000, 10_000, 0)),
                (["child_student"], None, (47_000, 10_000, 0)),
            ],
        ),
        # rural dibao approved in September at the old standard, before the raise was announced
        "rural": await add_case(
            new_uow(),
            standard_id,
            program="dibao",
            area="rural",
            per_capita_income_fen=0,
            start_month=date(2026, 9, 1),
            members=[([], None, (63_000, 0, 0))],
        ),
        "tekun": await add_case(
            new_uow(),
            standard_id,
            program="tekun",
            area="urban",
            per_capita_income_fen=0,
            start_month=date(2024, 5, 1),
            members=[([], "full_care", (100_100, 0, 30_000))],
        ),
        "ended": await add_case(
            new_uow(),
            standard_id,
            program="dibao",
            area="urban",
            per_capita_income_fen=0,
            start_month=date(2025, 8, 1),
            members=[([], None, (77_000, 0, 0))],
            status="terminated",
        ),
    }


async def test_a_standard_raised_retroactively_recalculates_every_active_case(
    new_uow: Callable[[], UnitOfWork], eligibility_engine: AsyncEngine, cases: dict[str, UUID]
) -> None:
    recalculation = await service.publish_standard(new_uow(), standards=NEW, published_by="admin-1")
    assert recalculation.cases_total == 3
    batches: list[int] = []
    done = await service.run_recalculation(
        new_uow, recalculation.standard_id, today=TODAY, batch_size=2, progress=batches.append
    )
    assert done.status == "done" and done.cases_changed == 3 and batches == [2, 1, 0]

    events = await case_events(eligibility_engine)
    assert set(events) == {cases["urban"], cases["rural"], cases["tekun"]}
    urban = events[cases["urban"]]
    assert urban.monthly_amount_fen == 2 * (80_000 - 30_000) + 10_000 + 10_000
    assert sorted(b.total_fen for b in urban.beneficiaries) == [60_000, 60_000]
    assert urban.from_month == "2026-07"
    assert urban.back_pay_months == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert urban.standard_id == recalculation.standard_id and urban.reason == "standard_change"
    rural = events[cases["rural"]]
    assert rural.monthly_amount_fen == 66_000 and rural.from_month == "2026-09"
    assert rural.back_pay_months == ["2026-09", "2026-10", "2026-11"]  # it started after the effective date
    tekun = events[cases["tekun"]]
    assert tekun.monthly_amount_fen == 104_000 + 30_000 and len(tekun.back_pay_months) == 5

    async with eligibility_engine.connect() as connection:
        stored = {
            row.id: row.monthly_amount_fen
            for row in await connection.execute(select(Case.id, Case.monthly_amount_fen))
        }
        ended_standard = await connection.scalar(
            select(Standard.effective_from)
            .join(Case, Case.standard_id == Standard.id)
            .where(Case.id == cases["ended"])
        )
    assert stored[cases["urban"]] == 120_000 and stored[cases["tekun"]] == 134_000
    assert stored[cases["ended"]] == 77_000 and ended_standard == date(
        2025, 7, 1
    )  # a terminated case is left alone

    again = await service.run_recalculation(new_uow, recalculation.standard_id, today=TODAY)
    assert again.cases_changed == 3
    assert len(await case_events(eligibility_engine)) == 3  # running it twice changes nothing


async def test_a_recalculation_that_crashes_resumes_without_repeating_itself(
    new_uow: Callable[[], UnitOfWork], eligibility_engine: AsyncEngine, cases: dict[str, UUID]
) -> None:
    recalculation = await service.publish_standard(new_uow(), standards=NEW, published_by="admin-1")

    def crash(_cases: int) -> None:
        raise KeyboardInterrupt("the process died after its first batch")

    with pytest.raises(KeyboardInterrupt):
        await service.run_recalculation(
            new_uow, recalculation.standard_id, today=TODAY, batch_size=1, progress=crash
        )
    assert len(await case_events(eligibility_engine)) == 1  # the first batch was committed, events included
    done = await service.run_recalculation(new_uow, recalculation.standard_id, today=TODAY, batch_size=1)
    assert done.status == "done" and done.cases_changed == 3
    assert len(await case_events(eligibility_engine)) == 3


async def test_publishing_the_same_effective_date_twice_is_a_conflict(
    new_uow: Callable[[], UnitOfWork], cases: dict[str, UUID]
) -> None:
    from shared.errors import Conflict

    await service.publish_standard(new_uow(), standards=NEW, published_by="admin-1")
    with pytest.raises(Conflict):
        await service.publish_standard(new_uow(), standards=NEW, published_by="admin-2")
