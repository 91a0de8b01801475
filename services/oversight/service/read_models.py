"""Reactions that keep the read models the checks and KPIs run over: households and the relatives register,
cases and care levels, payments, placements, the insurance roster and claims. Ids and facts only.

Each reaction is safe to run again and gives the same rows when its topic is replayed from the start, into
this database or an empty one: rows go in with ON CONFLICT, a household only moves to a newer version, a
review date only to a newer event's, and an aggregate's events arrive in order (they share its key).
"""

from __future__ import annotations

from services.oversight.models import Case, Claim, Overpayment, Placement, StaffRelative, TemporaryGrant
from services.oversight.repository import read_models as queries
from shared.contracts.eligibility import (
    CareLevelAssessed,
    CaseAmountChanged,
    CaseApproved,
    CaseEvent,
    CaseReviewScheduled,
    CaseSuspended,
    CaseTerminated,
    HouseholdRecorded,
    StaffRelativeFiled,
    TemporaryAidGranted,
)
from shared.contracts.facilities import ResidentAdmitted, ResidentDischarged, ResidentTransferred
from shared.contracts.insurance import ClaimReported, InsuredEnrolled, InsuredRemoved
from shared.contracts.payments import OverpaymentRaised, PaymentDisbursed, PaymentFailed, PaymentReissued
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import NotYet


def _month(label: str) -> YearMonth:
    return YearMonth.parse(label)


async def record_household(uow: UnitOfWork, event: HouseholdRecorded) -> None:
    """The household at its newest version; every household a person is seen in stays in `memberships`."""
    declared = event.declared
    async with uow:
        newer = await queries.newer_household(
            uow.session,
            {
                "household_id": event.household_id,
                "version": event.version,
                "district_code": event.district_code,
                "township_code": event.township_code,
                "area": event.area,
                "member_count": len(event.members),
                "monthly_income_fen": declared.monthly_income_fen,
                "financial_assets_fen": declared.financial_assets_fen,
                "vehicle_exemption_evidenced": declared.vehicle_exemption_evidenced,
                "study_abroad_self_funded": declared.study_abroad_self_funded,
                "premiums_fen_per_year": declared.premiums_and_private_fees_fen_per_year,
                "recorded_on": event.recorded_on,
            },
        )
        if newer:
            await queries.replace_members(
                uow.session,
                event.household_id,
                [
                    {
                        "household_id": event.household_id,
                        "person_id": m.person_id,
                        "relation": m.relation,
                        "match_key": bytes.fromhex(m.match_key),
                    }
                    for m in event.members
                ],
            )
        await queries.add_memberships(
            uow.session, event.household_id, [m.person_id for m in event.members], event.recorded_on
        )
        await uow.commit()


async def record_relative(uow: UnitOfWork, event: StaffRelativeFiled) -> None:
    async with uow:
        await insert_if_absent(
            uow.session,
            StaffRelative(
                relative_id=event.relative_id,
                match_key=bytes.fromhex(event.match_key),
                staff_id=event.staff_id,
                relation=event.relation,
                district_code=event.district_code,
                filed_on=event.filed_on,
            ),
        )
        await uow.commit()


async def record_case(uow: UnitOfWork, event: CaseApproved) -> None:
    start = _month(event.start_month).first_day
    async with uow:
        await insert_if_absent(
            uow.session,
            Case(
                case_id=event.case_id,
                household_id=event.household_id,
                program=event.program,
                district_code=event.district_code,
                township_code=event.township_code,
                start_month=start,
                decided_on=event.decided_on,
                decision_due=event.decision_due,
            ),
        )
        await queries.add_beneficiaries(
            uow.session, event.case_id, [(b.person_id, b.total_fen) for b in event.beneficiaries], start
        )
        assessed = [
            {
                "case_id": event.case_id,
                "person_id": b.person_id,
                "assessed_on": event.decided_on,
                "care_level": b.care_level,
            }
            for b in event.beneficiaries
            if b.care_level is not None
        ]
        if assessed:
            await queries.assess_care(uow.session, assessed)
        await uow.commit()


async def _known_case(uow: UnitOfWork, event: CaseEvent) -> Case:
    case = await uow.session.get(Case, event.case_id, with_for_update=True)
    if case is None:
        raise NotYet(f"case {event.case_id} is unknown here: its CaseApproved has not arrived")
    return case


async def record_amount_change(uow: UnitOfWork, event: CaseAmountChanged) -> None:
    """The new totals from `from_month`; a member no longer listed is no longer covered from it."""
    start = _month(event.from_month).first_day
    async with uow:
        await _known_case(uow, event)
        # Everyone covered before `start` ends there, then the listed members are covered again at their totals.
        await queries.end_beneficiaries(uow.session, event.case_id, start, "not_covered")
        await queries.add_beneficiaries(
            uow.session, event.case_id, [(b.person_id, b.total_fen) for b in event.beneficiaries], start
        )
        await uow.commit()


async def record_suspension(uow: UnitOfWork, event: CaseSuspended) -> None:
    async with uow:
        case = await _known_case(uow, event)
        case.suspended_from = _month(event.from_month).first_day
        await uow.commit()


