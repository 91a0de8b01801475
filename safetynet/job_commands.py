"""`safetynet recalculate`, `prepare-run` and `announce-households`: long jobs of one service, safe to run again,
with a progress bar."""

from __future__ import annotations

import asyncio
import functools
from datetime import date
from typing import Annotated
from uuid import UUID

import typer

from safetynet.common import WorkspaceDatabase, console, progress_bar, settings_of, units_of_work
from services.eligibility.service import standards
from services.eligibility.service.announcements import ANNOUNCE_BATCH, announce_registry
from services.eligibility.settings import EligibilitySettings
from services.payments.service import runs
from shared.auth import Principal, Role
from shared.clock import SystemClock
from shared.contracts.types import YearMonth
from shared.pii import PersonalData
from shared.settings import ServiceSettings


def recalculate(
    standard_id: Annotated[
        UUID | None, typer.Argument(help="the standard (default: every unfinished one)")
    ] = None,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Run or resume the recalculation of every active case after a standard change, with a progress bar."""
    asyncio.run(_recalculate(settings_of("eligibility", workspace), standard_id))


async def _recalculate(settings: ServiceSettings, standard_id: UUID | None) -> None:
    async with units_of_work("eligibility", settings) as new_uow:
        pending = [standard_id] if standard_id else await standards.unfinished_recalculations(new_uow())
        if not pending:
            console.print("nothing to recalculate")
        for standard in pending:
            status = await standards.recalculation_status(new_uow(), standard)
            with progress_bar() as progress:
                task = progress.add_task(f"standard {standard}", total=status.cases_total)
                done = await standards.run_recalculation(
                    new_uow,
                    standard,
                    today=SystemClock().today(),
                    progress=functools.partial(progress.advance, task),
                )
            console.print(
                f"{done.cases_changed} cases changed, {done.households_flagged} households flagged for review"
            )


def prepare_run(
    district: Annotated[str, typer.Argument(help="the district's 6-digit code")],
    month: Annotated[str, typer.Argument(help="the month the run pays, YYYY-MM")],
    prepared_by: Annotated[
        str,
        typer.Option("--prepared-by", help="the finance officer's account (a second one releases the run)"),
    ],
    batch_size: Annotated[int, typer.Option(min=1, help="entitlements per transaction")] = runs.RUN_BATCH,
    workers: Annotated[int, typer.Option(min=1, help="slices prepared at once")] = runs.RUN_WORKERS,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Prepare (or resume preparing) a district's monthly payment run, with a progress bar."""
    try:
        first_day = YearMonth.parse(month).first_day
        officer = Principal(
            subject=prepared_by, roles=frozenset({Role.finance_officer}), districts=frozenset({district})
        )
    except ValueError as bad:
        raise typer.BadParameter(str(bad)) from None
    asyncio.run(
        _prepare_run(settings_of("payments", workspace), officer, district, first_day, batch_size, workers)
    )


async def _prepare_run(
    settings: ServiceSettings, officer: Principal, district: str, month: date, batch_size: int, workers: int
) -> None:
    async with units_of_work("payments", settings) as new_uow:
        run = await runs.start_run(new_uow(), officer, district_code=district, month=month)
        if run.status == "preparing":
            with progress_bar() as progress:
                task = progress.add_task(
                    f"run {district} {run.month}",
                    total=run.entitlements_due,
                    completed=run.entitlements_scanned,
                )
                await runs.prepare_run(
                    new_uow,
                    run.id,
                    batch_size=batch_size,
                    workers=workers,
                    progress=functools.partial(progress.advance, task),
                )
            run = await runs.read_run(new_uow(), officer, run.id)
        else:
            console.print(f"run {run.id} is already {run.status}")
        console.print(f"run {run.id}: {run.payment_count} payments, {run.total_fen} fen; {run.status}")


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
