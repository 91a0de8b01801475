"""The read models oversight keeps from every topic it reads: what each event leaves, that an older household
version never overwrites a newer one, and that replaying everything — again into the same database, and from
scratch into a fresh one — gives the same rows."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from shared.contracts.eligibility import (
    CaseAmountChanged,
    CaseReviewScheduled,
    CaseSuspended,
    CaseTerminated,
    MonthlyAmount,
    StaffRelativeFiled,
)
from shared.contracts.facilities import ResidentAdmitted, ResidentDischarged, ResidentTransferred
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.contracts.payments import OverpaymentRaised, PaymentDisbursed, PaymentFailed, PaymentReissued
from tests.kit.eligibility import resident_id
from tests.kit.oversight import DISTRICT, Oversight, approved, bare_oversight, household, match_key

READ_MODELS = {
    "households": "SELECT * FROM households ORDER BY household_id",
    "household_members": "SELECT * FROM household_members ORDER BY household_id, person_id",
    "memberships": "SELECT * FROM memberships ORDER BY person_id, household_id",
    "staff_relatives": "SELECT * FROM staff_relatives ORDER BY relative_id",
    "cases": "SELECT * FROM cases ORDER BY case_id",
    "beneficiaries": "SELECT * FROM beneficiaries ORDER BY case_id, person_id",
    "case_amounts": "SELECT * FROM case_amounts ORDER BY case_id, person_id, from_month",
    "payments": "SELECT * FROM payments ORDER BY payment_id",
    "overpayments": "SELECT * FROM overpayments ORDER BY overpayment_id",
    "placements": "SELECT * FROM placements ORDER BY placement_id",
    "roster_entries": "SELECT * FROM roster_entries ORDER BY roster_entry_id",
}

A, B = uuid4(), uuid4()
A_ID, B_ID = resident_id("500103", "19500301", "123"), resident_id("500103", "20140901", "456")


def history() -> list[Any]:
    """A household that changes, its case through an amount change, a review, a suspension and a death;
    payments, a reissue and an overpayment; a stay with a transfer and a discharge; a roster entry."""
    home = household([(A, A_ID), (B, B_ID)], on=date(2026, 1, 5))
    changed = household(
        [(A, A_ID), (B, B_ID)],
        household_id=home.household_id,
        version=2,
        on=date(2026, 3, 1),
        financial_assets_fen=9,
    )
    case = approved(home, on=date(2026, 1, 20))
    paid = {
        "case_id": case.case_id,
        "household_id": home.household_id,
        "person_id": A,
        "benefit": "dibao",
        "month": "2026-02",
        "amount_fen": 40_000,
    }
    failed, reissue = uuid4(), uuid4()
    stay, facility = uuid4(), uuid4()
    roster = {
        "roster_entry_id": uuid4(),
        "person_id": A,
        "policy_year": 2026,
        "insurer_id": uuid4(),
        "district_code": DISTRICT,
    }
    return [
        home,
        changed,
        StaffRelativeFiled(
            relative_id=uuid4(),
            match_key=match_key(B_ID),
            staff_id="cw-9",
            relation="child",
            district_code=DISTRICT,
            filed_on=date(2026, 1, 2),
        ),
        case,
        CaseReviewScheduled(
            case_id=case.case_id,
            occasion="approved",
            next_review_due=date(2027, 1, 20),
            scheduled_on=case.decided_on,
        ),
        CaseAmountChanged(
            case_id=case.case_id,
            from_month="2026-04",
            beneficiaries=[
                MonthlyAmount(
                    person_id=A, base_fen=45_000, add_on_fen=0, care_subsidy_fen=0, total_fen=45_000
                )
            ],
            monthly_amount_fen=45_000,
            reason="review",
            decided_on=date(2026, 3, 10),
        ),
        CaseReviewScheduled(
            case_id=case.case_id,
            occasion="reviewed",
            next_review_due=date(2026, 9, 10),
            scheduled_on=date(2026, 3, 10),
        ),
        CaseSuspended(
            case_id=case.case_id,
            from_month="2026-06",
            reason_code="investigation",
            decided_on=date(2026, 5, 3),
        ),
        CaseTerminated(
            case_id=case.case_id,
            effective_month="2026-07",
            reason="death",
            person_ids=[A],
            decided_on=date(2026, 6, 9),
        ),
        PaymentDisbursed(**paid, payment_id=uuid4(), run_id=uuid4(), paid_on=date(2026, 2, 9)),
        PaymentFailed(
            **paid | {"month": "2026-03"},
            payment_id=failed,
            run_id=uuid4(),
            reason_code="CLOSED",
            failed_on=date(2026, 3, 9),
        ),
        PaymentReissued(
            **paid | {"month": "2026-03"},
            payment_id=reissue,
            original_payment_id=failed,
            reissued_on=date(2026, 3, 12),
        ),
        PaymentDisbursed(
            **paid | {"month": "2026-03"}, payment_id=reissue, run_id=uuid4(), paid_on=date(2026, 3, 13)
        ),
        OverpaymentRaised(
            overpayment_id=uuid4(),
            payment_id=reissue,
            case_id=case.case_id,
            person_id=A,
            month="2026-03",
            amount_fen=40_000,
            reason="death",
            raised_on=date(2026, 6, 10),
        ),
        ResidentAdmitted(
            person_id=A,
            case_id=case.case_id,
            placement_id=stay,
            request_id=uuid4(),
            facility_id=uuid4(),
            district_code=DISTRICT,
            admitted_on=date(2026, 2, 1),
        ),
        ResidentTransferred(
            person_id=A,
            case_id=case.case_id,
            placement_id=stay,
            from_facility_id=uuid4(),
            to_facility_id=facility,
            district_code="500104",
            transferred_on=date(2026, 3, 1),
        ),
        ResidentDischarged(
            person_id=A,
            case_id=case.case_id,
            placement_id=stay,
            facility_id=facility,
            district_code="500104",
            reason="death",
            discharged_on=date(2026, 6, 8),
        ),
        InsuredEnrolled(**roster, categories=["dibao"], cover_from=date(2026, 2, 1), premium_fen=11_000),
        InsuredRemoved(**roster, cover_until=date(2026, 6, 30), reason="death"),
    ]


async def snapshot(oversight: Oversight) -> dict[str, list[tuple[Any, ...]]]:
    return {name: await oversight.rows(sql) for name, sql in READ_MODELS.items()}


async def test_each_topic_leaves_ids_and_facts_in_its_read_model(oversight: Oversight) -> None:
    await oversight.deliver(history())
    rows = await snapshot(oversight)
    assert [(r[1], r[7]) for r in rows["households"]] == [(2, 9)]  # version 2, its declared assets
    assert {r[3] for r in rows["household_members"]} == {
        bytes.fromhex(match_key(A_ID)),
        bytes.fromhex(match_key(B_ID)),
    }
    assert [r[2] for r in rows["memberships"]] == [date(2026, 1, 5)] * 2  # first seen, not last seen
    (case,) = rows["cases"]
    assert case[7:9] == (date(2026, 6, 1), date(2026, 9, 10))  # suspended from June; the review's due date
    ended = {r[1]: (r[3], r[4]) for r in rows["beneficiaries"]}
    assert ended == {A: (date(2026, 7, 1), "death"), B: (date(2026, 4, 1), "not_covered")}
    assert {(r[1], r[2], r[3]) for r in rows["case_amounts"]} == {
        (A, date(2026, 2, 1), 40_000),
        (B, date(2026, 2, 1), 40_000),
        (A, date(2026, 4, 1), 45_000),
    }
    assert sorted(r[7] for r in rows["payments"]) == ["disbursed", "disbursed", "failed"]
    (stay,) = rows["placements"]
    assert stay[4:] == ("500104", date(2026, 2, 1), date(2026, 6, 8), "death")
    (entry,) = rows["roster_entries"]
    assert entry[4:] == (date(2026, 2, 1), date(2026, 6, 30), "death")


async def test_an_older_household_version_never_overwrites_a_newer_one(oversight: Oversight) -> None:
    newer = household([(A, A_ID)], version=3, on=date(2026, 3, 1))
    older = household([(A, A_ID), (B, B_ID)], household_id=newer.household_id, version=2, on=date(2026, 2, 1))
    await oversight.deliver([newer, older])
    assert await oversight.rows("SELECT version, member_count FROM households") == [(3, 1)]
    assert await oversight.rows("SELECT person_id FROM household_members") == [(A,)]
    # Both memberships stay known, each from the day it was first seen (the 拆户 check reads them).
    assert len(await oversight.rows("SELECT * FROM memberships")) == 2


async def test_a_household_announced_again_at_its_version_takes_the_new_match_keys(
    oversight: Oversight,
) -> None:
    """After the matching key is rotated, eligibility announces every household again at its version."""
    recorded = household([(A, A_ID)], version=2, on=date(2026, 3, 1))
    rotated = recorded.model_copy(
        update={
            "event_id": uuid4(),
            "members": [recorded.members[0].model_copy(update={"match_key": "ab" * 32})],
        }
    )
    await oversight.deliver([recorded, rotated])
    assert await oversight.rows("SELECT version FROM households") == [(2,)]
    assert await oversight.rows("SELECT encode(match_key, 'hex') FROM household_members") == [("ab" * 32,)]


async def test_replaying_every_topic_gives_the_same_read_models(
    oversight: Oversight, migrated_database: Any
) -> None:
    events = history()
    await oversight.deliver(events)
    first = await snapshot(oversight)
    assert all(first.values()), {name: len(rows) for name, rows in first.items()}

    await oversight.deliver(events, consumer="oversight-replay")
    assert await snapshot(oversight) == first

    async with bare_oversight(migrated_database) as fresh:
        await fresh.deliver(events)
        assert await snapshot(fresh) == first


async def test_an_event_before_its_cases_approval_waits_instead_of_failing(oversight: Oversight) -> None:
    home = household([(A, A_ID)])
    case = approved(home)
    early = CaseSuspended(
        case_id=case.case_id, from_month="2026-06", reason_code="investigation", decided_on=date(2026, 5, 3)
    )
    await oversight.deliver([early])  # no dead letter (deliver checks), parked for a retry
    assert await oversight.rows("SELECT type FROM deferred_events") == [("CaseSuspended",)]
    assert await oversight.rows("SELECT count(*) FROM cases") == [(0,)]
