"""Across a year end, on the app's clock and through eligibility's events: January's run follows December's,
back pay spans December and January, and a December termination ends support from January.

Each test runs for a fixed year end and for the one the suite runs after (`NEW_YEARS`)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from shared.contracts.eligibility import (
    ApprovedBeneficiary,
    CaseAmountChanged,
    CaseApproved,
    CaseTerminated,
    MonthlyAmount,
)
from tests.kit.payments import Officers, account, moment
from tests.payments.conftest import NEW_YEARS, Payments, prepared_by

DISTRICT = "500103"
AMOUNT = 57_000


def month_after(day: date) -> str:
    return (day.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")


def approved(decided_on: date, people: int = 2) -> CaseApproved:
    """Approved on `decided_on`: paid from the month after."""
    return CaseApproved(
        case_id=uuid4(),
        household_id=uuid4(),
        program="dibao",
        district_code=DISTRICT,
        start_month=month_after(decided_on),
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=uuid4(),
                base_fen=AMOUNT,
                add_on_fen=0,
                care_subsidy_fen=0,
                total_fen=AMOUNT,
                insurance_categories=["dibao"],
            )
            for _ in range(people)
        ],
        monthly_amount_fen=AMOUNT * people,
        decided_on=decided_on,
        occurred_at=moment(decided_on),
    )


def terminated(case: CaseApproved, on: date, reason: str = "income") -> CaseTerminated:
    """Decided on `on`: nothing is due from the month after."""
    return CaseTerminated(
        case_id=case.case_id,
        effective_month=month_after(on),
        reason=reason,
        person_ids=[b.person_id for b in case.beneficiaries],
        decided_on=on,
        occurred_at=moment(on),
    )


@pytest.mark.parametrize("new_year", NEW_YEARS)
async def test_the_january_run_follows_the_december_run_and_pays_a_december_approval(
    payments: Payments, new_year: int
) -> None:
    last_year = new_year - 1
    officers = Officers(payments)
    november = approved(date(last_year, 11, 20))  # paid from December
    december = approved(date(last_year, 12, 15))  # paid from January of the new year
    await payments.deliver([november, december])
    assert {
        e["case_id"]: e["start_month"]
        for e in (await payments.client.get("/v1/entitlements", headers=officers.preparer)).json()
    } == {str(november.case_id): f"{last_year}-12-01", str(december.case_id): f"{new_year}-01-01"}

    december_run = await officers.released(f"{last_year}-12", on=date(last_year, 12, 20))
    assert (december_run["entitlements_due"], december_run["payment_count"]) == (2, 2)
    january_run = await officers.released(f"{new_year}-01", on=date(new_year, 1, 20))
    assert (january_run["entitlements_due"], january_run["payment_count"], january_run["total_fen"]) == (
        4,
        4,
        4 * AMOUNT,
    )
    again = await prepared_by(payments.client, f"{new_year}-01", officers.preparer, DISTRICT)
    assert (again["id"], again["payment_count"]) == (january_run["id"], 4)

    paid = await officers.payments_by_month()
    first_people = {b.person_id for b in november.beneficiaries}
    assert sorted((m, person in first_people) for person, _, m, _, _ in paid) == sorted(
        [(date(last_year, 12, 1), True)] * 2
        + [(date(new_year, 1, 1), True)] * 2
        + [(date(new_year, 1, 1), False)] * 2
    )
    assert {benefit for _, benefit, *_ in paid} == {"dibao"}  # nothing taken for back pay


@pytest.mark.parametrize("new_year", NEW_YEARS)
async def test_back_pay_for_december_and_january_comes_in_the_february_run(
    payments: Payments, new_year: int
) -> None:
    last_year = new_year - 1
    officers = Officers(payments)
    case = approved(date(last_year, 10, 20))  # paid from November
    await payments.deliver([case])
    for month, on in (
        (f"{last_year}-11", date(last_year, 11, 20)),
        (f"{last_year}-12", date(last_year, 12, 20)),
        (f"{new_year}-01", date(new_year, 1, 20)),
    ):
        assert (await officers.released(month, on=on))["total_fen"] == 2 * AMOUNT

    # A new standard from December, decided in February: December and January were paid at the old rate.
    raised = AMOUNT + 3_000
    payments.clock.set(date(new_year, 2, 3))
    await payments.deliver(
        [
            CaseAmountChanged(
                case_id=case.case_id,
                from_month=f"{last_year}-12",
                beneficiaries=[
                    MonthlyAmount(
                        person_id=b.person_id,
                        base_fen=raised,
                        add_on_fen=0,
                        care_subsidy_fen=0,
                        total_fen=raised,
                    )
                    for b in case.beneficiaries
                ],
                monthly_amount_fen=2 * raised,
                back_pay_months=[f"{last_year}-12", f"{new_year}-01"],
                reason="standard_change",
                standard_id=uuid4(),
                decided_on=date(new_year, 2, 3),
                occurred_at=moment(date(new_year, 2, 3)),
            )
        ]
    )
    [entitlement, _] = (
        await payments.client.get(
            "/v1/entitlements", params={"case_id": str(case.case_id)}, headers=officers.preparer
        )
    ).json()
    assert [(a["from_month"], a["total_fen"], a["back_pay_months"]) for a in entitlement["amounts"]] == [
        (f"{last_year}-11-01", AMOUNT, []),
        (f"{last_year}-12-01", raised, [f"{last_year}-12-01", f"{new_year}-01-01"]),
    ]

    february = await officers.released(f"{new_year}-02", on=date(new_year, 2, 20))
    assert (february["payment_count"], february["total_fen"]) == (2 + 4, 2 * raised + 4 * 3_000)
    back_pay = [
        (m, fen) for _, benefit, m, fen, _ in await officers.payments_by_month() if benefit == "back_pay"
    ]
    assert sorted(back_pay) == [(date(last_year, 12, 1), 3_000)] * 2 + [(date(new_year, 1, 1), 3_000)] * 2
    march = await officers.released(f"{new_year}-03", on=date(new_year, 3, 20))
    assert (march["payment_count"], march["total_fen"]) == (2, 2 * raised)  # back pay is paid once


@pytest.mark.parametrize("new_year", NEW_YEARS)
async def test_a_termination_decided_in_december_ends_support_from_january(
    payments: Payments, new_year: int
) -> None:
    last_year = new_year - 1
    officers = Officers(payments)
    paid_ahead = approved(date(last_year, 11, 10))  # paid from December; the bank credits January early
    held = approved(date(last_year, 11, 12))  # paid from December; no payee account yet, so nothing sent
    await payments.deliver([paid_ahead, held])
    for n, b in enumerate(paid_ahead.beneficiaries):
        put = await payments.client.put(
            f"/v1/payee-accounts/person/{b.person_id}", json=account(n), headers=officers.caseworker
        )
        assert put.status_code == 200, put.text
    allocated = await officers.post(
        f"/v1/ledger/{DISTRICT}/allocations",
        json={"amount_fen": 1_000_000, "reference": "A-1", "memo": "funds"},
    )
    assert allocated.status_code == 201, allocated.text

    december = await officers.released(f"{last_year}-12", on=date(last_year, 12, 5))
    bank_file, instructions = await officers.sent(december["id"])
    await officers.all_paid(bank_file, instructions, on=date(last_year, 12, 8))
    january = await officers.released(f"{new_year}-01", on=date(last_year, 12, 28))
    january_file, january_instructions = await officers.sent(january["id"])
    assert len(january_instructions) == 2

    # Both cases end on 29 December: nothing is due from January.
    payments.clock.set(date(last_year, 12, 29))
    await payments.deliver(
        [terminated(paid_ahead, date(last_year, 12, 29), "death"), terminated(held, date(last_year, 12, 29))]
    )
    found = (await payments.client.get("/v1/entitlements", headers=officers.preparer)).json()
    assert {(e["end_month"]) for e in found} == {f"{new_year}-01-01"}
    statuses = [(m, status) for _, _, m, _, status in await officers.payments_by_month()]
    assert sorted(statuses) == sorted(
        [(date(last_year, 12, 1), "paid")] * 2  # December was due and is paid
        + [(date(last_year, 12, 1), "due")] * 2  # December is still owed to the case held for an account
        + [(date(new_year, 1, 1), "sent")] * 2  # January is at the bank already
        + [(date(new_year, 1, 1), "cancelled")] * 2  # January not sent is never sent
    )
    assert (await payments.client.get("/v1/overpayments", headers=officers.preparer)).json() == []

    # The bank credited January anyway; its return, imported on 4 January, raises the overpayments that day.
    await officers.all_paid(january_file, january_instructions, on=date(new_year, 1, 4))
    overpaid = (await payments.client.get("/v1/overpayments", headers=officers.preparer)).json()
    assert (
        sorted((o["month"], o["amount_fen"], o["reason"], o["raised_on"]) for o in overpaid)
        == [(f"{new_year}-01-01", AMOUNT, "death", f"{new_year}-01-04")] * 2
    )
    february = await officers.released(f"{new_year}-02", on=date(new_year, 2, 1))
    assert (february["entitlements_due"], february["payment_count"]) == (0, 0)
