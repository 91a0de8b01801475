"""Reactions to `eligibility.case.v1`: the read model of 特困 persons (case, district, active window, care
levels, support mode) and the placement requests their choices raise.

Ids and facts only. Each reaction is safe to run again: rows go in with ON CONFLICT, a request's id is
derived from the event that raised it, and a person's support-mode choice older than the one applied is
skipped, so replaying the topic from the start (or into an empty database) gives the same tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from services.facilities.domain.placements import discharge_reason_for_termination
from services.facilities.models import CareLevel, PlacementRequest
from services.facilities.repository import persons as person_queries
from services.facilities.repository import placements as placement_queries
from services.facilities.service.placements import end_stay
from shared.contracts.eligibility import CareLevelAssessed, CaseApproved, CaseTerminated, SupportModeChosen
from shared.contracts.facilities import PlacementRequested
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import InvalidInput, NotYet


def _actor(event: CaseApproved | CaseTerminated | SupportModeChosen) -> str:
    return f"event:{event.event_type()}:{event.event_id}"


async def record_cases(uow: UnitOfWork, events: Sequence[CaseApproved]) -> None:
    """A run of approvals (a batch handler): every case remembered, so its later events are known, in one
    statement; a 特困 case's people become members from the decision day, with a care level assessed before
    approval holding from then too."""
    async with uow:
        await person_queries.add_cases(
            uow.session,
            [
                {
                    "case_id": event.case_id,
                    "program": event.program,
                    "district_code": event.district_code,
                    "decided_on": event.decided_on,
                }
                for event in events
            ],
        )
        for event in events:
            if event.program != "tekun":
                continue
            await person_queries.add_members(
                uow.session,
                event.case_id,
                event.district_code,
                [b.person_id for b in event.beneficiaries],
                event.decided_on,
            )
            for beneficiary in event.beneficiaries:
                if beneficiary.care_level is not None:
                    await _care_level(
                        uow, beneficiary.person_id, event.decided_on, beneficiary.care_level, event
                    )
        await uow.commit()


async def record_care_level(uow: UnitOfWork, event: CareLevelAssessed) -> None:
    """The person's level from the assessment day; a queued request moves to its new place in the queue."""
    async with uow:
        await _care_level(uow, event.person_id, event.assessed_on, event.care_level, event)
        await uow.commit()


async def _care_level(
    uow: UnitOfWork,
    person_id: UUID,
    on: date,
    level: str,
    event: CaseApproved | CareLevelAssessed | SupportModeChosen,
) -> None:
    await person_queries.record_care_level(
        uow.session,
        CareLevel(person_id=person_id, assessed_on=on, care_level=level, event_at=event.occurred_at),
    )
    latest = await person_queries.latest_care_level(uow.session, person_id)
    assert latest is not None  # just recorded
    await placement_queries.follow_care_level(uow.session, person_id, latest)


async def follow_support_choice(uow: UnitOfWork, event: SupportModeChosen) -> None:
    """Centralised: the person joins the district's queue (PlacementRequested), unless already queued or
    living in a facility. Dispersed: a queued request is withdrawn, and a resident goes home."""
    async with uow:
        member = await person_queries.member(uow.session, event.case_id, event.person_id)
        if member is None:
            if await person_queries.case(uow.session, event.case_id) is None:
                raise NotYet(f"case {event.case_id} is unknown here: its CaseApproved has not arrived")
            raise InvalidInput(f"person {event.person_id} is not a 特困 member of case {event.case_id}")
        if member.support_mode_at is not None and member.support_mode_at >= event.occurred_at:
            await uow.commit()  # a replay of an older choice: the newer one stands
            return
        member.support_mode, member.support_mode_on = event.support_mode, event.chosen_on
        member.support_mode_at = event.occurred_at
        await _care_level(uow, event.person_id, event.chosen_on, event.care_level, event)
        if member.active_until is None:
            if event.support_mode == "centralised":
                await _request_place(uow, event)
            else:
                await _go_home(uow, event)
        await uow.commit()


async def _request_place(uow: UnitOfWork, event: SupportModeChosen) -> None:
    if await placement_queries.has_open_stay(uow.session, event.person_id):
        return
    level = await person_queries.latest_care_level(uow.session, event.person_id) or event.care_level
    request = PlacementRequest(
        id=uuid5(NAMESPACE_URL, f"safetynet:facilities:placement-request:{event.event_id}"),
        person_id=event.person_id,
        case_id=event.case_id,
        district_code=event.district_code,
        care_level=level,
        requested_on=event.chosen_on,
        requested_at=event.occurred_at,
        status="queued",
    )
    # A second centralised choice while one is queued adds nothing: one queued request per person.
    if await insert_if_absent(uow.session, request):
        uow.emit(
            PlacementRequested(
                person_id=event.person_id,
                case_id=event.case_id,
                request_id=request.id,
                district_code=event.district_code,
                care_level=level,
                requested_on=event.chosen_on,
            )
        )


async def _go_home(uow: UnitOfWork, event: SupportModeChosen) -> None:
    await placement_queries.withdraw(
        uow.session,
        [event.person_id],
        case_id=event.case_id,
        on=event.chosen_on,
        reason="dispersed",
        requested_before=event.occurred_at,
    )
    for stay in await placement_queries.open_stays_of_case(uow.session, event.case_id, [event.person_id]):
        await end_stay(uow, _actor(event), stay, "returned_home", event.chosen_on)


async def end_support(uow: UnitOfWork, event: CaseTerminated) -> None:
    """The named people's support ends the day before `effective_month`; their queued requests are
    withdrawn and residents discharged (death, or case_ended) on the decision day."""
    async with uow:
        case = await person_queries.case(uow.session, event.case_id)
        if case is None:
            raise NotYet(f"case {event.case_id} is unknown here: its CaseApproved has not arrived")
        if case.program == "tekun":
            persons = list(event.person_ids)
            until = YearMonth.parse(event.effective_month).first_day - timedelta(days=1)
            await person_queries.end_members(uow.session, event.case_id, persons, until, event.reason)
            await placement_queries.withdraw(
                uow.session, persons, case_id=event.case_id, on=event.decided_on, reason="case_ended"
            )
            reason = discharge_reason_for_termination(event.reason)
            for stay in await placement_queries.open_stays_of_case(uow.session, event.case_id, persons):
                await end_stay(uow, _actor(event), stay, reason, event.decided_on)
        await uow.commit()
