"""`safetynet calendar`: load a year of the working-day calendar from the State Council's notice, and show it."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Annotated

import typer

from safetynet.common import WorkspaceDatabase, console, progress_bar, refuse, settings_of, units_of_work
from services.eligibility.domain.calendar import read_notice_file
from services.eligibility.schemas.calendar import CalendarOut
from services.eligibility.service import calendar
from shared.clock import SystemClock
from shared.errors import InvalidInput
from shared.settings import ServiceSettings

calendar_app = typer.Typer(
    help="The working-day calendar: load a year from the State Council's holiday notice."
)


@calendar_app.command("load")
def calendar_load(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="a .csv (date,kind,name) or .yaml file")
    ],
    loaded_by: Annotated[str, typer.Option("--loaded-by", help="your account, kept in the audit log")],
    year: Annotated[int | None, typer.Option(help="the year (required for CSV; YAML says it itself)")] = None,
    notice: Annotated[
        str | None, typer.Option(help="the notice it comes from, e.g. 国办发明电〔2026〕7号")
    ] = None,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Load or correct a year; then recount every open provisional deadline, with a progress bar."""
    try:
        parsed = read_notice_file(file.name, file.read_bytes(), year=year, notice=notice)
    except InvalidInput as refused:
        refuse(refused)
    entry = calendar.YearToLoad(
        year=parsed.year,
        rows=tuple((f"row {i}", day) for i, day in enumerate(parsed.days)),
        notice=parsed.notice,
        source=file.name,
    )
    asyncio.run(_load_calendar(settings_of("eligibility", workspace), entry, loaded_by))


async def _load_calendar(settings: ServiceSettings, entry: calendar.YearToLoad, loaded_by: str) -> None:
    clock = SystemClock()
    async with units_of_work("eligibility", settings) as new_uow:
        try:
            loaded = await calendar.load_year(new_uow(), entry, loaded_by=loaded_by, clock=clock)
        except InvalidInput as refused:
            refuse(refused)
        console.print(
            f"{entry.year}: {loaded.year.holidays} holidays, {loaded.year.shifted_working_days} shifted working "
            f"days (revision {loaded.year.revision})"
        )
        with progress_bar() as progress:
            task = progress.add_task("provisional deadlines", total=loaded.recomputation.applications_total)
            done = await calendar.recount_deadlines(
                new_uow,
                loaded.recomputation.id,
                clock=clock,
                progress=functools.partial(progress.advance, task),
            )
        console.print(f"{done.applications_done} open applications' deadlines recounted")


@calendar_app.command("show")
def calendar_show(workspace: WorkspaceDatabase = None) -> None:
    """Which years are known, from where, and how far ahead."""
    overview = asyncio.run(_calendar_overview(settings_of("eligibility", workspace)))
    for known in overview.years:
        origin = (
            f"loaded by {known.loaded_by} at {known.loaded_at:%Y-%m-%d %H:%M}Z"
            if known.loaded_by
            else "package"
        )
        typer.echo(
            f"{known.year}  {known.holidays:3d} holidays  {known.shifted_working_days:2d} worked  {origin}"
        )
    typer.echo(f"known until {overview.known_until}")
    if overview.warning:
        console.print(f"[yellow]{overview.warning}[/yellow]")


async def _calendar_overview(settings: ServiceSettings) -> CalendarOut:
    async with units_of_work("eligibility", settings) as new_uow:
        return await calendar.overview(new_uow(), today=SystemClock().today())
