"""A seeded 2026 term's KPIs against a computation by hand: four insured people in two districts, four claims."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from services.insurance.schemas.claims import (
    AssessmentIn,
    ClaimIn,
    DocumentsIn,
    ExpensesIn,
    RejectionIn,
    SettlementIn,
)
from services.insurance.service import claims, kpis
from services.insurance.service.terms import DEMO_INSURER_ID
from shared.auth import Principal, Role
from tests.insurance.conftest import Insurance
from tests.kit.insurance import approved, terminated

CENTRAL, NORTH = "500103", "500101"
LATER = date(2027, 2, 1)
"""The day the figures are asked for: after the term, but every query here names its `as_of`."""
AUDITOR = Principal(subject="aud-1", roles=frozenset({Role.auditor}), city_wide=True)
INSURER = Principal(subject="ins-1", roles=frozenset({Role.insurer}), insurer_id=str(DEMO_INSURER_ID))
ACCIDENT = ExpensesIn(
    total_fen=1_000_000, basic_insurance_fen=400_000, medical_assistance_fen=100_000, out_of_list_fen=0
)
ILLNESS = ExpensesIn(
    total_fen=5_000_000,
    basic_insurance_fen=2_000_000,
    medical_assistance_fen=500_000,
    out_of_list_fen=1_000_000,
)


def caseworker(district: str) -> Principal:
    return Principal(subject="cw-1", roles=frozenset({Role.caseworker}), districts=frozenset({district}))


async def report(
    insurance: Insurance,
    person: object,
    cover_type: str,
    incident: str,
    reported: str,
    claimed: int,
    district: str,
) -> UUID:
    out = await claims.report_claim(
        insurance.new_uow(),
        caseworker(district),
        ClaimIn(
            person_id=person,
            cover_type=cover_type,
            incident_date=date.fromisoformat(incident),
            claimed_fen=claimed,
            expenses=ACCIDENT if cover_type == "accident" else ILLNESS,
        ),
        today=date.fromisoformat(reported),
    )
    documents = DocumentsIn(received=out.documents_missing)
    await claims.receive_documents(
        insurance.new_uow(), INSURER, out.id, documents, today=date.fromisoformat(reported)
    )
    return out.id


async def settle(insurance: Insurance, claim_id: UUID, amount: int, on: str) -> None:
    day = date.fromisoformat(on)
    await claims.assess(insurance.new_uow(), INSURER, claim_id, AssessmentIn(assessed_fen=amount), today=day)
    await claims.settle(insurance.new_uow(), INSURER, claim_id, SettlementIn(paid_fen=amount), today=day)


async def test_the_kpis_of_a_seeded_term_equal_the_hand_computation(insurance: Insurance) -> None:
    p1, p2, p3, p4 = uuid4(), uuid4(), uuid4(), uuid4()
    ended = approved({p3: ["dibao"]}, decided_on=date(2026, 1, 20))
    await insurance.deliver(
        [
            approved({p1: ["dibao"]}, decided_on=date(2026, 1, 10)),  # cover 1 Jan – 31 Dec: 365 days
            approved(
                {p2: ["tekun"]}, decided_on=date(2026, 7, 8), program="tekun"
            ),  # 1 Jul – 31 Dec: 184 days
            ended,  # 1 Jan – 31 Mar: 31 + 28 + 31 = 90 days
            terminated(ended, date(2026, 3, 15)),  # off the roster from April
            approved(
                {p4: ["dibao"]}, decided_on=date(2026, 10, 2), district=NORTH
            ),  # 1 Oct – 31 Dec: 92 days
        ]
    )
    c1 = await report(insurance, p1, "accident", "2026-03-10", "2026-03-11", 500_000, CENTRAL)  # 1 day
    c2 = await report(insurance, p2, "accident", "2026-08-01", "2026-08-05", 300_000, CENTRAL)  # 4 days: late
    c3 = await report(
        insurance, p1, "serious_illness", "2026-05-01", "2026-05-03", 2_000_000, CENTRAL
    )  # 2 days
    await report(
        insurance, p4, "serious_illness", "2026-11-01", "2026-11-03", 1_000_000, NORTH
    )  # 2 days, open
    await settle(insurance, c1, 500_000, "2026-03-31")  # 20 days after the report
    await settle(insurance, c3, 2_000_000, "2026-06-02")  # 30 days after the report
    late = RejectionIn(
        reason_code="late_report", reason="Reported 4 days after the accident; the limit is 48 hours."
    )
    await claims.reject(insurance.new_uow(), INSURER, c2, late, today=date(2026, 8, 20))

    result = await kpis.term_kpis(
        insurance.new_uow(), AUDITOR, 2026, as_of=date(2026, 12, 31), district_code=None, today=LATER
    )

    # By hand. Exposure: 365 + 184 + 90 + 92 = 731 covered days in a 365-day term.
    person_years = 731 / 365
    assert (result.insured_persons, result.insured_on_as_of) == (4, 3)  # p3 left at the end of March
    assert result.person_years == pytest.approx(person_years)
    # ¥10 a month covered: p1 twelve months, p2 six, p3 three (removed from April), p4 three.
    assert result.premium_fen == 12_000 + 6_000 + 3_000 + 3_000
    assert [(m.month, m.added, m.removed) for m in result.monthly if m.added or m.removed] == [
        ("2026-01", 2, 0),
        ("2026-04", 0, 1),
        ("2026-07", 1, 0),
        ("2026-10", 1, 0),
    ]
    # 出险率: 4 claims / 2.0027 person-years = 1.9973 claims per insured person-year.
    assert result.claims == 4 and result.claims_by_type == {"accident": 2, "serious_illness": 2}
    assert result.claim_rate == pytest.approx(4 / person_years) and round(result.claim_rate or 0, 4) == 1.9973
    # Timeliness: accidents reported after 1 and 4 days, median 2.5, one of two within 48 hours.
    accident, illness = result.timeliness
    assert (accident.cover_type, accident.claims, accident.median_days_to_report) == ("accident", 2, 2.5)
    assert (accident.limit_hours, accident.within_limit, accident.share_within_limit) == (48, 1, 0.5)
    assert (illness.median_days_to_report, illness.limit_hours, illness.share_within_limit) == (
        2.0,
        None,
        None,
    )
    # Settlement: 2 settled of 4 → 0.5; days to settle 20 and 30 → median 25.
    assert (result.settled, result.rejected, result.open) == (2, 1, 1)
    assert (result.settlement_rate, result.median_days_to_settle) == (0.5, 25.0)
    assert result.paid_fen_by_type == {"accident": 500_000, "serious_illness": 2_000_000}
    assert result.paid_fen == 2_500_000

    north, central = result.districts
    assert (central.district_code, north.district_code) == (CENTRAL, NORTH)
    # Central: 365 + 184 + 90 = 639 days, 3 claims → 3 / (639/365) = 1.7136.
    assert central.person_years == pytest.approx(639 / 365) and central.claims == 3
    assert central.claim_rate == pytest.approx(3 * 365 / 639)
    # North: 92 days, 1 claim → 1 / (92/365) = 3.9674; nothing settled yet.
    assert north.claim_rate == pytest.approx(365 / 92) and north.settlement_rate == 0.0

    halfway = await kpis.term_kpis(
        insurance.new_uow(), AUDITOR, 2026, as_of=date(2026, 6, 30), district_code=None, today=LATER
    )
    # To 30 June: p1 181 days, p3 90 days; two claims reported, both settled by then.
    assert halfway.person_years == pytest.approx((181 + 90) / 365) and halfway.claims == 2
    assert (halfway.settled, halfway.rejected, halfway.open) == (2, 0, 0)
    # On 10 August c2 was reported but not yet rejected (20 August): open then, whatever it is now.
    august = await kpis.term_kpis(
        insurance.new_uow(), AUDITOR, 2026, as_of=date(2026, 8, 10), district_code=None, today=LATER
    )
    assert (august.claims, august.settled, august.rejected, august.open) == (3, 2, 0, 1)
    assert august.paid_fen == 2_500_000 and august.settlement_rate == pytest.approx(2 / 3)
    only_north = await kpis.term_kpis(
        insurance.new_uow(), AUDITOR, 2026, as_of=date(2026, 12, 31), district_code=NORTH, today=LATER
    )
    assert only_north.claims == 1 and [d.district_code for d in only_north.districts] == [NORTH]
