"""The roster: the January build from the beneficiaries read model, set-based, and reading the roster
(pages, a month's changes, reconciliation against the read model)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from services.insurance.domain.terms import within_term
from services.insurance.models import RosterEntry
from services.insurance.repository import beneficiaries as beneficiary_queries
from services.insurance.repository import roster as roster_queries
from services.insurance.repository import terms as term_queries
from services.insurance.repository.roster import CITY_WIDE_BUILD
from services.insurance.schemas.roster import (
    BuildIn,
    BuildOut,
    DifferenceOut,
    ReconciliationOut,
    RosterChangesOut,
    RosterEntryOut,
    RosterPage,
)
from services.insurance.service.common import visibility
from services.insurance.service.enrolment import enrolled, removed
from shared import audit
from shared.auth import Principal
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import FieldIssue, Forbidden, InvalidInput, NotFound

BUILD_BATCH = 5_000


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
    people, each one set-based INSERT … ON CONFLICT DO NOTHING and its events in one transaction.
    Repeating it, or resuming it after a crash, adds nobody twice.
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
    added, after = 0, None
    while True:
        uow = new_uow()
        async with uow:
            persons = await beneficiary_queries.persons_batch(uow.session, after=after, limit=batch_size)
            if not persons:
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
            rows = await roster_queries.build_batch(
                uow.session,
                {
                    "person_ids": persons,
                    "year": year,
                    "insurer_id": insurer_id,
                    "premium_fen": premium,
                    "starts_on": date(year, 1, 1),
                    "ends_on": date(year, 12, 31),
                    "districts": districts,
                },
            )
            for row in rows:
                entry = RosterEntry(policy_year=year, insurer_id=insurer_id, **row._mapping)
                uow.emit(enrolled(entry))
                if entry.cover_until is not None:
                    uow.emit(removed(entry))
            added += len(rows)
            after = persons[-1]
            await uow.commit()
        progress(len(persons))
    return BuildOut(policy_year=year, districts=marked, added=added)


# --- reading the roster -------------------------------------------------------------------------


def entry_out(entry: RosterEntry) -> RosterEntryOut:
    return RosterEntryOut.model_validate(entry, from_attributes=True)


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
            uow.session, seen, year=year, district_code=None, person_id=person_id, after=after, limit=limit
        )
    return RosterPage(
        entries=[entry_out(e) for e in rows], next_after=rows[-1].id if len(rows) == limit else None
    )


async def roster_changes(
    uow: UnitOfWork, caller: Principal, year: int, month: str, *, district_code: str | None
) -> RosterChangesOut:
    """A month's additions and removals: January's additions are the January roster."""
    if not month.startswith(f"{year}-"):
        raise InvalidInput(
            "the month must fall in the term", errors=[FieldIssue("month", "OUTSIDE_TERM", f"not in {year}")]
        )
    first = YearMonth.parse(month)  # the route's pattern and the term's year make it a valid month
    seen = visibility(caller, district_code)
    async with uow:
        added, gone = await roster_queries.roster_changes(
            uow.session,
            seen,
            year=year,
            month=first.first_day,
            next_month=first.next().first_day,
            district_code=None,
        )
    return RosterChangesOut(
        policy_year=year,
        month=month,
        district_code=district_code,
        added=[entry_out(e) for e in added],
        removed=[entry_out(e) for e in gone],
    )


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
