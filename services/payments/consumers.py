"""The payments service's reactions to eligibility events; the inbox runs each at most once."""

from __future__ import annotations

from services.payments.service import entitlements as service
from shared.contracts.base import Event
from shared.contracts.eligibility import (
    CaseAmountChanged,
    CaseApproved,
    CaseSuspended,
    CaseTerminated,
    TemporaryAidGranted,
)
from shared.db import UnitOfWork
from shared.messaging.inbox import Handler


async def on_case_approved_open_entitlements(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, CaseApproved)
    await service.open_entitlements(uow, event)


async def on_case_amount_changed_change_entitlements(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, CaseAmountChanged)
    await service.change_entitlements(uow, event)


async def on_case_suspended_pause_entitlements(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, CaseSuspended)
    await service.suspend_entitlements(uow, event)


async def on_case_terminated_end_entitlements(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, CaseTerminated)
    await service.end_entitlements(uow, event)


async def on_temporary_aid_granted_schedule_one_off(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, TemporaryAidGranted)
    await service.schedule_one_off(uow, event)


HANDLERS: dict[str, Handler] = {
    "CaseApproved": on_case_approved_open_entitlements,
    "CaseAmountChanged": on_case_amount_changed_change_entitlements,
    "CaseSuspended": on_case_suspended_pause_entitlements,
    "CaseTerminated": on_case_terminated_end_entitlements,
    "TemporaryAidGranted": on_temporary_aid_granted_schedule_one_off,
}
