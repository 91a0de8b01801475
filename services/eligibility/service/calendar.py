"""Use cases of the working-day calendar: load a year, show what is known, recount provisional deadlines.

Eligibility owns the calendar (ARCHITECTURE.md, Reference data): it validates and audits each load,
stores it, publishes `WorkingCalendarYearLoaded` for every other service that counts working days,
and recounts the stored decision deadlines that were provisional.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from services.eligibility.domain.calendar import NoticeDay, calendar_year
from services.eligibility.models import CalendarYearRow, DeadlineRecomputation
from services.eligibility.repository import calendar as calendar_queries
from services.eligibility.schemas.calendar import (
    CalendarLoadOut,
    CalendarOut,
    CalendarYearOut,
    RecomputationOut,
)
from services.eligibility.service.applications import recount_decision_due
from shared import audit
from shared.clock import Clock
from shared.contracts.eligibility import WorkingCalendarYearLoaded
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.service import ServiceRuntime
from shared.workdays import calendar_warning

RECOUNT_BATCH = 500


@dataclass(frozen=True, slots=True)
class YearToLoad:
    """A year as an operator hands it in: its days with the label each row has in their file or request."""

    year: int
    rows: tuple[tuple[str, NoticeDay], ...]
    notice: str | None
    source: str


async def load_year(uow: UnitOfWork, entry: YearToLoad, *, loaded_by: str, clock: Clock) -> CalendarLoadOut:
    """Store a year (replacing an earlier load), audit it, announce it, and start the deadline recount."""
    checked = calendar_year(entry.year, entry.rows)
    names = {day.on.isoformat(): day.name for _, day in entry.rows if day.name}
    async with uow:
        row = await calendar_queries.year_for_update(uow.session, entry.year)
        before = None if row is None else {"revision": row.revision, **_counts(row)}
        if row is None:
            row = CalendarYearRow(year=entry.year, revision=0)
            uow.session.add(row)
        row.holidays = sorted(checked.holidays)
        row.shifted_working_days = sorted(checked.shifted_working_days)
        row.names, row.notice, row.source = names, entry.notice, entry.source
        row.revision += 1
        row.loaded_by, row.loaded_at = loaded_by, clock.now()
        await audit.record(
            uow.session,
            actor=loaded_by,
            action="calendar_year.loaded",
            subject_type="calendar_year",
            subject_id=entry.year,
            details={
                "before": before,
                "after": {"revision": row.revision, **_counts(row)},
                "source": row.source,
            },
        )
        uow.emit(
            WorkingCalendarYearLoaded(
                year=entry.year,
                revision=row.revision,
                holidays=row.holidays,
                shifted_working_days=row.shifted_working_days,
            )
        )
        recomputation = DeadlineRecomputation(
            id=uuid4(),
            year=entry.year,
            revision=row.revision,
            status="running",
            applications_total=await calendar_queries.count_open_provisional(uow.session),
            applications_done=0,
            started_at=clock.now(),
        )
        uow.session.add(recomputation)
        await uow.commit()
        return CalendarLoadOut(year=_loaded(row), recomputation=_recomputation(recomputation))


def _counts(row: CalendarYearRow) -> dict[str, int]:
    return {"holidays": len(row.holidays), "shifted_working_days": len(row.shifted_working_days)}


async def overview(uow: UnitOfWork, *, today: date) -> CalendarOut:
    async with uow:
        loaded = {row.year: row for row in await calendar_queries.loaded_years(uow.session)}
    calendar = calendar_queries.calendar_of(loaded.values())
    years = [
        _loaded(loaded[year])
        if year in loaded
        else CalendarYearOut(
            year=year,
            source="package",
            holidays=len(known.holidays),
            shifted_working_days=len(known.shifted_working_days),
        )
        for year, known in calendar.years.items()
    ]
    return CalendarOut(
        today=today,
        known_until=calendar.known_until(today),
        warning=calendar_warning(calendar, today),
        years=years,
    )


def _loaded(row: CalendarYearRow) -> CalendarYearOut:
    return CalendarYearOut(
        year=row.year,
        source="loaded",
        holidays=len(row.holidays),
        shifted_working_days=len(row.shifted_working_days),
        notice=row.notice,
        file=row.source,
        revision=row.revision,
        loaded_by=row.loaded_by,
        loaded_at=row.loaded_at,
    )


def _recomputation(row: DeadlineRecomputation) -> RecomputationOut:
    return RecomputationOut.model_validate(row, from_attributes=True)


async def recomputation_status(uow: UnitOfWork, recomputation_id: UUID) -> RecomputationOut:
    async with uow:
        row = await calendar_queries.recomputation(uow.session, recomputation_id)
        if row is None:
            raise NotFound(f"no deadline recomputation {recomputation_id}")
        return _recomputation(row)


async def recount_deadlines(
    new_uow: Callable[[], UnitOfWork],
    recomputation_id: UUID,
    *,
    clock: Clock,
    batch_size: int = RECOUNT_BATCH,
    progress: Callable[[int], None] = lambda _applications: None,
) -> RecomputationOut:
    """Count every open provisional decision deadline again on today's calendar, batch by batch.

    Resumable (the cursor commits with each batch) and idempotent: a recount only ever writes what
    the calendar now says, so running it twice, or two of them at once, ends in the same rows.
    """
    while True:
        uow = new_uow()
        async with uow:
            job = await calendar_queries.recomputation(uow.session, recomputation_id, for_update=True)
            if job is None:
                raise NotFound(f"no deadline recomputation {recomputation_id}")
            if job.status == "done":
                return _recomputation(job)
            rows = await calendar_queries.open_provisional_after(uow.session, job.cursor, batch_size)
            if rows:
                calendar = await calendar_queries.working_days(uow.session)
                await recount_decision_due(uow, rows, today=clock.today(), calendar=calendar)
                job.cursor = rows[-1].id
                job.applications_done += len(rows)
            else:
                job.status, job.finished_at = "done", clock.now()
            await uow.commit()
        progress(len(rows))


async def resume_recounts(runtime: ServiceRuntime) -> None:
    """A process that stopped mid-recount left a cursor; pick the work up where it was."""
    uow = runtime.unit_of_work()
    async with uow:
        unfinished = await calendar_queries.unfinished_recomputations(uow.session)
    for recomputation_id in unfinished:
        runtime.spawn(
            recount_deadlines(runtime.unit_of_work, recomputation_id, clock=runtime.clock),
            name=f"deadline-recount-{recomputation_id}",
        )
