"""Use cases around standards: seeding, publishing, recalculating every active case."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.eligibility.domain.standards import SEED_STANDARDS, NoStandardInForce, Standards
from services.eligibility.models import Recalculation, Standard
from services.eligibility.repository import standards as standards_queries
from services.eligibility.schemas.standards import DistrictStandardOut, ReviewFlagOut
from shared import audit
from shared.contracts.types import YearMonth
from shared.db import Scope, UnitOfWork, insert_if_absent
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound
from shared.observability import correlation_id
from shared.service import ServiceRuntime

SEED_PUBLISHER = "seed"
DISTRICT_OVERRIDABLE = frozenset(
    {
        "temporary_months",
        "temporary_cap_fen",
        "help_first_limit_fen",
        "help_first_paperwork_working_days",
        "township_reserve_tiers",
        "grants_per_person_per_cause_per_year",
    }
)
"""What a district may set for itself: the temporary-assistance table (the plan aims at one city standard)."""
RECALCULATION_BATCH = 5_000
PARAMETERS = frozenset(f.name for f in fields(Standards)) - {"effective_from"}
"""The names a standard's `parameters` may carry."""


async def publish_standard(
    uow: UnitOfWork, *, standards: Standards, published_by: str, note: str | None = None
) -> Recalculation:
    """Publish a city-wide standard (调标); every active case computed at an older one is recalculated."""
    async with uow:
        row = Standard(
            id=uuid4(),
            effective_from=standards.effective_from,
            district_code=None,
            parameters=standards_queries.parameters_of(standards),
            published_by=published_by,
            note=note,
        )
        if not await insert_if_absent(uow.session, row):
            raise Conflict(f"a city-wide standard effective from {standards.effective_from} already exists")
        await _audit_published(uow.session, row)
        recalculation = Recalculation(
            id=uuid4(),
            standard_id=row.id,
            status="running",
            cases_changed=0,
            cases_total=await standards_queries.count_cases_to_recalculate(
                uow.session, standards.effective_from
            ),
        )
        uow.session.add(recalculation)
        await uow.commit()
    return recalculation


async def seed_standards(uow: UnitOfWork, seeded_by: str = SEED_PUBLISHER) -> int:
    """Load DOMAIN.md's standards table once, each added row audited; returns how many rows were added."""
    added = 0
    async with uow:
        for standards in SEED_STANDARDS:
            row = Standard(
                id=uuid4(),
                effective_from=standards.effective_from,
                district_code=None,
                parameters=standards_queries.parameters_of(standards),
                published_by=seeded_by,
                note="DOMAIN.md seed table",
            )
            if await insert_if_absent(uow.session, row):
                await _audit_published(uow.session, row)
                added += 1
        await uow.commit()
    return added


async def _audit_published(session: AsyncSession, row: Standard) -> None:
    await audit.record(
        session,
        actor=row.published_by,
        action="standard.published",
        subject_type="standard",
        subject_id=row.id,
        district_code=row.district_code,
        details={"effective_from": row.effective_from.isoformat(), "parameters": sorted(row.parameters)},
    )


async def run_recalculation(
    new_uow: Callable[[], UnitOfWork],
    standard_id: UUID,
    *,
    today: date,
    batch_size: int = RECALCULATION_BATCH,
    progress: Callable[[int], None] = lambda _cases: None,
) -> Recalculation:
    """Recalculate every active case at a standard, batch by batch, each batch its own transaction.

    Resumable (the cursor is committed with each batch) and idempotent (a finished or repeated run
    finds nothing computed at an older standard). New amounts, back-pay months and the events
    announcing them are written by one set-based statement per batch.
    """
    while True:
        uow = new_uow()
        async with uow:
            recalculation = await standards_queries.recalculation_for(uow.session, standard_id)
            if recalculation is None:
                raise NotFound(f"no recalculation for standard {standard_id}")
            if recalculation.status == "done":
                await uow.commit()  # nothing changed; committing keeps the loaded row readable
                return recalculation
            standard = await uow.session.get(Standard, standard_id)
            assert standard is not None
            standards = standards_queries.standards_of(standard)
            last_id, cases, changed = await standards_queries.recalculate_batch(
                uow.session,
                {
                    **_amount_parameters(standards),
                    "standard_id": standard_id,
                    "effective_from": standards.effective_from,
                    "from_month": YearMonth.of(standards.effective_from).first_day,
                    "decided_month": YearMonth.of(today).first_day,
                    "decided_on": today,
                    "cursor": recalculation.cursor,
                    "batch_size": batch_size,
                    "source": uow.source,
                    "correlation_id": correlation_id.get(),
                },
            )
            if cases == 0:
                recalculation.households_flagged += await _flag_newly_qualifying(uow, standards)
                recalculation.status = "done"
                recalculation.finished_at = datetime.now(UTC)
            else:
                recalculation.cursor = last_id
                recalculation.cases_changed += changed
            await uow.commit()
        progress(cases)


