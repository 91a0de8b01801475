"""The insurance service's reactions to eligibility events; the inbox runs each at most once, and each is
also safe to run again (a replay of the topic from the start leaves the roster as it is)."""

from __future__ import annotations

from services.insurance.service import roster
from shared.contracts.base import Event
from shared.contracts.eligibility import CaseAmountChanged, CaseApproved, CaseTerminated
from shared.db import UnitOfWork
from shared.messaging.inbox import Handler


async def on_case_approved_enrol_beneficiaries(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, CaseApproved)
    await roster.enrol_case(uow, event)


async def on_case_amount_changed_follow_members(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, CaseAmountChanged)
    await roster.follow_case_change(uow, event)


async def on_case_terminated_remove_insured(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, CaseTerminated)
    await roster.end_cover(uow, event)


HANDLERS: dict[str, Handler] = {
    "CaseApproved": on_case_approved_enrol_beneficiaries,
    "CaseAmountChanged": on_case_amount_changed_follow_members,
    "CaseTerminated": on_case_terminated_remove_insured,
}
