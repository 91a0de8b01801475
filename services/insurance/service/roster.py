"""The roster: the January build from the beneficiaries read model, set-based, and reading the roster
(pages, a month's changes, reconciliation against the read model)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args
from uuid import UUID

from sqlalchemy import Row

from services.insurance.domain.terms import term_bounds, within_term
from services.insurance.repository import roster as roster_queries
from services.insurance.repository import terms as term_queries
from services.insurance.repository.roster import CITY_WIDE_BUILD
from services.insurance.repository.visibility import Visibility
from services.insurance.schemas.roster import (
    BuildIn,
    BuildOut,
    DifferenceOut,
    ReconciliationOut,
    RosterEntryOut,
    RosterPage,
)
from services.insurance.service.common import visibility
from shared import audit
from shared.auth import Principal
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import FieldIssue, Forbidden, InvalidInput, NotFound
from shared.messaging import bulk

BUILD_BATCH = 50_000


def _build_districts(caller: Principal, body: BuildIn) -> list[str] | None:
    if body.district_code is not None:
        caller.require_district(body.district_code)
        return [body.district_code]
    if caller.district_scope is None:
        return None
    if not caller.district_scope:
        raise Forbidden("the caller has no district to build")
    return sorted(caller.district_scope)


async def build_roster(
    new_uow: Callable[[], UnitOfWork],
    caller: Principal,
    year: int,
    body: BuildIn,
    *,
    batch_size: int = BUILD_BATCH,
    progress: Callable[[int], None] = lambda _persons: None,
) -> BuildOut:
    """Enrol everyone the read model covers during the term who has no entry yet (the January roster).

    Marked built first, so approvals processed from then on join the term directly; then batches of
    people (a range of person ids each, from the next person without an entry), each one statement that
    adds the entries, their gaps and their `InsuredEnrolled`/`InsuredRemoved` outbox rows, committed
    together. Repeating it, or resuming it after a crash, adds nobody twice and skips what is done.
    """
    districts = _build_districts(caller, body)
    marked = districts or [CITY_WIDE_BUILD]
    uow = new_uow()
    async with uow:
        term = await term_queries.term(uow.session, year)
        if term is None:
            raise NotFound(f"no {year} policy term")
        insurer_id, premium = term.insurer_id, term.premium_fen
        await roster_queries.mark_built(uow.session, year, marked, caller.subject)
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="roster.build_started",
            subject_type="policy_term",
            subject_id=year,
            district_code=districts[0] if districts and len(districts) == 1 else None,
            details={"districts": marked},
        )
        await uow.commit()
    added, after = 0, roster_queries.NO_PERSON
    starts_on, ends_on = term_bounds(year)
    while True:
        uow = new_uow()
        async with uow:
            start = await roster_queries.next_unrostered(
                uow.session, after=after, year=year, starts_on=starts_on, ends_on=ends_on
            )
            if start is None:
                await audit.record(
                    uow.session,
                    actor=caller.subject,
                    action="roster.built",
                    subject_type="policy_term",
                    subject_id=year,
                    district_code=districts[0] if districts and len(districts) == 1 else None,
                    details={"districts": marked, "added": added},
                )
                await uow.commit()
                break
            upto = await roster_queries.batch_end(uow.session, start=start, size=batch_size)
            entries, events = await roster_queries.build_batch(
                uow.session,
                {
                    "start": start,
                    "upto": upto,
                    "year": year,
                    "insurer_id": insurer_id,
                    "premium_fen": premium,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "districts": districts,
                    **bulk.parameters(source=uow.source),
                },
            )
            if events:
                await bulk.notify(uow.session)
            added += entries
            after = upto
            await uow.commit()
        progress(batch_size)
    return BuildOut(policy_year=year, districts=marked, added=added)


# --- reading the roster -------------------------------------------------------------------------


EXPORT_CHUNK = 2_000
"""Entries read and written at a time by an export: the export's memory, whatever the month's size."""


def entry_out(row: Row[Any]) -> RosterEntryOut:
    """An entry as the API shows it, from a row the database already typed: nothing to validate again."""
    return RosterEntryOut.model_construct(**row._mapping)


async def list_roster(
    uow: UnitOfWork,
    caller: Principal,
    year: int,
    *,
    district_code: str | None,
    person_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> RosterPage:
    seen = visibility(caller, district_code)
    async with uow:
        rows = await roster_queries.roster(
            uow.session, seen, year=year, person_id=person_id, after=after, limit=limit
        )
    return RosterPage.model_construct(
        entries=[entry_out(r) for r in rows], next_after=rows[-1].id if len(rows) == limit else None
    )


Change = Literal["added", "removed"]


@dataclass(frozen=True)
class RosterChanges:
    """A month's additions and removals, checked and ready to stream: `chunks()` reads them in its own
    transaction, `EXPORT_CHUNK` entries at a time, additions first."""

    policy_year: int
    month: str
    district_code: str | None
    _uow: UnitOfWork
    _seen: Visibility

    async def chunks(self) -> AsyncIterator[tuple[Change, list[RosterEntryOut]]]:
        first = YearMonth.parse(self.month)
        async with self._uow:
            for change in get_args(Change):
                async for rows in roster_queries.roster_changes(
                    self._uow.session,
                    self._seen,
                    year=self.policy_year,
                    month=first.first_day,
                    next_month=first.next().first_day,
                    removals=change == "removed",
                    chunk=EXPORT_CHUNK,
                ):
                    yield change, [entry_out(r) for r in rows]


def roster_changes(
    uow: UnitOfWork, caller: Principal, year: int, month: str, *, district_code: str | None
) -> RosterChanges:
    """A month's additions and removals: January's additions are the January roster. Refused before anything
    is read (the month outside the term, a district outside the caller's scope)."""
    if not month.startswith(f"{year}-"):
        raise InvalidInput(
            "the month must fall in the term", errors=[FieldIssue("month", "OUTSIDE_TERM", f"not in {year}")]
        )
    YearMonth.parse(month)  # the route's pattern and the term's year make it a valid month
    return RosterChanges(year, month, district_code, uow, visibility(caller, district_code))


async def reconcile(
    uow: UnitOfWork,
    caller: Principal,
    year: int,
    *,
    as_of: date | None,
    district_code: str | None,
    limit: int,
    today: date,
) -> ReconciliationOut:
    """Roster against active beneficiaries on `as_of` (default today, kept within the term: last year's
    term on 31 December, next year's on 1 January)."""
    day = as_of or within_term(today, year)
    if day.year != year:
        raise InvalidInput(
            "as_of must fall in the term", errors=[FieldIssue("as_of", "OUTSIDE_TERM", f"not in {year}")]
        )
    seen = visibility(caller, district_code)
    async with uow:
        if await term_queries.term(uow.session, year) is None:
            raise NotFound(f"no {year} policy term")
        counts, rows = await roster_queries.reconciliation(
            uow.session,
            {
                "year": year,
                "as_of": day,
                "districts": sorted(seen.districts) if seen.districts is not None else None,
            },
            limit=limit,
        )
    return ReconciliationOut(
        policy_year=year,
        as_of=day,
        counts=counts,
        differences=[DifferenceOut.model_validate(row) for row in rows],
    )
