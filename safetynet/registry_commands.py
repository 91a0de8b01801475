"""`safetynet announce-households`: announce eligibility's registry again on `eligibility.household.v1`."""

from __future__ import annotations

import asyncio
import functools
from typing import Annotated

import typer

from safetynet.common import WorkspaceDatabase, console, progress_bar, settings_of, units_of_work
from services.eligibility.service.announcements import ANNOUNCE_BATCH, announce_registry
from services.eligibility.settings import EligibilitySettings
from shared.clock import SystemClock
from shared.pii import PersonalData


def announce_households(
    announced_by: Annotated[str, typer.Option("--by", help="your account, kept in the audit log")],
    batch: Annotated[
        int, typer.Option(min=1, max=10_000, help="households per transaction")
    ] = ANNOUNCE_BATCH,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Announce every household and filed relative again, for oversight: those recorded before oversight read
    the topic, or all of them after its matching key was rotated. Safe to run again."""
    settings = settings_of("eligibility", workspace)
    assert isinstance(settings, EligibilitySettings)
    asyncio.run(_announce(settings, announced_by, batch))


async def _announce(settings: EligibilitySettings, announced_by: str, batch: int) -> None:
    async with units_of_work("eligibility", settings) as new_uow:
        with progress_bar() as progress:
            task = progress.add_task("households, then relatives", total=None)
            done = await announce_registry(
                new_uow,
                PersonalData(settings.pii),
                today=SystemClock().today(),
                announced_by=announced_by,
                batch=batch,
                progress=functools.partial(progress.advance, task),
            )
    console.print(
        f"{done.households} households and {done.relatives} relatives announced"
        + (
            f"; {done.relatives_not_registered} filed relatives are in no household (no match key to announce)"
            if done.relatives_not_registered
            else ""
        )
    )
