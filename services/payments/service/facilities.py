"""Residents of care facilities (集中供养): the months a facility, not the person, is paid the person's 特困
amounts, kept from the facilities service's events. Runs read them (`repository.runs`); unsent payments follow
them when they change."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from services.payments.models import FacilityStay
from services.payments.repository import facilities as repository
from shared.contracts.facilities import ResidentAdmitted, ResidentDischarged, ResidentTransferred
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import NotYet


def _month_after(day: date) -> date:
    """The first month a move on `day` changes the payee of (DOMAIN.md, who is paid)."""
    return YearMonth.of(day).next().first_day


async def on_resident_admitted_pay_the_facility(uow: UnitOfWork, event: ResidentAdmitted) -> None:
    """The facility is paid the person's 特困 amounts from the month after admission. Without the person's
    特困 entitlement (CaseApproved not arrived yet) the admission waits for it."""
    async with uow:
        if not await repository.has_tekun_entitlement(uow.session, event.case_id, event.person_id):
            raise NotYet(f"no 特困 entitlement of person {event.person_id} in case {event.case_id} yet")
        current = await repository.open_stay(uow.session, event.person_id)
        if current is None or current.placement_id != event.placement_id:
            start = _month_after(event.admitted_on)
            if current is not None:  # a stay elsewhere whose discharge never came: the newer admission wins
                _end(current, start, "readmitted")
                await uow.session.flush()
            await insert_if_absent(
                uow.session,
                FacilityStay(
                    id=uuid4(),
                    placement_id=event.placement_id,
                    person_id=event.person_id,
                    case_id=event.case_id,
                    facility_id=event.facility_id,
                    district_code=event.district_code,
                    start_month=start,
                ),
            )
            await repository.repoint_unsent(uow.session, event.person_id)
        await uow.commit()


async def on_resident_transferred_pay_the_new_facility(uow: UnitOfWork, event: ResidentTransferred) -> None:
    """The facility the resident moved to is paid from the month after the move, the one they left until
    then."""
    async with uow:
        current = await _stay_of(uow, event.person_id, event.placement_id)
        if current is not None and current.facility_id != event.to_facility_id:
            start = _month_after(event.transferred_on)
            if current.start_month >= start:  # the old facility was never paid a month: it is replaced
                current.facility_id, current.district_code = event.to_facility_id, event.district_code
            else:
                _end(current, start, "transferred")
                await uow.session.flush()
                uow.session.add(
                    FacilityStay(
                        id=uuid4(),
                        placement_id=event.placement_id,
                        person_id=event.person_id,
                        case_id=event.case_id,
                        facility_id=event.to_facility_id,
                        district_code=event.district_code,
                        start_month=start,
                    )
                )
            await uow.session.flush()
            await repository.repoint_unsent(uow.session, event.person_id)
        await uow.commit()


async def on_resident_discharged_pay_the_person(uow: UnitOfWork, event: ResidentDischarged) -> None:
    """The facility is paid up to the month of discharge; the person from the month after. A death only ends
    the stay: the case's termination, from eligibility, ends the entitlement itself."""
    async with uow:
        current = await _stay_of(uow, event.person_id, event.placement_id)
        if current is not None:
            _end(current, _month_after(event.discharged_on), event.reason)
            await uow.session.flush()
            await repository.repoint_unsent(uow.session, event.person_id)
        await uow.commit()


async def _stay_of(uow: UnitOfWork, person_id: UUID, placement_id: UUID) -> FacilityStay | None:
    """The placement's open stay; None if it has ended already (a late or repeated event changes nothing).
    A placement never admitted here waits for its admission."""
    current = await repository.open_stay(uow.session, person_id)
    if current is not None and current.placement_id == placement_id:
        return current
    if await repository.placement_known(uow.session, placement_id):
        return None
    raise NotYet(f"placement {placement_id} of person {person_id}: ResidentAdmitted has not been applied")


def _end(stay: FacilityStay, end_month: date, reason: str) -> None:
    """A stay that has not reached its first month yet ends without covering any."""
    stay.end_month, stay.end_reason = max(stay.start_month, end_month), reason
