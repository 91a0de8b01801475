"""Reactions to `eligibility.case.v1`: the beneficiaries read model of who eligibility covers and from when.

Each reaction records the case's cover windows, then brings the people it touched up to date on the
roster (`enrolment.sync_persons`). A redelivered or replayed event finds nothing to change and emits nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from services.insurance.domain.roster import removal_reason
from services.insurance.models import BeneficiaryCase
from services.insurance.repository import beneficiaries as beneficiary_queries
from services.insurance.service.enrolment import sync_persons
from shared.contracts.base import Event
from shared.contracts.eligibility import CaseAmountChanged, CaseApproved, CaseTerminated
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import NotFound


async def _current_case(uow: UnitOfWork, case_id: UUID, event: Event) -> BeneficiaryCase | None:
    """The case to apply `event` to, or None when a later event of the case is already applied (a replay)."""
    case = await beneficiary_queries.case(uow.session, case_id, for_update=True)
    if case is None:
        raise NotFound(f"case {case_id} is unknown here: its CaseApproved has not arrived")
    return case if _applies(case, event) else None


def _applies(case: BeneficiaryCase, event: Event) -> bool:
    """Whether `event` is news for `case` (no later event of it applied: not a replay); it then is the latest."""
    if case.last_event_at > event.occurred_at:
        return False
    case.last_event_at = event.occurred_at
    return True


async def enrol_cases(uow: UnitOfWork, events: Sequence[CaseApproved]) -> None:
    """Approved (a batch handler, a run of approvals at once): each beneficiary covered from the 1st of the
    month of the decision, once per term; the roster brought up to date for all of them together."""
    async with uow:
        await beneficiary_queries.add_cases(
            uow.session,
            [
                {
                    "case_id": event.case_id,
                    "household_id": event.household_id,
                    "program": event.program,
                    "district_code": event.district_code,
                    "last_event_at": event.occurred_at,
                }
                for event in events
            ],
        )
        cases = await beneficiary_queries.cases(uow.session, [event.case_id for event in events])
        applied = [event for event in events if _applies(cases[event.case_id], event)]
        await beneficiary_queries.add_beneficiaries(
            uow.session,
            [
                {
                    "case_id": event.case_id,
                    "person_id": b.person_id,
                    "categories": list(b.insurance_categories),
                    "cover_start": YearMonth.of(event.decided_on).first_day,
                }
                for event in applied
                for b in event.beneficiaries
            ],
        )
        await sync_persons(uow, [b.person_id for event in applied for b in event.beneficiaries])
        await uow.commit()


async def end_cover(uow: UnitOfWork, event: CaseTerminated) -> None:
    """Terminated (or died): cover ends on the last day before the first month no longer paid."""
    async with uow:
        if await _current_case(uow, event.case_id, event) is not None:
            cover_end = YearMonth.parse(event.effective_month).first_day - timedelta(days=1)
            await beneficiary_queries.end_windows(
                uow.session, event.case_id, list(event.person_ids), cover_end, removal_reason(event.reason)
            )
            await sync_persons(uow, list(event.person_ids))
        await uow.commit()


async def follow_case_change(uow: UnitOfWork, event: CaseAmountChanged) -> None:
    """A reassessment may add members (covered from the decision's month) or drop some (from `from_month`)."""
    async with uow:
        case = await _current_case(uow, event.case_id, event)
        if case is not None:
            current = await beneficiary_queries.latest_windows_of_case(uow.session, event.case_id)
            starts = YearMonth.of(event.decided_on).first_day
            listed = [b.person_id for b in event.beneficiaries]
            newcomers = [p for p in listed if p not in current]
            ended = [current[p] for p in listed if p in current and current[p].cover_end is not None]
            # Added back before the removal took effect: cover carries on. Later: a new window, and the
            # months between are a gap, not cover.
            carried_on = [
                w for w in ended if w.cover_end is not None and starts <= w.cover_end + timedelta(days=1)
            ]
            returning = [w.person_id for w in ended if w not in carried_on]
            await beneficiary_queries.add_beneficiaries(
                uow.session,
                [
                    {
                        "case_id": event.case_id,
                        "person_id": p,
                        "categories": list(current[p].categories) if p in current else [case.program],
                        "cover_start": starts,
                    }
                    for p in [*newcomers, *returning]
                ],
            )
            await beneficiary_queries.reopen_windows(
                uow.session, event.case_id, [(w.person_id, w.cover_start) for w in carried_on]
            )
            back = [w.person_id for w in ended]
            gone = [p for p, w in current.items() if p not in listed and w.cover_end is None]
            await beneficiary_queries.end_windows(
                uow.session,
                event.case_id,
                gone,
                YearMonth.parse(event.from_month).first_day - timedelta(days=1),
                "case_ended",
            )
            await sync_persons(uow, [*newcomers, *back, *gone])
        await uow.commit()