async def _flag_newly_qualifying(uow: UnitOfWork, standards: Standards) -> int:
    """Flag households the new standard brings under the line, for review; 0 when there was no older one."""
    previous = await standards_queries.standard_before(uow.session, standards.effective_from)
    if previous is None:
        return 0
    old = standards_queries.standards_of(previous)
    recalculated = await standards_queries.standard_in_force(uow.session, standards.effective_from)
    assert recalculated is not None
    return await standards_queries.flag_newly_qualifying(
        uow.session,
        {
            "standard_id": recalculated.id,
            "new_urban": standards.dibao_urban_fen,
            "new_rural": standards.dibao_rural_fen,
            "old_urban": old.dibao_urban_fen,
            "old_rural": old.dibao_rural_fen,
        },
    )


async def newly_qualifying(uow: UnitOfWork, standard_id: UUID, scope: Scope) -> list[ReviewFlagOut]:
    async with uow:
        flags = await standards_queries.review_flags(uow.session, standard_id, scope)
    return [
        ReviewFlagOut(
            household_id=flag.household_id,
            district_code=district,
            per_capita_income_fen=flag.per_capita_income_fen,
            flagged_at=flag.flagged_at,
        )
        for flag, district in flags
    ]


def _amount_parameters(standards: Standards) -> dict[str, int]:
    names = (
        "dibao_urban_fen",
        "dibao_rural_fen",
        "tekun_basic_fen",
        "add_on_disabled_fen",
        "add_on_severe_fen",
        "add_on_child_student_fen",
        "care_subsidy_full_fen",
        "care_subsidy_half_fen",
        "care_subsidy_self_fen",
        "minimum_payment_fen",
    )
    return {name: int(getattr(standards, name)) for name in names}


async def in_force(
    session: AsyncSession,
    day: date,
    district_code: str | None = None,
    *,
    city: Sequence[Standard] | None = None,
) -> tuple[Standard, Standards]:
    """The standard in force on `day` (with the district's overrides, if any), inside an open unit of work.

    `city`: the city-wide standards already read for a period that includes `day`
    (`standards_queries.city_standards_in_force_between`); the city-wide one is chosen from them instead
    of being read again.
    """
    if city is None:
        row = await standards_queries.standard_in_force(session, day)
    else:
        row = max((s for s in city if s.effective_from <= day), key=lambda s: s.effective_from, default=None)
    if row is None:
        raise NoStandardInForce(f"no standard is in force on {day.isoformat()}")
    standards = standards_queries.standards_of(row)
    if district_code is not None:
        override = await standards_queries.district_override_in_force(session, day, district_code)
        if override is not None:
            standards = _with(standards, override.parameters, field="overrides")
    return row, standards


async def standards_in_force(
    uow: UnitOfWork, day: date, district_code: str | None = None
) -> tuple[Standard, Standards]:
    async with uow:
        return await in_force(uow.session, day, district_code)


def _with(standards: Standards, changes: dict[str, Any], *, field: str) -> Standards:
    """`standards` with `changes` applied, validated as a whole; a bad name or value names its field."""
    return _validated(
        changes,
        base=standards_queries.parameters_of(standards),
        effective_from=standards.effective_from,
        field=field,
    )


