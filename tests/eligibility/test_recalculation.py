"""A standard published for a past effective date: new amounts, back-pay months, events; idempotent, resumable.

Use cases without an app: each test runs in a transaction on the session's eligibility database, rolled
back at its end (`new_uow` and `connection` in conftest.py)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.eligibility.domain.dibao import Household as DibaoHousehold
from services.eligibility.domain.dibao import assess_dibao
from services.eligibility.domain.means import CountedIncome, RigidExpenses
from services.eligibility.domain.people import Member
from services.eligibility.domain.standards import SEED_STANDARDS
from services.eligibility.models import Case, CaseBeneficiary, Standard
from services.eligibility.repository import standards as standards_queries
from services.eligibility.service import standards as service
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import CaseAmountChanged
from shared.db import UnitOfWork
from shared.messaging.tables import outbox
from tests.kit.eligibility import add_case

TODAY = date(2026, 11, 29)
NEW_EFFECTIVE = date(2026, 7, 1)  # announced in November, in force since July
NEW = replace(
    SEED_STANDARDS[-1],
    effective_from=NEW_EFFECTIVE,
    dibao_urban_fen=80_000,
    dibao_rural_fen=66_000,
    tekun_basic_fen=104_000,
)


async def case_events(connection: AsyncConnection) -> dict[UUID, CaseAmountChanged]:
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
        # urban dibao, ¥600 over two (¥300 per capita), two covered: (770 − 300) each; add-ons 40+60 and 100
        "urban": await add_case(
            new_uow(),
            standard_id,
            program="dibao",
            area="urban",
            per_capita_income_fen=30_000,
            income=CountedIncome.monthly(60_000, members=2),
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
    new_uow: Callable[[], UnitOfWork], connection: AsyncConnection, cases: dict[str, UUID]
) -> None:
    recalculation = await service.publish_standard(new_uow(), standards=NEW, published_by="admin-1")
    assert recalculation.cases_total == 3
    batches: list[int] = []
    done = await service.run_recalculation(
        new_uow, recalculation.standard_id, today=TODAY, batch_size=2, progress=batches.append
    )
    assert done.status == "done" and done.cases_changed == 3 and batches == [2, 1, 0]

    events = await case_events(connection)
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
    assert len(await case_events(connection)) == 3  # running it twice changes nothing


async def test_a_recalculation_that_crashes_resumes_without_repeating_itself(
    new_uow: Callable[[], UnitOfWork], connection: AsyncConnection, cases: dict[str, UUID]
) -> None:
    recalculation = await service.publish_standard(new_uow(), standards=NEW, published_by="admin-1")

    def crash(_cases: int) -> None:
        raise KeyboardInterrupt("the process died after its first batch")

    with pytest.raises(KeyboardInterrupt):
        await service.run_recalculation(
            new_uow, recalculation.standard_id, today=TODAY, batch_size=1, progress=crash
        )
    assert len(await case_events(connection)) == 1  # the first batch was committed, events included
    done = await service.run_recalculation(new_uow, recalculation.standard_id, today=TODAY, batch_size=1)
    assert done.status == "done" and done.cases_changed == 3
    assert len(await case_events(connection)) == 3


async def test_publishing_the_same_effective_date_twice_is_a_conflict(
    new_uow: Callable[[], UnitOfWork], cases: dict[str, UUID]
) -> None:
    from shared.errors import Conflict

    await service.publish_standard(new_uow(), standards=NEW, published_by="admin-1")
    with pytest.raises(Conflict):
        await service.publish_standard(new_uow(), standards=NEW, published_by="admin-2")


IN_2017 = date(2017, 6, 1)  # the 2017-01-01 seed standard: urban ¥500, rural ¥350
RAISED_2017 = replace(
    SEED_STANDARDS[0], effective_from=date(2017, 7, 1), dibao_urban_fen=60_000, dibao_rural_fen=42_100
)


async def standard_of_2017(new_uow: Callable[[], UnitOfWork]) -> Standard:
    assert await service.seed_standards(new_uow()) == len(SEED_STANDARDS)
    uow = new_uow()
    async with uow:
        row = await standards_queries.standard_in_force(uow.session, IN_2017)
    assert row is not None and row.effective_from == date(2017, 1, 1)
    return row


async def stored_lines(connection: AsyncConnection) -> dict[UUID, dict[UUID, tuple[int, int]]]:
    """(base, add-on) of every active beneficiary, by case and person."""
    lines: dict[UUID, dict[UUID, tuple[int, int]]] = {}
    for row in await connection.execute(
        select(CaseBeneficiary).where(CaseBeneficiary.active).order_by(CaseBeneficiary.person_id)
    ):
        lines.setdefault(row.case_id, {})[row.person_id] = (row.base_fen, row.add_on_fen)
    return lines


async def test_a_recalculation_evaluates_the_amount_exactly_and_rounds_once(
    new_uow: Callable[[], UnitOfWork], connection: AsyncConnection
) -> None:
    at_500 = await standard_of_2017(new_uow)
    # Three members with ¥1,000.00 at ¥500: exactly 1,500 − 1,000 = ¥500.00, split 166.67 + 166.67 + 166.66.
    three = await add_case(
        new_uow(),
        at_500.id,
        program="dibao",
        area="urban",
        per_capita_income_fen=33_333,
        income=CountedIncome.monthly(100_000, members=3),
        start_month=date(2017, 2, 1),
        members=[([], None, (16_667, 0, 0)), ([], None, (16_667, 0, 0)), ([], None, (16_666, 0, 0))],
    )
    # Two members with ¥1,000 and 6 fen of rigid expenses in 12 months: (500 − 99,999.5 / 2) × 2 = 0.5 → 1 fen.
    half = await add_case(
        new_uow(),
        at_500.id,
        program="dibao",
        area="urban",
        per_capita_income_fen=49_999,
        income=CountedIncome.monthly(100_000, members=2, rigid_expenses_12m_fen=6),
        start_month=date(2017, 2, 1),
        members=[([], None, (1, 0, 0)), ([], None, (0, 0, 0))],
    )
    recalculation = await service.publish_standard(new_uow(), standards=RAISED_2017, published_by="admin-1")
    done = await service.run_recalculation(new_uow, recalculation.standard_id, today=TODAY)
    assert done.status == "done" and done.cases_changed == 2

    events = await case_events(connection)
    raised = events[three]
    assert raised.monthly_amount_fen == 3 * 60_000 - 100_000 == 80_000  # not 3 × (60,000 − 33,333) = 80,001
    assert [b.base_fen for b in raised.beneficiaries] == [26_667, 26_667, 26_666]
    # Payments tops up each month already paid by each member's difference: exact, adding up to ¥300.00.
    back_pay = [
        b.total_fen - old for b, old in zip(raised.beneficiaries, (16_667, 16_667, 16_666), strict=True)
    ]
    assert back_pay == [10_000, 10_000, 10_000]
    assert raised.back_pay_months[0] == "2017-07" and raised.back_pay_months[-1] == "2026-11"
    # 2 × 600 − 999.995 = 200.005 yuan: 20,000.5 fen, rounded half up once → 20,001.
    assert events[half].monthly_amount_fen == 20_001
    assert [b.base_fen for b in events[half].beneficiaries] == [10_001, 10_000]

    stored = await stored_lines(connection)
    assert [base for base, _ in stored[three].values()] == [26_667, 26_667, 26_666]
    amounts = dict((await connection.execute(select(Case.id, Case.monthly_amount_fen))).all())
    assert amounts == {three: 80_000, half: 20_001}


PROFILES = (
    Member(birth_date=date(1980, 1, 1)),
    Member(birth_date=date(1980, 1, 1), disability_grade=3, disability_kind="physical"),
    Member(birth_date=date(2005, 1, 1), relation="child", student=True),
    Member(birth_date=date(1940, 1, 1), relation="parent"),
    Member(birth_date=date(1960, 1, 1), serious_illness=True),
)


async def test_the_recalculation_computes_what_the_domain_computes(
    new_uow: Callable[[], UnitOfWork], connection: AsyncConnection
) -> None:
    """Random households approved by the domain, recalculated in SQL at a new standard (with a minimum
    payment): every line equals the domain's own assessment at the new standard."""
    at_500 = await standard_of_2017(new_uow)
    old = standards_queries.standards_of(at_500)
    new = replace(RAISED_2017, minimum_payment_fen=40_000)
    rng = random.Random(2017)
    households: dict[UUID, tuple[DibaoHousehold, list[UUID]]] = {}
    while len(households) < 30:
        size = rng.randint(1, 5)
        ids = [uuid4() for _ in range(size)]
        household = DibaoHousehold(
            members=tuple(rng.choice(PROFILES) for _ in range(size)),
            area=rng.choice(("urban", "rural")),
            monthly_income_fen=rng.randrange(0, 45_000 * size),
            rigid_expenses_12m=RigidExpenses(medical_fen=rng.choice((0, rng.randrange(1, 200_000)))),
            share_order=tuple(sorted(range(size), key=lambda index: ids[index])),
        )
        approved = assess_dibao(household, standards=old, as_of=IN_2017)
        if not approved.eligible:
            continue
        case_id = await add_case(
            new_uow(),
            at_500.id,
            program="dibao",
            area=household.area,
            per_capita_income_fen=approved.breakdown.per_capita_income_display_fen,
            income=approved.breakdown.income,
            start_month=date(2017, 2, 1),
            members=[
                (list(line.add_on_kinds), None, (line.base_fen, line.add_on_fen, 0))
                for line in approved.breakdown.members
            ],
            person_ids=ids,
        )
        households[case_id] = (household, ids)
    recalculation = await service.publish_standard(new_uow(), standards=new, published_by="admin-1")
    await service.run_recalculation(new_uow, recalculation.standard_id, today=TODAY, batch_size=7)

    stored = await stored_lines(connection)
    amounts = dict((await connection.execute(select(Case.id, Case.monthly_amount_fen))).all())
    topped = 0
    for case_id, (household, ids) in households.items():
        expected = assess_dibao(household, standards=new, as_of=RAISED_2017.effective_from)
        lines = {
            ids[line.member_index]: (line.base_fen, line.add_on_fen) for line in expected.breakdown.members
        }
        assert stored[case_id] == lines, case_id
        assert amounts[case_id] == expected.monthly_amount_fen
        topped += expected.monthly_amount_fen == new.minimum_payment_fen
    assert topped  # the minimum payment was exercised too
