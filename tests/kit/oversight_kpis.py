"""A small city of two districts for the KPI, dashboard and report tests (tests/oversight/test_kpis.py computes
its figures by hand): the events oversight reads, a 漏保 and an overdue review found by the checks, and four
problems."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from sqlalchemy import text

from shared.contracts.base import Event
from shared.contracts.eligibility import CareLevelAssessed, CaseApproved, CaseReviewScheduled, CaseTerminated
from shared.contracts.facilities import ResidentAdmitted, ResidentDischarged
from shared.contracts.insurance import ClaimReported, InsuredEnrolled, InsuredRemoved
from shared.contracts.payments import PaymentDisbursed, PaymentFailed, PaymentReissued
from tests.kit.eligibility import resident_id
from tests.kit.oversight import DISTRICT, OTHER_DISTRICT, Oversight, approved, household, load, run


def paid(
    case: CaseApproved, person: UUID, month: str, on: date, *, benefit: str = "dibao"
) -> PaymentDisbursed:
    """A payment of 400 yuan for `month`, credited `on`."""
    return PaymentDisbursed(
        payment_id=uuid4(),
        case_id=case.case_id,
        household_id=case.household_id,
        person_id=person,
        benefit=benefit,
        month=month,
        amount_fen=40_000,
        run_id=uuid4(),
        paid_on=on,
    )


def claim(entry: InsuredEnrolled, cover_type: str, incident: date, reported: date) -> ClaimReported:
    return ClaimReported(
        claim_id=uuid4(),
        roster_entry_id=entry.roster_entry_id,
        person_id=entry.person_id,
        policy_year=entry.policy_year,
        insurer_id=entry.insurer_id,
        cover_type=cover_type,
        incident_date=incident,
        reported_on=reported,
        channel="caseworker",
        claimed_fen=100_000,
    )


def enrolled(person: UUID, district: str, cover_from: date) -> InsuredEnrolled:
    return InsuredEnrolled(
        roster_entry_id=uuid4(),
        person_id=person,
        policy_year=cover_from.year,
        insurer_id=UUID(int=7),
        district_code=district,
        categories=["dibao"],
        cover_from=cover_from,
        premium_fen=1_000,
    )


def kpi_events() -> list[Event]:
    """Two districts (DISTRICT: cases 1–5, OTHER_DISTRICT: cases 6–7), all decided 2026-01-20:

    1 dibao a1, a2 · 2 特困 t1 full care, in a home since 1 March · 3 特困 t2 half care, at home · 4 特困 t3
    self-caring, full care from 15 December · 5 dibao e1, terminated from December · 6 dibao p1, review due
    1 June · 7 特困 t4 full care, in a home 1 May to 20 November.
    November's payments: a1 on the 8th, a2 on the 12th, t1 failed on the 9th and reissued on the 13th, p1 on
    the 10th, a1's back pay; December's: a1 on the 9th, p1 on the 11th. Roster: a1 from February, a2 from
    November, p1 from January to 15 November; claims reported in November: a1's accident 3 → 5 Nov, a2's
    3 → 6 Nov, a1's illness on the 20th, p1's accident 30 Oct → 1 Nov; and a2's accident in October.
    """
    ids = {
        name: (uuid4(), resident_id("500103", "19600101", f"{n:03d}"))
        for n, name in enumerate(["a1", "a2", "t1", "t2", "t3", "e1", "p1", "t4"], start=10)
    }
    homes = {
        "1": household([ids["a1"], ids["a2"]]),
        "2": household([ids["t1"]]),
        "3": household([ids["t2"]]),
        "4": household([ids["t3"]]),
        "5": household([ids["e1"]]),
        "6": household([ids["p1"]], district=OTHER_DISTRICT),
        "7": household([ids["t4"]], district=OTHER_DISTRICT),
    }
    cases = {
        "1": approved(homes["1"]),
        "2": approved(homes["2"], program="tekun", care_level="full_care"),
        "3": approved(homes["3"], program="tekun", care_level="half_care"),
        "4": approved(homes["4"], program="tekun", care_level="self_caring"),
        "5": approved(homes["5"]),
        "6": approved(homes["6"]),
        "7": approved(homes["7"], program="tekun", care_level="full_care"),
    }
    a1, a2, t1, t3, e1, p1, t4 = (ids[n][0] for n in ("a1", "a2", "t1", "t3", "e1", "p1", "t4"))
    stays = {name: (uuid4(), uuid4()) for name in ("t1", "t4")}
    failed = PaymentFailed(
        **paid(cases["2"], t1, "2026-11", date(2026, 11, 9), benefit="tekun").model_dump(
            include={"case_id", "household_id", "person_id", "benefit", "month", "amount_fen", "run_id"}
        ),
        payment_id=uuid4(),
        reason_code="CLOSED",
        failed_on=date(2026, 11, 9),
    )
    reissue = uuid4()
    roster = {
        "a1": enrolled(a1, DISTRICT, date(2026, 2, 1)),
        "a2": enrolled(a2, DISTRICT, date(2026, 11, 1)),
        "p1": enrolled(p1, OTHER_DISTRICT, date(2026, 1, 1)),
    }
    return [
        *homes.values(),
        *cases.values(),
        CareLevelAssessed(
            case_id=cases["4"].case_id,
            person_id=t3,
            care_level="full_care",
            adl_failed=5,
            assessed_on=date(2026, 12, 15),
        ),
        CaseTerminated(
            case_id=cases["5"].case_id,
            effective_month="2026-12",
            reason="death",
            person_ids=[e1],
            decided_on=date(2026, 11, 20),
        ),
        CaseReviewScheduled(
            case_id=cases["6"].case_id,
            occasion="approved",
            next_review_due=date(2026, 6, 1),
            scheduled_on=date(2026, 1, 20),
        ),
        ResidentAdmitted(
            person_id=t1,
            case_id=cases["2"].case_id,
            placement_id=stays["t1"][0],
            request_id=uuid4(),
            facility_id=stays["t1"][1],
            district_code=DISTRICT,
            admitted_on=date(2026, 3, 1),
        ),
        ResidentAdmitted(
            person_id=t4,
            case_id=cases["7"].case_id,
            placement_id=stays["t4"][0],
            request_id=uuid4(),
            facility_id=stays["t4"][1],
            district_code=OTHER_DISTRICT,
            admitted_on=date(2026, 5, 1),
        ),
        ResidentDischarged(
            person_id=t4,
            case_id=cases["7"].case_id,
            placement_id=stays["t4"][0],
            facility_id=stays["t4"][1],
            district_code=OTHER_DISTRICT,
            reason="death",
            discharged_on=date(2026, 11, 20),
        ),
        paid(cases["1"], a1, "2026-11", date(2026, 11, 8)),
        paid(cases["1"], a2, "2026-11", date(2026, 11, 12)),
        failed,
        PaymentReissued(
            **failed.model_dump(
                include={"case_id", "household_id", "person_id", "benefit", "month", "amount_fen"}
            ),
            payment_id=reissue,
            original_payment_id=failed.payment_id,
            reissued_on=date(2026, 11, 12),
        ),
        paid(cases["2"], t1, "2026-11", date(2026, 11, 13), benefit="tekun").model_copy(
            update={"payment_id": reissue}
        ),
        paid(cases["6"], p1, "2026-11", date(2026, 11, 10)),
        paid(cases["1"], a1, "2026-11", date(2026, 11, 20), benefit="back_pay"),
        paid(cases["1"], a1, "2026-12", date(2026, 12, 9)),
        paid(cases["6"], p1, "2026-12", date(2026, 12, 11)),
        *roster.values(),
        InsuredRemoved(
            **roster["p1"].model_dump(
                include={"roster_entry_id", "person_id", "policy_year", "insurer_id", "district_code"}
            ),
            cover_until=date(2026, 11, 15),
            reason="case_ended",
        ),
        claim(roster["a1"], "accident", date(2026, 11, 3), date(2026, 11, 5)),
        claim(roster["a2"], "accident", date(2026, 11, 3), date(2026, 11, 6)),
        claim(roster["a1"], "serious_illness", date(2026, 11, 1), date(2026, 11, 20)),
        claim(roster["p1"], "accident", date(2026, 10, 30), date(2026, 11, 1)),
        claim(roster["a2"], "accident", date(2026, 10, 2), date(2026, 10, 3)),
    ]


async def kpi_city(oversight: Oversight) -> None:
    """`kpi_events`, then a poverty list naming a1 and someone without a case (漏保 in DISTRICT) and the checks
    run on 16 November (that 漏保, and p1's overdue review in OTHER_DISTRICT); and four problems: in
    DISTRICT one open and one rectifying since 5 November past its 20 November deadline, in OTHER_DISTRICT
    one rectifying until 20 December and one closed on 10 November."""
    events = kpi_events()
    await oversight.deliver(events)
    a1_id = resident_id("500103", "19600101", "010")
    await load(
        oversight,
        "poverty",
        "id_number,district_code,monthly_income_per_capita_yuan",
        f"{a1_id},{DISTRICT},100",
        f"{resident_id('500103', '19600101', '099')},{DISTRICT},100",
    )
    await run(oversight, "missed", "R13")
    opened, set_on = "2026-11-05T02:00:00+00:00", "2026-11-06T02:00:00+00:00"
    rectifying = (
        "INSERT INTO problems (id, district_code, source, title, description, status, opened_by, opened_at, "
        "responsible_person, measures, deadline, rectification_by, rectification_at) VALUES (:id, :d, "
        "'self_inspection', 't', 'd', 'rectifying', 'opener', :opened, 'chief', 'visit', :deadline, 'setter', "
        ":set_on)"
    )
    closed = uuid4()
    async with oversight.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO problems (id, district_code, source, title, description, status, opened_by, "
                "opened_at) VALUES (:id, :d, 'self_inspection', 't', 'd', 'open', 'opener', :opened)"
            ),
            {"id": uuid4(), "d": DISTRICT, "opened": datetime.fromisoformat(opened)},
        )
        for district, deadline, problem in (
            (DISTRICT, date(2026, 11, 20), uuid4()),
            (OTHER_DISTRICT, date(2026, 12, 20), uuid4()),
            (OTHER_DISTRICT, date(2026, 11, 30), closed),
        ):
            await connection.execute(
                text(rectifying),
                {
                    "id": problem,
                    "d": district,
                    "opened": datetime.fromisoformat(opened),
                    "deadline": deadline,
                    "set_on": datetime.fromisoformat(set_on),
                },
            )
        await connection.execute(
            text(
                "INSERT INTO problem_evidence (id, problem_id, description, added_by, added_at) "
                "VALUES (:id, :p, 'done', 'setter', :at)"
            ),
            {"id": uuid4(), "p": closed, "at": datetime.fromisoformat(set_on)},
        )
        await connection.execute(
            text(
                "UPDATE problems SET status = 'closed', closed_by = 'checker', closed_at = :at, "
                "closing_note = 'ok' WHERE id = :p"
            ),
            {"p": closed, "at": datetime(2026, 11, 10, 2, tzinfo=UTC)},
        )
