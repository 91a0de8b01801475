"""Each check R1–R14 and 漏保 with a case it must find and a near miss it must not, over read models fed through
the inbox and files imported as the service imports them. The runs are as of 2026-11-16 (month 2026-11); cases
approved on 2026-01-20 are covered from 2026-02. Standards: urban ¥770, rural ¥630; housing area 20 m²."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from shared.contracts.eligibility import (
    CaseAmountChanged,
    CaseReviewScheduled,
    CaseTerminated,
    MonthlyAmount,
    StaffRelativeFiled,
)
from shared.contracts.insurance import InsuredEnrolled
from shared.contracts.payments import OverpaymentRaised, PaymentDisbursed
from tests.kit.oversight import DISTRICT, Oversight, approved, hits, household, load, match_key, person, run

VEHICLES = "id_number,vehicle_type,value_yuan"
REAL_ESTATE = "id_number,property_type,floor_area_m2,acquired_on,acquisition"
PAYROLL = "id_number,employer_kind,monthly_wage_yuan"


def paid(case: object, who: object, month: str, fen: int, benefit: str = "dibao") -> PaymentDisbursed:
    return PaymentDisbursed(
        payment_id=uuid4(),
        case_id=case.case_id,  # type: ignore[attr-defined]
        household_id=case.household_id,  # type: ignore[attr-defined]
        person_id=who,
        benefit=benefit,
        month=month,
        amount_fen=fen,
        run_id=uuid4(),
        paid_on=date.fromisoformat(month + "-09"),
    )


async def test_r1_a_motor_vehicle_but_not_a_mobility_or_an_evidenced_cheap_one(oversight: Oversight) -> None:
    (a, a_id), (b, b_id), (c, c_id) = person(1), person(2), person(3)
    homes = [
        household([(a, a_id)]),
        household([(b, b_id)]),
        household([(c, c_id)], vehicle_exemption_evidenced=True),
    ]
    cases = [approved(h) for h in homes]
    await oversight.deliver([*homes, *cases])
    await load(
        oversight,
        "vehicles",
        VEHICLES,
        f"{a_id},car,50000",
        f"{b_id},disabled_mobility,9000",
        f"{c_id},car,20000",
    )
    await run(oversight, "R1")
    assert await hits(oversight, "R1") == {(cases[0].case_id, a)}


async def test_r2_two_large_dwellings_or_a_shop_front(oversight: Oversight) -> None:
    (a, a_id), (b, b_id), (c, c_id), (d, d_id) = person(1), person(2), person(3), person(4)
    big, small, shop = household([(a, a_id), (b, b_id)]), household([(c, c_id)]), household([(d, d_id)])
    cases = [approved(h) for h in (big, small, shop)]
    await oversight.deliver([big, small, shop, *cases])
    await load(
        oversight,
        "real_estate",
        REAL_ESTATE,
        f"{a_id},dwelling,70,2001-01-01,inherited",  # 130 m² for 2 persons: 65 > 3 × 20
        f"{b_id},dwelling,60.5,2001-01-01,inherited",
        f"{c_id},dwelling,40,2001-01-01,inherited",  # 2 dwellings, 60 m² for 1: not above 60
        f"{c_id},dwelling,20,2001-01-01,inherited",
        f"{d_id},shop_front,12,2001-01-01,inherited",
    )
    await run(oversight, "R2")
    assert await hits(oversight, "R2") == {(cases[0].case_id, None), (cases[2].case_id, None)}


async def test_r3_an_active_business_but_not_a_deregistered_one(oversight: Oversight) -> None:
    (a, a_id), (b, b_id) = person(1), person(2)
    homes = [household([(a, a_id)]), household([(b, b_id)])]
    cases = [approved(h) for h in homes]
    await oversight.deliver([*homes, *cases])
    header = "id_number,role,status,registered_on"
    await load(
        oversight,
        "business",
        header,
        f"{a_id},shareholder,active,2020-03-01",
        f"{b_id},sole_proprietor,deregistered,2019-01-01",
    )
    await run(oversight, "R3")
    assert await hits(oversight, "R3") == {(cases[0].case_id, a)}


async def test_r4_financial_assets_above_24_standards_per_person(oversight: Oversight) -> None:
    (a, a_id), (b, b_id) = person(1), person(2)
    homes = [
        household([(a, a_id)], financial_assets_fen=24 * 77_000 + 1),
        household([(b, b_id)], financial_assets_fen=24 * 77_000),
    ]
    cases = [approved(h) for h in homes]
    await oversight.deliver([*homes, *cases])
    await run(oversight, "R4")
    assert await hits(oversight, "R4") == {(cases[0].case_id, None)}


async def test_r5_a_member_on_the_public_payroll_but_not_someone_without_a_case(oversight: Oversight) -> None:
    (a, a_id), (_, outsider_id) = person(1), person(2)
    home = household([(a, a_id)], monthly_income_fen=30_000)
    case = approved(home)
    await oversight.deliver([home, case])
    await load(
        oversight, "payroll", PAYROLL, f"{a_id},public_institution,4200", f"{outsider_id},government,6000"
    )
    await run(oversight, "R5")
    assert await hits(oversight, "R5") == {(case.case_id, a)}
    (evidence,) = await oversight.rows("SELECT evidence FROM findings WHERE rule = 'R5'")
    assert evidence[0]["wages_exceed_declared"] is True and evidence[0]["monthly_wage_fen"] == 420_000


async def test_r6_payments_after_death_link_the_overpayment_but_not_the_month_of_death(
    oversight: Oversight,
) -> None:
    (a, a_id), (b, b_id) = person(1), person(2)
    homes = [household([(a, a_id)]), household([(b, b_id)])]
    cases = [approved(h) for h in homes]
    june = paid(cases[0], a, "2026-06", 40_000)
    overpayment = OverpaymentRaised(
        overpayment_id=uuid4(),
        payment_id=june.payment_id,
        case_id=cases[0].case_id,
        person_id=a,
        month="2026-06",
        amount_fen=40_000,
        reason="death",
        raised_on=date(2026, 7, 1),
    )
    await oversight.deliver([*homes, *cases, paid(cases[0], a, "2026-05", 40_000), june, overpayment])
    await oversight.deliver([paid(cases[1], b, "2026-06", 40_000)])
    await load(
        oversight, "deaths", "id_number,event,on", f"{a_id},death,2026-05-02", f"{b_id},cancelled,2026-06-10"
    )
    await run(oversight, "R6")
    assert await hits(oversight, "R6") == {(cases[0].case_id, a)}
    (evidence,) = await oversight.rows("SELECT evidence FROM findings WHERE rule = 'R6'")
    assert evidence[0]["months"] == ["2026-06"] and evidence[0]["payment_ids"] == [str(june.payment_id)]
    assert evidence[0]["overpayment_ids"] == [str(overpayment.overpayment_id)]


async def test_r7_in_custody_now_but_not_released_before(oversight: Oversight) -> None:
    (a, a_id), (b, b_id) = person(1), person(2)
    homes = [household([(a, a_id)]), household([(b, b_id)])]
    cases = [approved(h) for h in homes]
    await oversight.deliver([*homes, *cases])
    await load(
        oversight,
        "prisons",
        "id_number,custody,from,until",
        f"{a_id},prison,2026-10-01,",
        f"{b_id},rehabilitation,2025-01-01,2025-12-31",
    )
    await run(oversight, "R7")
    assert await hits(oversight, "R7") == {(cases[0].case_id, a)}


async def test_r8_two_current_cases_but_not_one_ended_before_the_other(oversight: Oversight) -> None:
    (a, a_id), (b, b_id) = person(1), person(2)
    both, moved = household([(a, a_id)]), household([(b, b_id)])
    dibao, tekun = approved(both), approved(both, program="tekun")
    old = approved(moved, on=date(2025, 3, 3))
    ended = CaseTerminated(
        case_id=old.case_id,
        effective_month="2026-02",
        reason="moved",
        person_ids=[b],
        decided_on=date(2026, 1, 10),
    )
    new = approved(moved, program="tekun")
    await oversight.deliver([both, moved, dibao, tekun, old, ended, new])
    await run(oversight, "R8")
    assert await hits(oversight, "R8") == {(dibao.case_id, a), (tekun.case_id, a)}


async def test_r9_a_staff_members_relative_not_filed_but_not_a_filed_one(oversight: Oversight) -> None:
    (staff, staff_id), (kin, kin_id) = person(1), person(2)
    (cadre, cadre_id), (filed, filed_id) = person(3), person(4)
    homes = [household([(staff, staff_id), (kin, kin_id)]), household([(cadre, cadre_id), (filed, filed_id)])]
    cases = [approved(homes[0], [kin]), approved(homes[1], [filed])]
    register = StaffRelativeFiled(
        relative_id=uuid4(),
        match_key=match_key(filed_id),
        staff_id="cadre-3",
        relation="parent",
        district_code=DISTRICT,
        filed_on=date(2025, 12, 1),
    )
    await oversight.deliver([*homes, *cases, register])
    await load(
        oversight, "payroll", PAYROLL, f"{staff_id},civil_affairs,5100", f"{cadre_id},village_cadre,1800"
    )
    await run(oversight, "R9")
    assert await hits(oversight, "R9") == {(cases[0].case_id, kin)}


async def test_r10_a_home_bought_within_3_years_or_large_premiums(oversight: Oversight) -> None:
    (a, a_id), (b, b_id), (c, c_id), (d, d_id) = person(1), person(2), person(3), person(4)
    bought, inherited, long_ago = household([(a, a_id)]), household([(b, b_id)]), household([(c, c_id)])
    insured = household([(d, d_id)], premiums_and_private_fees_fen_per_year=12 * 77_000)
    cases = [approved(h) for h in (bought, inherited, long_ago, insured)]
    await oversight.deliver([bought, inherited, long_ago, insured, *cases])
    await load(
        oversight,
        "real_estate",
        REAL_ESTATE,
        f"{a_id},dwelling,50,2025-01-01,purchase",
        f"{b_id},dwelling,50,2025-01-01,inherited",
        f"{c_id},dwelling,50,2023-11-16,self_built",  # exactly 3 years before: not within
    )
    await run(oversight, "R10")
    assert await hits(oversight, "R10") == {(cases[0].case_id, None), (cases[3].case_id, None)}


async def test_r11_a_member_split_off_within_12_months_of_the_decision(oversight: Oversight) -> None:
    (a, a_id), (b, b_id), (c, c_id) = person(1), person(2), person(3)
    parents = household([(c, c_id), (a, a_id), (b, b_id)], on=date(2024, 6, 1))
    early = household([(b, b_id)], on=date(2024, 12, 1))  # 13 months and more before the decision
    late = household([(a, a_id)], on=date(2025, 12, 1))
    cases = [approved(late), approved(early)]
    await oversight.deliver([parents, early, late, *cases])
    await run(oversight, "R11")
    assert await hits(oversight, "R11") == {(cases[0].case_id, a)}


async def test_r12_a_month_paid_other_than_decided_but_not_one_completed_by_back_pay(
    oversight: Oversight,
) -> None:
    (a, a_id), (b, b_id) = person(1), person(2)
    homes = [household([(a, a_id)]), household([(b, b_id)])]
    wrong, raised = approved(homes[0]), approved(homes[1])
    change = CaseAmountChanged(
        case_id=raised.case_id,
        from_month="2026-03",
        beneficiaries=[
            MonthlyAmount(person_id=b, base_fen=45_000, add_on_fen=0, care_subsidy_fen=0, total_fen=45_000)
        ],
        monthly_amount_fen=45_000,
        back_pay_months=["2026-03"],
        reason="standard_change",
        standard_id=uuid4(),
        decided_on=date(2026, 3, 20),
    )
    await oversight.deliver([*homes, wrong, raised, change])
    await oversight.deliver(
        [
            paid(wrong, a, "2026-02", 40_000),
            paid(wrong, a, "2026-03", 45_000),
            paid(raised, b, "2026-03", 40_000),
            paid(raised, b, "2026-03", 5_000, benefit="back_pay"),
            paid(raised, b, "2026-04", 45_000),
        ]
    )
    await run(oversight, "R12")
    assert await hits(oversight, "R12") == {(wrong.case_id, a)}


async def test_r13_a_review_overdue_but_not_one_due_later(oversight: Oversight) -> None:
    (a, a_id), (b, b_id) = person(1), person(2)
    homes = [household([(a, a_id)]), household([(b, b_id)])]
    cases = [approved(h) for h in homes]
    due = [
        CaseReviewScheduled(
            case_id=c.case_id, occasion="approved", next_review_due=d, scheduled_on=c.decided_on
        )
        for c, d in zip(cases, (date(2026, 11, 15), date(2026, 11, 16)), strict=True)
    ]
    await oversight.deliver([*homes, *cases, *due])
    await run(oversight, "R13")
    assert await hits(oversight, "R13") == {(cases[0].case_id, None)}


async def test_r14_roster_and_beneficiaries_differ_both_ways(oversight: Oversight) -> None:
    (a, a_id), (b, b_id), (c, c_id) = person(1), person(2), person(3)
    homes = [household([(a, a_id)]), household([(b, b_id)]), household([(c, c_id)])]
    uninsured, insured = approved(homes[0]), approved(homes[1])
    this_month = approved(homes[2], on=date(2026, 11, 3), amount=40_000)
    stranger = uuid4()

    def enrolled(who: object) -> InsuredEnrolled:
        return InsuredEnrolled(
            roster_entry_id=uuid4(),
            person_id=who,
            policy_year=2026,
            insurer_id=uuid4(),
            district_code=DISTRICT,
            categories=["dibao"],
            cover_from=date(2026, 2, 1),
            premium_fen=12_000,
        )

    await oversight.deliver([*homes, uninsured, insured, this_month, enrolled(b), enrolled(stranger)])
    await run(oversight, "R14")
    assert await hits(oversight, "R14") == {(uninsured.case_id, a), (None, stranger)}


async def test_missed_a_listed_poor_person_without_a_case(oversight: Oversight) -> None:
    (_, poor_id), (_, richer_id), (covered, covered_id) = person(1), person(2), person(3)
    home = household([(covered, covered_id)])
    await oversight.deliver([home, approved(home)])
    header = "id_number,district_code,monthly_income_per_capita_yuan"
    await load(
        oversight,
        "poverty",
        header,
        f"{poor_id},{DISTRICT},500",
        f"{richer_id},{DISTRICT},630",
        f"{covered_id},{DISTRICT},300",
    )
    await run(oversight, "missed")
    assert await oversight.rows("SELECT subject, district_code FROM findings") == [
        (f"match:{match_key(poor_id)}", DISTRICT)
    ]
