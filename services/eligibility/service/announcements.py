"""Use case of announcing the registry again on `eligibility.household.v1`: the households and relatives'
entries recorded before oversight read that topic, and all of them after the matching key is rotated
(docs/oversight.md, "Matching people without their resident IDs")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.eligibility.repository import households as households_queries
from services.eligibility.schemas.households import StoredFacts
from services.eligibility.service.households import ID_NUMBER, household_recorded
from shared import audit
from shared.clock import business_date
from shared.contracts.eligibility import MATCH_CONTEXT, StaffRelativeFiled
from shared.db import UnitOfWork
from shared.pii import PersonalData

ANNOUNCE_BATCH = 500
"""Households (or register entries) per transaction: each batch's events commit with nothing else."""


@dataclass(frozen=True, slots=True)
class Announced:
    households: int
    relatives: int
    relatives_not_registered: int
    """Filed relatives who are in no household: the register keeps only their ID's blind index, so no match
    key can be derived for them; oversight matches household members, so nothing is missed."""


async def announce_registry(
    new_uow: Callable[[], UnitOfWork],
    pii: PersonalData,
    *,
    today: date,
    announced_by: str,
    batch: int = ANNOUNCE_BATCH,
    progress: Callable[[int], object] = lambda _: None,
) -> Announced:
    """Announces every household at its current version (`HouseholdRecorded`) and every register entry whose
    person is registered (`StaffRelativeFiled`), in batches of `batch`, each batch in one transaction.

    Oversight keeps a household only at a higher version and an entry once, so announcing again changes
    nothing there but the match keys: a run stopped halfway is simply run again."""
    households = await _announce_households(new_uow, pii, today, batch, progress)
    relatives, skipped = await _announce_relatives(new_uow, pii, batch, progress)
    async with (uow := new_uow()):
        await audit.record(
            uow.session,
            actor=announced_by,
            action="registry.announced",
            subject_type="registry",
            subject_id="eligibility.household.v1",
            details={"households": households, "relatives": relatives, "relatives_not_registered": skipped},
        )
        await uow.commit()
    return Announced(households, relatives, skipped)


async def _announce_households(
    new_uow: Callable[[], UnitOfWork],
    pii: PersonalData,
    today: date,
    batch: int,
    progress: Callable[[int], object],
) -> int:
    announced = 0
    after: UUID | None = None
    while True:
        async with (uow := new_uow()):
            page = await households_queries.households_after(uow.session, after, batch)
            for household, members in page:
                uow.emit(
                    household_recorded(
                        pii,
                        household,
                        StoredFacts.model_validate(household.facts),
                        [
                            (person_id, relation, pii.cipher.decrypt(cipher, context=ID_NUMBER))
                            for person_id, relation, cipher in members
                        ],
                        today,
                    )
                )
            await uow.commit()
        if not page:
            return announced
        announced += len(page)
        after = page[-1][0].id
        progress(len(page))


async def _announce_relatives(
    new_uow: Callable[[], UnitOfWork], pii: PersonalData, batch: int, progress: Callable[[int], object]
) -> tuple[int, int]:
    announced, skipped = 0, 0
    after: UUID | None = None
    while True:
        async with (uow := new_uow()):
            page = await households_queries.relatives_after(uow.session, after, batch)
            for relative, cipher in page:
                if cipher is None:
                    skipped += 1
                    continue
                uow.emit(
                    StaffRelativeFiled(
                        relative_id=relative.id,
                        match_key=pii.index.digest(
                            pii.cipher.decrypt(cipher, context=ID_NUMBER), context=MATCH_CONTEXT
                        ).hex(),
                        staff_id=relative.staff_id,
                        relation=relative.relation,
                        district_code=relative.district_code,
                        filed_on=business_date(relative.filed_at),
                    )
                )
                announced += 1
            await uow.commit()
        if not page:
            return announced, skipped
        after = page[-1][0].id
        progress(len(page))
