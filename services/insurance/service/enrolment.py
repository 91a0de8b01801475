"""Bringing people's roster entries up to date with their cover windows, announcing each change on
`insurance.enrollment.v1`.

Event handlers bring the people they touch up to date; the January build (`roster.build_roster`) adds
everyone else set-based. Both only ever move an entry towards what the read model says, so a
redelivered or replayed event finds nothing to change and emits nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from services.insurance.domain.roster import (
    CoverWindow,
    DesiredEntry,
    Gap,
    RemovalReason,
    desired_entry,
    premium_fen,
    void_until,
)
from services.insurance.models import PolicyTerm, RosterEntry
from services.insurance.repository import beneficiaries as beneficiary_queries
from services.insurance.repository import roster as roster_queries
from services.insurance.repository import terms as term_queries
from services.insurance.repository.roster import CITY_WIDE_BUILD
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.db import UnitOfWork, insert_if_absent


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
    for row in await beneficiary_queries.windows_of(session, person_ids):
        windows[row.person_id].append(
            CoverWindow(
                row.cover_start, row.cover_end, tuple(row.categories), row.district_code, row.end_reason
            )
        )
    entries: dict[UUID, dict[int, RosterEntry]] = defaultdict(dict)
    for entry in await roster_queries.entries_of(session, person_ids):
        entries[entry.person_id][entry.policy_year] = entry
    gaps = await roster_queries.gaps_of(
        session, [e.id for by_year in entries.values() for e in by_year.values()]
    )
    terms = await term_queries.terms(session)
    built = await roster_queries.builds(session)
    for person_id in sorted(set(person_ids)):
        cover = windows[person_id]
        confirmed_in = {w.start.year for w in cover if not w.is_empty}
        for term in terms:
            desired = desired_entry(cover, term.year)
            existing = entries[person_id].get(term.year)
            if existing is not None:
                _bring_up_to_date(uow, existing, desired, term, cover)
                await _keep_gaps(uow, existing, desired, gaps.get(existing.id, ()))
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
        premium_fen=premium_fen(term.premium_fen, desired.cover_from, desired.cover_until, desired.gaps),
    )
    if not await insert_if_absent(uow.session, entry):
        # Another writer (the build, another case's event) enrolled the person first: update theirs.
        for existing in await roster_queries.entries_of(uow.session, [person_id]):
            if existing.policy_year == term.year:
                _bring_up_to_date(uow, existing, desired, term, cover)
                gaps = await roster_queries.gaps_of(uow.session, [existing.id])
                await _keep_gaps(uow, existing, desired, gaps.get(existing.id, ()))
        return
    await _keep_gaps(uow, entry, desired, ())
    uow.emit(enrolled(entry))
    if entry.cover_until is not None:
        uow.emit(removed(entry))


async def _keep_gaps(
    uow: UnitOfWork, entry: RosterEntry, desired: DesiredEntry | None, stored: Sequence[Gap]
) -> None:
    """The entry's gaps as the windows say: a claim in one is refused, and its months cost no premium."""
    wanted = desired.gaps if desired is not None else ()
    if tuple(stored) != wanted:
        await roster_queries.replace_gaps(uow.session, entry.id, wanted)


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
    entry.premium_fen = premium_fen(term.premium_fen, desired.cover_from, desired.cover_until, desired.gaps)
    if before == (desired.cover_from, desired.cover_until, desired.district_code):
        entry.categories = list(desired.categories)
        entry.removal_reason = desired.removal_reason
        return
    entry.cover_from, entry.cover_until = desired.cover_from, desired.cover_until
    entry.district_code, entry.categories = desired.district_code, list(desired.categories)
    entry.removal_reason = desired.removal_reason
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