def _validated(
    changes: dict[str, Any], *, base: dict[str, Any], effective_from: date, field: str
) -> Standards:
    """`changes` over `base`, validated as a whole standard; an unknown, missing or bad parameter names its field."""
    unknown = sorted(set(changes) - PARAMETERS)
    if unknown:
        raise InvalidInput(
            "unknown parameters",
            errors=[
                FieldIssue(f"{field}.{name}", "known_parameter", "not a parameter of the standards")
                for name in unknown
            ],
        )
    try:
        return standards_queries.STANDARDS.validate_python(
            {**base, **changes, "effective_from": effective_from}
        )
    except ValidationError as invalid:
        raise InvalidInput(
            "invalid parameters",
            errors=[
                FieldIssue(
                    ".".join([field, *(str(part) for part in error["loc"])]), error["type"], error["msg"]
                )
                for error in invalid.errors()
            ],
        ) from None


async def list_standards(uow: UnitOfWork) -> list[Standard]:
    async with uow:
        return await standards_queries.city_standards(uow.session)


async def publish_changed_standard(
    uow: UnitOfWork, *, effective_from: date, changes: dict[str, Any], published_by: str, note: str | None
) -> Recalculation:
    """A new city-wide standard: `changes` applied to the one in force on `effective_from`, the rest kept.

    With none in force on that day (an empty database, or a date before the first standard), `changes`
    is the whole standard: the three standards themselves are required, every other parameter takes its
    default.
    """
    try:
        _, current = await standards_in_force(uow, effective_from)
    except NoStandardInForce:
        standards = _validated(changes, base={}, effective_from=effective_from, field="parameters")
    else:
        standards = replace(_with(current, changes, field="parameters"), effective_from=effective_from)
    return await publish_standard(uow, standards=standards, published_by=published_by, note=note)


async def publish_district_override(
    uow: UnitOfWork,
    *,
    district_code: str,
    effective_from: date,
    overrides: dict[str, Any],
    published_by: str,
    note: str | None,
) -> DistrictStandardOut:
    """A district's own temporary-assistance table (DOMAIN.md: each district may override it)."""
    outside = sorted(set(overrides) - DISTRICT_OVERRIDABLE)
    if outside:
        raise InvalidInput(
            "a district may override only the temporary-assistance parameters",
            errors=[
                FieldIssue(f"parameters.{name}", "district_overridable", "city-wide only") for name in outside
            ],
        )
    _, city = await standards_in_force(uow, effective_from)
    _with(city, overrides, field="parameters")  # validates the values before anything is stored
    row = Standard(
        id=uuid4(),
        effective_from=effective_from,
        district_code=district_code,
        parameters=overrides,
        published_by=published_by,
        note=note,
    )
    async with uow:
        if not await insert_if_absent(uow.session, row):
            raise Conflict(
                f"district {district_code} already has an override effective from {effective_from}"
            )
        await _audit_published(uow.session, row)
        await uow.session.flush()
        answer = await _district_standard_out(uow.session, district_code, effective_from)
        await uow.commit()
    return answer


async def district_standard(uow: UnitOfWork, district_code: str, day: date) -> DistrictStandardOut:
    async with uow:
        return await _district_standard_out(uow.session, district_code, day)


async def _district_standard_out(session: AsyncSession, district_code: str, day: date) -> DistrictStandardOut:
    """The district's standard in force on `day`, read in the open unit of work."""
    _, standards = await in_force(session, day, district_code)
    override = await standards_queries.district_override_in_force(session, day, district_code)
    return DistrictStandardOut(
        district_code=district_code,
        effective_from=override.effective_from if override else standards.effective_from,
        overrides=override.parameters if override else {},
        parameters=standards_queries.parameters_of(standards),
    )


async def recalculation_status(uow: UnitOfWork, standard_id: UUID) -> Recalculation:
    async with uow:
        recalculation = await standards_queries.recalculation_for(uow.session, standard_id)
        if recalculation is None:
            raise NotFound(f"no recalculation for standard {standard_id}")
        await uow.commit()
    return recalculation


async def unfinished_recalculations(uow: UnitOfWork) -> list[UUID]:
    async with uow:
        return await standards_queries.unfinished_recalculations(uow.session)


async def resume_recalculations(runtime: ServiceRuntime) -> None:
    """A process that stopped mid-recalculation left a cursor; pick the work up where it was."""
    for standard_id in await unfinished_recalculations(runtime.unit_of_work()):
        runtime.spawn(
            run_recalculation(runtime.unit_of_work, standard_id, today=runtime.clock.today()),
            name=f"recalculation-{standard_id}",
        )
