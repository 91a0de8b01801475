"""The roster: a read model of who eligibility covers, and one roster entry per person and term from it.

Event handlers keep the read model and bring the people they touch up to date; the January build
adds everyone else set-based. Both only ever move an entry towards what the read model says, so a
redelivered or replayed event finds nothing to change and emits nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from uuid import UUID, uuid4

from services.insurance import repository
from services.insurance.domain import (
    CoverWindow,
    DesiredEntry,
    RemovalReason,
    desired_entry,
    first_of_month,
    next_month,
    premium_fen,
    removal_reason,
    void_until,
    within_term,
)
from services.insurance.models import BeneficiaryCase, PolicyTerm, RosterEntry
from services.insurance.repository import CITY_WIDE_BUILD
from services.insurance.schemas import (
    BuildIn,
    BuildOut,
    DifferenceOut,
    ReconciliationOut,
    RosterChangesOut,
    RosterEntryOut,
    RosterPage,
)
from services.insurance.service.common import visibility
from shared import audit
from shared.auth import Principal
from shared.contracts.base import Event
from shared.contracts.eligibility import CaseAmountChanged, CaseApproved, CaseTerminated
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import FieldIssue, Forbidden, InvalidInput, NotFound

BUILD_BATCH = 5_000


def _first_day(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


# --- reactions to eligibility.case.v1 -----------------------------------------------------------


async def _current_case(uow: UnitOfWork, case_id: UUID, event: Event) -> BeneficiaryCase | None:
    """The case to apply `event` to, or None when a later event of the case is already applied (a replay)."""
    case = await repository.case(uow.session, case_id, for_update=True)
    if case is None:
        raise NotFound(f"case {case_id} is unknown here: its CaseApproved has not arrived")
    if case.last_event_at > event.occurred_at:
        return None
    case.last_event_at = event.occurred_at
    return case


async def enrol_case(uow: UnitOfWork, event: CaseApproved) -> None:
    """Approved: each beneficiary is covered from the 1st of the month of the decision, once per term."""
    await insert_if_absent(
        uow.session,
        BeneficiaryCase(
            case_id=event.case_id,
            household_id=event.household_id,
            program=event.program,
            district_code=event.district_code,
            last_event_at=event.occurred_at,
        ),
    )
    if await _current_case(uow, event.case_id, event) is not None:
        cover_start = first_of_month(event.decided_on)
        await repository.add_beneficiaries(
            uow.session,
            [
                {
                    "case_id": event.case_id,
                    "person_id": b.person_id,
                    "categories": list(b.insurance_categories),
                    "cover_start": cover_start,
                }
                for b in event.beneficiaries
            ],
        )
        await sync_persons(uow, [b.person_id for b in event.beneficiaries])
    await uow.commit()


async def end_cover(uow: UnitOfWork, event: CaseTerminated) -> None:
    """Terminated (or died): cover ends on the last day before the first month no longer paid."""
    if await _current_case(uow, event.case_id, event) is not None:
        cover_end = _first_day(event.effective_month) - timedelta(days=1)
        await repository.end_windows(
            uow.session, event.case_id, list(event.person_ids), cover_end, removal_reason(event.reason)
        )
        await sync_persons(uow, list(event.person_ids))
    await uow.commit()


async def follow_case_change(uow: UnitOfWork, event: CaseAmountChanged) -> None:
    """A reassessment may add members (covered from the decision's month) or drop some (from `from_month`)."""
    case = await _current_case(uow, event.case_id, event)
    if case is not None:
        current = {b.person_id: b for b in await repository.beneficiaries_of_case(uow.session, event.case_id)}
        listed = [b.person_id for b in event.beneficiaries]
        newcomers = [p for p in listed if p not in current]
        await repository.add_beneficiaries(
            uow.session,
            [
                {
                    "case_id": event.case_id,
                    "person_id": p,
                    "categories": [case.program],
                    "cover_start": first_of_month(event.decided_on),
                }
                for p in newcomers
            ],
        )
        back = await repository.reopen_windows(
            uow.session, event.case_id, [p for p in listed if p in current]
        )
        gone = [p for p, b in current.items() if p not in listed and b.cover_end is None]
        await repository.end_windows(
            uow.session, event.case_id, gone, _first_day(event.from_month) - timedelta(days=1), "case_ended"
        )
        await sync_persons(uow, [*newcomers, *back, *gone])
    await uow.commit()


# --- bringing entries up to date ------------------------------------------------------------------


async def sync_persons(uow: UnitOfWork, person_ids: Sequence[UUID]) -> None:
    """Make these people's roster entries say what their cover windows say, announcing each change.

    A term gets a new entry when the person was confirmed in it, or when its roster was already
    built for their district (an approval arriving after the January roster); entries that exist are
    always brought up to date, down to voiding one whose cover never began.
    """
    if not person_ids:
        return
    session = uow.session
    windows: dict[UUID, list[CoverWindow]] = defaultdict(list)
    for row in await repository.windows_of(session, person_ids):
        windows[row.person_id].append(
            CoverWindow(
                row.cover_start, row.cover_end, tuple(row.categories), row.district_code, row.end_reason
            )
        )
    entries: dict[UUID, dict[int, RosterEntry]] = defaultdict(dict)
    for entry in await repository.entries_of(session, person_ids):
        entries[entry.person_id][entry.policy_year] = entry
    terms = await repository.terms(session)
    built = await repository.builds(session)
    for person_id in sorted(set(person_ids)):
        cover = windows[person_id]
        confirmed_in = {w.start.year for w in cover if not w.is_empty}
        for term in terms:
            desired = desired_entry(cover, term.year)
            existing = entries[person_id].get(term.year)
            if existing is not None:
                _bring_up_to_date(uow, existing, desired, term, cover)
            elif desired is not None and (
                term.year in confirmed_in
                or (term.year, desired.district_code) in built
                or (term.year, CITY_WIDE_BUILD) in built
            ):
                await _enrol(uow, person_id, term, desired, cover)


async def _enrol(
    uow: UnitOfWork, person_id: UUID, term: PolicyTerm, desired: DesiredEntry, cover: list[CoverWindow]
) -> None:
    entry = RosterEntry(
        id=uuid4(),
        person_id=person_id,
        policy_year=term.year,
        insurer_id=term.insurer_id,
        district_code=desired.district_code,
        categories=list(desired.categories),
        cover_from=desired.cover_from,
        cover_until=desired.cover_until,
        removal_reason=desired.removal_reason,
        premium_fen=premium_fen(term.premium_fen, desired.cover_from),
    )
    if not await insert_if_absent(uow.session, entry):
        # Another writer (the build, another case's event) enrolled the person first: update theirs.
        for existing in await repository.entries_of(uow.session, [person_id]):
            if existing.policy_year == term.year:
                _bring_up_to_date(uow, existing, desired, term, cover)
        return
    uow.emit(enrolled(entry))
    if entry.cover_until is not None:
        uow.emit(removed(entry))


def _last_reason(cover: list[CoverWindow]) -> RemovalReason:
    ended = [w for w in cover if w.end is not None]
    latest = max(ended, key=lambda w: w.end or date.min) if ended else None
    return (latest.end_reason if latest else None) or "case_ended"


def _bring_up_to_date(
    uow: UnitOfWork,
    entry: RosterEntry,
    desired: DesiredEntry | None,
    term: PolicyTerm,
    cover: list[CoverWindow],
) -> None:
    was_void = entry.cover_until is not None and entry.cover_until < entry.cover_from
    if desired is None:
        if was_void:
            return
        # Cover that never began (a December termination after the next January roster was built).
        desired = DesiredEntry(
            entry.cover_from,
            void_until(entry.cover_from),
            tuple(entry.categories),
            entry.district_code,
            _last_reason(cover),
        )
    before = (entry.cover_from, entry.cover_until, entry.district_code)
    if before == (desired.cover_from, desired.cover_until, desired.district_code):
        entry.categories = list(desired.categories)
        entry.removal_reason = desired.removal_reason
        return
    entry.cover_from, entry.cover_until = desired.cover_from, desired.cover_until
    entry.district_code, entry.categories = desired.district_code, list(desired.categories)
    entry.removal_reason = desired.removal_reason
    entry.premium_fen = premium_fen(term.premium_fen, desired.cover_from)
    is_void = entry.cover_until is not None and entry.cover_until < entry.cover_from
    reopened = before[1] is not None and (entry.cover_until is None or (was_void and not is_void))
    announced = reopened or before[0] != entry.cover_from or before[2] != entry.district_code
    if announced:
        uow.emit(enrolled(entry))
    # An entry re-announced while it stays ended is announced ended too, so a subscriber applying the
    # feed in order never sees it open.
    if entry.cover_until is not None and (announced or entry.cover_until != before[1]):
        uow.emit(removed(entry))


def enrolled(entry: RosterEntry) -> InsuredEnrolled:
    return InsuredEnrolled(
        roster_entry_id=entry.id,
        person_id=entry.person_id,
        policy_year=entry.policy_year,
        insurer_id=entry.insurer_id,
        district_code=entry.district_code,
        categories=list(entry.categories),
        cover_from=entry.cover_from,
        premium_fen=entry.premium_fen,
    )


def removed(entry: RosterEntry) -> InsuredRemoved:
    assert entry.cover_until is not None
    return InsuredRemoved(
        roster_entry_id=entry.id,
        person_id=entry.person_id,
        policy_year=entry.policy_year,
        insurer_id=entry.insurer_id,
        district_code=entry.district_code,
        # A voided entry ends where it began: the contract has no zero-day cover.
        cover_until=max(entry.cover_until, entry.cover_from),
        reason=entry.removal_reason or "case_ended",
    )


# --- the January roster -------------------------------------------------------------------------


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
        term = await repository.term(uow.session, year)
        if term is None:
            raise NotFound(f"no {year} policy term")
        insurer_id, premium = term.insurer_id, term.premium_fen
        await repository.mark_built(uow.session, year, marked, caller.subject)
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
            persons = await repository.persons_batch(uow.session, after=after, limit=batch_size)
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
            rows = await repository.build_batch(
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
        rows = await repository.roster(
            uow.session, seen, year=year, district_code=None, person_id=person_id, after=after, limit=limit
        )
    return RosterPage(
        entries=[entry_out(e) for e in rows], next_after=rows[-1].id if len(rows) == limit else None
    )


async def roster_changes(
    uow: UnitOfWork, caller: Principal, year: int, month: str, *, district_code: str | None
) -> RosterChangesOut:
    """A month's additions and removals: January's additions are the January roster."""
    first = _first_day(month)
    if first.year != year:
        raise InvalidInput(
            "the month must fall in the term", errors=[FieldIssue("month", "OUTSIDE_TERM", f"not in {year}")]
        )
    seen = visibility(caller, district_code)
    async with uow:
        added, gone = await repository.roster_changes(
            uow.session, seen, year=year, month=first, next_month=next_month(first), district_code=None
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
        if await repository.term(uow.session, year) is None:
            raise NotFound(f"no {year} policy term")
        counts, rows = await repository.reconciliation(
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
