"""Cover periods within a term: a person removed and enrolled again has a gap, no claim is admitted in it and
no premium is due for it; the set-based build writes the same entries, gaps and outbox rows as the events do."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, select

from services.insurance.models import CoverGap, RosterEntry
from services.insurance.schemas.claims import ClaimIn, ExpensesIn
from services.insurance.schemas.roster import BuildIn
from services.insurance.service import claims, kpis, roster
from services.insurance.service.enrolment import enrolled, removed
from shared.auth import Principal, Role
from shared.contracts.eligibility import CaseAmountChanged, MonthlyAmount
from shared.errors import InvalidInput
from shared.messaging.outbox import outbox_rows
from shared.messaging.tables import outbox
from tests.insurance.conftest import Insurance
from tests.kit.eligibility import DISTRICT
from tests.kit.insurance import approved, at, entries, terminated

ADMIN = Principal(subject="admin-1", roles=frozenset({Role.admin}), city_wide=True)
AUDITOR = Principal(subject="aud-1", roles=frozenset({Role.auditor}), city_wide=True)
CASEWORKER = Principal(subject="cw-1", roles=frozenset({Role.caseworker}), districts=frozenset({DISTRICT}))
EXPENSES = ExpensesIn(
    total_fen=300_000, basic_insurance_fen=150_000, medical_assistance_fen=50_000, out_of_list_fen=0
)


async def gaps(insurance: Insurance) -> list[tuple[date, date]]:
    async with insurance.connection() as connection:
        rows = await connection.execute(
            select(CoverGap.gap_from, CoverGap.gap_until).order_by(CoverGap.gap_from)
        )
        return [(first, last) for first, last in rows]


def accident(person: object, incident: date) -> ClaimIn:
    return ClaimIn(
        person_id=person, cover_type="accident", incident_date=incident, claimed_fen=10_000, expenses=EXPENSES
    )


@pytest.mark.parametrize("year", [2026, 2027])
async def test_a_person_removed_and_enrolled_again_is_not_covered_in_between(
    insurance: Insurance, year: int
) -> None:
    person = uuid4()
    first = approved({person: ["dibao"]}, decided_on=date(year, 1, 10))
    await insurance.deliver([first, terminated(first, date(year, 3, 15))])  # covered January to March
    await insurance.deliver([approved({person: ["dibao"]}, decided_on=date(year, 6, 3))])  # again from June
    ((_, _, _, _, _, cover_from, cover_until, _, premium),) = await entries(insurance)
    assert (cover_from, cover_until, premium) == (date(year, 1, 1), None, 10_000)  # ten months of ¥10
    assert await gaps(insurance) == [(date(year, 4, 1), date(year, 5, 31))]

    today = date(year, 12, 31)
    with pytest.raises(InvalidInput) as refused:
        await claims.report_claim(
            insurance.new_uow(), CASEWORKER, accident(person, date(year, 4, 20)), today=today
        )
    assert [(e.field, e.rule) for e in refused.value.errors] == [("incident_date", "IN_REMOVAL_GAP")]
    for covered in (date(year, 3, 31), date(year, 6, 1)):
        reported = await claims.report_claim(
            insurance.new_uow(), CASEWORKER, accident(person, covered), today=today
        )
        assert reported.incident_date == covered

    # The figures and the insurer's monthly lists count the gap: off in April, back in June.
    figures = await kpis.term_kpis(
        insurance.new_uow(), AUDITOR, year, as_of=date(year, 12, 31), district_code=None, today=today
    )
    in_gap = await kpis.term_kpis(
        insurance.new_uow(), AUDITOR, year, as_of=date(year, 5, 15), district_code=None, today=today
    )
    days_covered = (
        (date(year, 3, 31) - date(year, 1, 1)).days + 1 + (date(year, 12, 31) - date(year, 6, 1)).days + 1
    )
    assert figures.person_years == pytest.approx(
        days_covered / ((date(year, 12, 31) - date(year, 1, 1)).days + 1)
    )
    assert (figures.insured_on_as_of, in_gap.insured_on_as_of, figures.premium_fen) == (1, 0, 10_000)
    assert [(m.month, m.added, m.removed) for m in figures.monthly if m.added or m.removed] == [
        (f"{year}-01", 1, 0),
        (f"{year}-04", 0, 1),
        (f"{year}-06", 1, 0),
    ]
    for month, change in ((f"{year}-04", "removed"), (f"{year}-06", "added"), (f"{year}-05", None)):
        listed = {
            kind: [e.person_id for e in chunk]
            async for kind, chunk in roster.roster_changes(
                insurance.new_uow(), AUDITOR, year, month, district_code=None
            ).chunks()
        }
        assert listed == ({change: [person]} if change else {}), month

    # Covered again without a gap (an approval back-dated to April): the gap goes, the premium follows.
    await insurance.deliver([approved({person: ["dibao"]}, decided_on=date(year, 4, 2))])
    assert await gaps(insurance) == []
    assert (await entries(insurance))[0][8] == 12_000


async def test_the_set_based_build_writes_the_entries_gaps_and_outbox_rows_the_events_would(
    insurance: Insurance,
) -> None:
    gapped, ended, plain = uuid4(), uuid4(), uuid4()
    first = approved({gapped: ["dibao"], ended: ["dibao", "orphan"]}, decided_on=date(2026, 11, 2))
    await insurance.deliver(
        [
            approved({plain: ["tekun"]}, decided_on=date(2026, 12, 1), program="tekun", district="500101"),
            first,
            terminated(first, date(2026, 12, 20), persons=[ended]),  # leaves before 2027: not rostered
        ]
    )
    # 2027's windows as the read model will hold them once the year's events are in: the gap is built too.
    second = approved({gapped: ["dibao"]}, decided_on=date(2027, 5, 6))
    await insurance.deliver([terminated(first, date(2027, 2, 10), persons=[gapped]), second])
    before = await insurance.outbox_size()
    built = await roster.build_roster(insurance.new_uow, ADMIN, 2027, BuildIn(), batch_size=2)
    assert before > 0 and built.added == 1  # `plain`: 2027 is not built yet; `gapped` is confirmed in 2027
    # Rebuild from nothing: delete 2027's entries and build again, set-based.
    async with insurance.connection() as connection:
        expected = [e for e in await entries(insurance) if e[2] == 2027]
        expected_gaps = await gaps(insurance)
        await connection.execute(delete(RosterEntry).where(RosterEntry.policy_year == 2027))
        await connection.execute(outbox.delete())  # only what the build writes is compared below
    built = await roster.build_roster(insurance.new_uow, ADMIN, 2027, BuildIn(), batch_size=2)
    assert built.added == 2
    rebuilt = [e for e in await entries(insurance) if e[2] == 2027]
    assert [e[1:] for e in rebuilt] == [e[1:] for e in expected]  # all but the new ids
    assert await gaps(insurance) == expected_gaps == [(date(2027, 3, 1), date(2027, 4, 30))]
    assert {e[1]: e[8] for e in rebuilt} == {gapped: 10_000, plain: 12_000}

    # The outbox rows, as outbox.write would have written them for the same entries.
    async with insurance.sessions() as session:
        stored = list(await session.scalars(select(RosterEntry).where(RosterEntry.policy_year == 2027)))
        rows = (await session.execute(select(outbox).order_by(outbox.c.seq))).mappings().all()
    events = [
        e
        for entry in sorted(stored, key=lambda e: e.person_id)
        for e in (enrolled(entry),) + ((removed(entry),) if entry.cover_until else ())
    ]
    compared = ("topic", "key", "type", "source", "subject", "payload", "correlation_id")
    assert [{k: r[k] for k in compared} for r in rows] == [
        {k: r[k] for k in compared} for r in outbox_rows(events, source=insurance.new_uow().source)
    ]
    assert (await insurance.published())[0].model_dump(exclude={"event_id", "occurred_at"}) == events[
        0
    ].model_dump(exclude={"event_id", "occurred_at"})


async def test_a_member_dropped_from_a_case_and_added_back_later_has_a_gap_and_a_replay_changes_nothing(
    insurance: Insurance,
) -> None:
    stays, returns = uuid4(), uuid4()
    case = approved({stays: ["dibao"], returns: ["dibao", "orphan"]}, decided_on=date(2026, 1, 12))

    def change(decided_on: date, from_month: str, *persons: UUID) -> CaseAmountChanged:
        return CaseAmountChanged(
            case_id=case.case_id,
            from_month=from_month,
            beneficiaries=[
                MonthlyAmount(person_id=p, base_fen=1, add_on_fen=0, care_subsidy_fen=0, total_fen=1)
                for p in persons
            ],
            monthly_amount_fen=len(persons),
            reason="circumstances",
            decided_on=decided_on,
            occurred_at=at(),
        )

    # Dropped from April, added back in a July decision: covered January–March and from July.
    history = [
        case,
        change(date(2026, 3, 20), "2026-04", stays),
        change(date(2026, 7, 5), "2026-08", stays, returns),
    ]
    await insurance.deliver(history)
    rows = {r[1]: r for r in await entries(insurance)}
    assert (rows[returns][5], rows[returns][6], rows[returns][8]) == (date(2026, 1, 1), None, 9_000)
    assert tuple(rows[returns][4]) == ("dibao", "orphan")  # the categories it had in the case
    assert await gaps(insurance) == [(date(2026, 4, 1), date(2026, 6, 30))]
    published = await insurance.outbox_size()

    await insurance.deliver(history, consumer="insurance-rebuild")  # a fresh consumer replaying the topic
    assert {r[1]: r for r in await entries(insurance)} == rows
    assert await gaps(insurance) == [(date(2026, 4, 1), date(2026, 6, 30))]
    assert await insurance.outbox_size() == published

    with pytest.raises(InvalidInput) as refused:
        await claims.report_claim(
            insurance.new_uow(), CASEWORKER, accident(returns, date(2026, 5, 5)), today=date(2026, 12, 3)
        )
    assert refused.value.errors[0].rule == "IN_REMOVAL_GAP"