async def record_termination(uow: UnitOfWork, event: CaseTerminated) -> None:
    async with uow:
        await _known_case(uow, event)
        await queries.end_beneficiaries(
            uow.session,
            event.case_id,
            _month(event.effective_month).first_day,
            event.reason,
            event.person_ids,
        )
        await uow.commit()


async def record_review_schedule(uow: UnitOfWork, event: CaseReviewScheduled) -> None:
    async with uow:
        await _known_case(uow, event)
        await queries.schedule_review(uow.session, event.case_id, event.next_review_due, event.occurred_at)
        await uow.commit()


async def record_care_level(uow: UnitOfWork, event: CareLevelAssessed) -> None:
    """A 特困 person's care level from the day assessed; the care-rate KPI reads the latest by a day."""
    async with uow:
        await _known_case(uow, event)
        await queries.assess_care(
            uow.session,
            [
                {
                    "case_id": event.case_id,
                    "person_id": event.person_id,
                    "assessed_on": event.assessed_on,
                    "care_level": event.care_level,
                }
            ],
        )
        await uow.commit()


async def record_payment(uow: UnitOfWork, event: PaymentDisbursed | PaymentFailed | PaymentReissued) -> None:
    """A payment as last reported: issued (a reissue), then disbursed or failed."""
    match event:
        case PaymentDisbursed():
            status, on = "disbursed", event.paid_on
        case PaymentFailed():
            status, on = "failed", event.failed_on
        case PaymentReissued():
            status, on = "issued", event.reissued_on
    async with uow:
        await queries.record_payment(
            uow.session,
            {
                "payment_id": event.payment_id,
                "case_id": event.case_id,
                "household_id": event.household_id,
                "person_id": event.person_id,
                "benefit": event.benefit,
                "month": _month(event.month).first_day,
                "amount_fen": event.amount_fen,
                "status": status,
                "reported_on": on,
            },
        )
        await uow.commit()


async def record_overpayment(uow: UnitOfWork, event: OverpaymentRaised) -> None:
    async with uow:
        await insert_if_absent(
            uow.session,
            Overpayment(
                overpayment_id=event.overpayment_id,
                payment_id=event.payment_id,
                case_id=event.case_id,
                person_id=event.person_id,
                month=_month(event.month).first_day,
                amount_fen=event.amount_fen,
                reason=event.reason,
            ),
        )
        await uow.commit()


async def record_admission(uow: UnitOfWork, event: ResidentAdmitted) -> None:
    async with uow:
        await insert_if_absent(
            uow.session,
            Placement(
                placement_id=event.placement_id,
                person_id=event.person_id,
                case_id=event.case_id,
                facility_id=event.facility_id,
                district_code=event.district_code,
                admitted_on=event.admitted_on,
            ),
        )
        await uow.commit()


async def record_move(uow: UnitOfWork, event: ResidentTransferred | ResidentDischarged) -> None:
    values = (
        {"facility_id": event.to_facility_id, "district_code": event.district_code}
        if isinstance(event, ResidentTransferred)
        else {"left_on": event.discharged_on, "discharge_reason": event.reason}
    )
    async with uow:
        if not await queries.move_placement(uow.session, event.placement_id, **values):
            raise NotYet(f"stay {event.placement_id} is unknown here: its ResidentAdmitted has not arrived")
        await uow.commit()


async def record_roster(uow: UnitOfWork, event: InsuredEnrolled | InsuredRemoved) -> None:
    """An enrolment sets the entry's start (and clears any end); a removal sets its end."""
    values = {
        "roster_entry_id": event.roster_entry_id,
        "person_id": event.person_id,
        "policy_year": event.policy_year,
        "district_code": event.district_code,
    }
    if isinstance(event, InsuredEnrolled):
        values |= {"cover_from": event.cover_from, "cover_until": None, "removal_reason": None}
    else:
        values |= {"cover_until": event.cover_until, "removal_reason": event.reason}
    async with uow:
        await queries.roster_entry(uow.session, values, [k for k in values if k.startswith(("cover", "rem"))])
        await uow.commit()


async def record_claim(uow: UnitOfWork, event: ClaimReported) -> None:
    """A claim as reported; its district is its roster entry's, joined when the KPIs are read (the two topics
    arrive in any order)."""
    async with uow:
        await insert_if_absent(
            uow.session,
            Claim(
                claim_id=event.claim_id,
                roster_entry_id=event.roster_entry_id,
                person_id=event.person_id,
                cover_type=event.cover_type,
                incident_date=event.incident_date,
                reported_on=event.reported_on,
            ),
        )
        await uow.commit()


async def record_temporary_grant(uow: UnitOfWork, event: TemporaryAidGranted) -> None:
    """A temporary grant, with the day help was asked for (when the event carries it)."""
    async with uow:
        await insert_if_absent(
            uow.session,
            TemporaryGrant(
                grant_id=event.grant_id,
                district_code=event.district_code,
                kind=event.kind,
                help_first=event.help_first,
                amount_fen=event.amount_fen,
                applied_on=event.applied_on,
                granted_on=event.granted_on,
            ),
        )
        await uow.commit()
