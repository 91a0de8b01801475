"""A 特困 resident's story as payments hears it: a one-person case approved in February of the year the suite
runs in, and the admissions, transfers and discharges of facilities.placement.v1; the payees it ends with."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select

from services.payments.models import FacilityStay, Payment
from shared.clock import SystemClock
from shared.contracts.eligibility import ApprovedBeneficiary, CaseApproved
from shared.contracts.facilities import (
    DischargeReason,
    ResidentAdmitted,
    ResidentDischarged,
    ResidentTransferred,
)
from tests.kit.eligibility import DISTRICT
from tests.kit.payments import moment
from tests.payments.conftest import Payments

YEAR = SystemClock().today().year
"""The story runs in the year the suite runs: March to August of it."""
BASE, CARE = 60_000, 30_000
TOTAL = BASE + CARE


def on(month: int, day: int) -> date:
    return date(YEAR, month, day)


def tekun_case(district: str = DISTRICT) -> CaseApproved:
    """A one-person 特困 case approved on 10 February: due from March, basic living plus full care."""
    return CaseApproved(
        case_id=uuid4(),
        household_id=uuid4(),
        program="tekun",
        district_code=district,
        start_month=f"{YEAR}-03",
        beneficiaries=[
            ApprovedBeneficiary(
                person_id=uuid4(),
                base_fen=BASE,
                add_on_fen=0,
                care_subsidy_fen=CARE,
                total_fen=TOTAL,
                insurance_categories=["tekun"],
            )
        ],
        monthly_amount_fen=TOTAL,
        decided_on=on(2, 10),
        occurred_at=moment(on(2, 10)),
    )


def person_of(case: CaseApproved) -> UUID:
    return case.beneficiaries[0].person_id


def admitted(case: CaseApproved, facility_id: UUID, day: date) -> ResidentAdmitted:
    return ResidentAdmitted(
        placement_id=uuid4(),
        request_id=uuid4(),
        person_id=person_of(case),
        case_id=case.case_id,
        facility_id=facility_id,
        district_code=case.district_code,
        admitted_on=day,
        occurred_at=moment(day),
    )


def _same_stay(admission: ResidentAdmitted, day: date) -> dict[str, Any]:
    """What every later event of the admission's placement repeats."""
    fields = ("placement_id", "person_id", "case_id", "district_code")
    return {**{f: getattr(admission, f) for f in fields}, "occurred_at": moment(day)}


def transferred(admission: ResidentAdmitted, to_facility_id: UUID, day: date) -> ResidentTransferred:
    return ResidentTransferred(
        **_same_stay(admission, day),
        from_facility_id=admission.facility_id,
        to_facility_id=to_facility_id,
        transferred_on=day,
    )


def discharged(
    admission: ResidentAdmitted, facility_id: UUID, day: date, reason: DischargeReason
) -> ResidentDischarged:
    return ResidentDischarged(
        **_same_stay(admission, day), facility_id=facility_id, reason=reason, discharged_on=day
    )


async def payees(payments: Payments, person_id: UUID) -> list[tuple[int, str, UUID | None, str]]:
    """The person's 特困 payments: (month, payee kind, facility, status), by month."""
    async with payments.engine.connect() as connection:
        rows = await connection.execute(
            select(Payment.month, Payment.payee_kind, Payment.facility_id, Payment.status)
            .where(Payment.person_id == person_id, Payment.benefit == "tekun")
            .order_by(Payment.month)
        )
        return [(r.month.month, r.payee_kind, r.facility_id, r.status) for r in rows]


async def stays(payments: Payments) -> list[tuple[Any, ...]]:
    """(person, facility, start month, end month, end reason) of every stay."""
    columns = ("person_id", "facility_id", "start_month", "end_month", "end_reason")
    query = select(*(getattr(FacilityStay, c) for c in columns))
    async with payments.engine.connect() as connection:
        rows = await connection.execute(query.order_by(FacilityStay.person_id, FacilityStay.start_month))
        return [tuple(r) for r in rows]
