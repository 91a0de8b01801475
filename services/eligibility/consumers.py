"""The eligibility service's reactions to other services' events; the inbox runs each at most once."""

from __future__ import annotations

from services.eligibility.service import insured
from shared.contracts.base import Event
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.db import UnitOfWork
from shared.messaging.inbox import Handler


async def on_insured_enrolled_record_roster_entry(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, InsuredEnrolled)
    await insured.record_enrolment(uow, event)


async def on_insured_removed_record_end_of_cover(uow: UnitOfWork, event: Event) -> None:
    assert isinstance(event, InsuredRemoved)
    await insured.record_removal(uow, event)


HANDLERS: dict[str, Handler] = {
    "InsuredEnrolled": on_insured_enrolled_record_roster_entry,
    "InsuredRemoved": on_insured_removed_record_end_of_cover,
}
"""Which handler reacts to which event; the runtime subscribes to these events' topics."""
