"""The roster from `eligibility.case.v1` alone, through the inbox: enrolled once per person and term, removed
from the next month, rebuilt for a new term set-based, unchanged by a replay, reconciled against the cases."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from sqlalchemy import delete, insert, select

from services.insurance.models import RosterEntry
from services.insurance.schemas.roster import BuildIn
from services.insurance.service import roster
from shared.auth import Principal, Role
from shared.contracts.eligibility import (
    CaseAmountChanged,
    MonthlyAmount,
)
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from tests.insurance.conftest import Insurance
from tests.kit.eligibility import DISTRICT
from tests.kit.insurance import approved, at, entries, terminated

ADMIN = Principal(subject="admin-1", roles=frozenset({Role.admin}), city_wide=True)


async def test_an_approval_with_two_categories_enrols_each_person_once_from_the_confirmation_month(
    insurance: Insurance,
) -> None:
    head, orphan = uuid4(), uuid4()
    case = approved({head: ["dibao"], orphan: ["dibao", "orphan"]}, decided_on=date(2026, 10, 29))
    await insurance.deliver([case])
    rows = await entries(insurance)
    assert sorted((r[1], r[2], tuple(r[4]), r[5], r[6], r[8]) for r in rows) == sorted(
        [
            (head, 2026, ("dibao",), date(2026, 10, 1), None, 3_000),
            (orphan, 2026, ("dibao", "orphan"), date(2026, 10, 1), None, 3_000),
        ]
    )
    enrolled = await insurance.published("InsuredEnrolled")
    assert sorted(e.person_id for e in enrolled) == sorted([head, orphan])
    assert {(e.cover_from, e.policy_year, e.premium_fen) for e in enrolled} == {
        (date(2026, 10, 1), 2026, 3_000)
    }

    # The same person approved under tekun too: still one entry, both categories, no second enrolment.
    tekun = approved({head: ["tekun"]}, decided_on=date(2026, 11, 5), program="tekun")
    await insurance.deliver([tekun])
    head_rows = [r for r in await entries(insurance) if r[1] == head]
    assert (
        len(head_rows) == 1 and head_rows[0][4] == ["dibao", "tekun"] and head_rows[0][5] == date(2026, 10, 1)
    )
    assert len(await insurance.published("InsuredEnrolled")) == 2

    # Ending the dibao case leaves the head covered by tekun; the orphan leaves from the next month.
    await insurance.deliver([terminated(case, date(2026, 11, 20), reason="death", persons=[orphan])])
    await insurance.deliver([terminated(case, date(2026, 11, 21), persons=[head])])
    by_person = {r[1]: r for r in await entries(insurance)}
    assert by_person[head][6] is None
    assert (by_person[orphan][6], by_person[orphan][7]) == (date(2026, 11, 30), "death")
    (removal,) = await insurance.published("InsuredRemoved")
    assert isinstance(removal, InsuredRemoved)
    assert (removal.person_id, removal.cover_until, removal.reason) == (orphan, date(2026, 11, 30), "death")


async def test_replaying_every_event_with_its_own_id_leaves_the_roster_and_the_feed_unchanged(
    insurance: Insurance,
) -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    first = approved({a: ["dibao"], b: ["dibao", "orphan"]}, decided_on=date(2026, 3, 10))
    change = CaseAmountChanged(
        case_id=first.case_id,
        from_month="2026-06",
        beneficiaries=[
            MonthlyAmount(person_id=a, base_fen=1, add_on_fen=0, care_subsidy_fen=0, total_fen=1),
            MonthlyAmount(person_id=c, base_fen=1, add_on_fen=0, care_subsidy_fen=0, total_fen=1),
        ],
        monthly_amount_fen=2,
        reason="circumstances",
        decided_on=date(2026, 5, 20),
        occurred_at=at(),
    )
    ended = terminated(first, date(2026, 8, 3), persons=[a, c])
    history = [first, change, ended]
    await insurance.deliver(history)
    before, published = await entries(insurance), await insurance.outbox_size()
    rows = {r[1]: r for r in before}
    assert (rows[a][5], rows[a][6]) == (date(2026, 3, 1), date(2026, 8, 31))
    assert (rows[b][5], rows[b][6]) == (date(2026, 3, 1), date(2026, 5, 31))  # dropped from June
    assert (rows[c][5], rows[c][6]) == (date(2026, 5, 1), date(2026, 8, 31))  # joined in May
    assert published == 6  # three enrolments, three removals

    await insurance.deliver(history)  # redelivery: the inbox absorbs it
    await insurance.deliver(history, consumer="insurance-rebuild")  # a fresh consumer replaying from offset 0
    await insurance.deliver(list(reversed(history)), consumer="insurance-rebuild-2")  # and out of order
    assert await entries(insurance) == before
    assert await insurance.outbox_size() == published


async def test_the_january_roster_enrols_everyone_still_covered_once_and_later_approvals_join_it(
    insurance: Insurance,
) -> None:
    staying, leaving, late = uuid4(), uuid4(), uuid4()
    stay = approved({staying: ["dibao"]}, decided_on=date(2026, 4, 2))
    leave = approved({leaving: ["tekun"]}, decided_on=date(2026, 5, 2), program="tekun", district="500101")
    await insurance.deliver([stay, leave, terminated(leave, date(2026, 11, 3))])
    assert [r[2] for r in await entries(insurance)] == [2026, 2026]  # 2027 not built yet: nobody in it

    built = await roster.build_roster(insurance.new_uow, ADMIN, 2027, BuildIn(), batch_size=1)
    assert (built.added, built.districts) == (1, ["*"])
    jan = [r for r in await entries(insurance) if r[2] == 2027]
    assert [(r[1], r[5], r[6], r[8]) for r in jan] == [(staying, date(2027, 1, 1), None, 12_000)]
    assert (await roster.build_roster(insurance.new_uow, ADMIN, 2027, BuildIn())).added == 0
    enrolled_2027 = [e for e in await insurance.published("InsuredEnrolled") if e.policy_year == 2027]
    assert [e.person_id for e in enrolled_2027] == [staying]

    # Approved in December after the January roster was built: insured in both terms at once.
    await insurance.deliver([approved({late: ["dibao"]}, decided_on=date(2026, 12, 10))])
    assert [(r[2], r[5]) for r in await entries(insurance) if r[1] == late] == [
        (2026, date(2026, 12, 1)),
        (2027, date(2027, 1, 1)),
    ]
    # Terminated in December after the build: the 2027 entry is voided, never covered.
    await insurance.deliver([terminated(stay, date(2026, 12, 15))])
    by_year = {r[2]: r for r in await entries(insurance) if r[1] == staying}
    assert by_year[2026][6] is None  # covered to the term's end
    assert by_year[2027][6] == date(2026, 12, 31) < by_year[2027][5]
    voided = [e for e in await insurance.published("InsuredRemoved") if e.person_id == staying]
    assert [(e.policy_year, e.cover_until) for e in voided] == [(2027, date(2027, 1, 1))]


async def test_reconciliation_lists_who_is_insured_without_a_case_and_who_is_covered_but_not_insured(
    insurance: Insurance,
) -> None:
    kept, lost = uuid4(), uuid4()
    await insurance.deliver([approved({kept: ["dibao"], lost: ["dibao"]}, decided_on=date(2026, 2, 3))])
    assert (
        await roster.reconcile(
            insurance.new_uow(),
            ADMIN,
            2026,
            as_of=date(2026, 6, 1),
            district_code=None,
            limit=10,
            today=date(2026, 6, 1),
        )
    ).counts == {}
    stray = uuid4()
    async with insurance.connection() as connection:
        await connection.execute(delete(RosterEntry).where(RosterEntry.person_id == lost))
        await connection.execute(
            insert(RosterEntry).values(
                id=uuid4(),
                person_id=stray,
                policy_year=2026,
                insurer_id=(await connection.scalar(select(RosterEntry.insurer_id).limit(1))),
                district_code=DISTRICT,
                categories=["dibao"],
                cover_from=date(2026, 1, 1),
                premium_fen=12_000,
            )
        )
    found = await roster.reconcile(
        insurance.new_uow(),
        ADMIN,
        2026,
        as_of=date(2026, 6, 1),
        district_code=None,
        limit=10,
        today=date(2026, 6, 1),
    )
    assert found.counts == {"not_insured": 1, "not_a_beneficiary": 1}
    assert {(d.person_id, d.difference) for d in found.differences} == {
        (lost, "not_insured"),
        (stray, "not_a_beneficiary"),
    }
    elsewhere = Principal(subject="rv-9", roles=frozenset({Role.reviewer}), districts=frozenset({"500101"}))
    assert (
        await roster.reconcile(
            insurance.new_uow(),
            elsewhere,
            2026,
            as_of=date(2026, 6, 1),
            district_code=None,
            limit=10,
            today=date(2026, 6, 1),
        )
    ).counts == {}
    # The build repairs what is missing, and says so to the insurer.
    assert (await roster.build_roster(insurance.new_uow, ADMIN, 2026, BuildIn())).added == 1
    assert lost in {
        e.person_id for e in await insurance.published("InsuredEnrolled") if isinstance(e, InsuredEnrolled)
    }
