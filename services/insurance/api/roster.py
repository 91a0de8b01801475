"""Routes for a term's roster: the January build, pages, a month's changes (JSON or CSV), reconciliation."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import TypeAdapter

from services.insurance.api.params import District, Month, Year
from services.insurance.api.roles import Builder, Overseer, Reader
from services.insurance.schemas.roster import (
    BuildIn,
    BuildOut,
    ReconciliationOut,
    RosterChangesOut,
    RosterEntryOut,
    RosterPage,
)
from services.insurance.service import roster as roster_service
from services.insurance.service.roster import RosterChanges
from shared.contracts.types import Day
from shared.service import JobsDep, TodayDep, UnitOfWorkDep

router = APIRouter()


@router.post(
    "/terms/{year}/roster",
    summary="Build the term's January roster from the active beneficiaries",
    description="Everyone the beneficiaries read model covers during the term and who has no entry yet is "
    "enrolled (cover from 1 January, or the 1st of their confirmation month), set-based, in batches, each "
    "entry announced by `InsuredEnrolled`. Approvals processed afterwards join the term directly. Repeating "
    "it adds nobody twice. Reviewers build their districts, admins every district. Audited.",
)
async def post_roster(year: Year, body: BuildIn, caller: Builder, jobs: JobsDep) -> BuildOut:
    return await roster_service.build_roster(jobs.units_of_work, caller, year, body)


@router.get(
    "/terms/{year}/roster",
    response_model=RosterPage,
    summary="The term's roster: one entry per insured person (ids and dates, no identity)",
    description="Paged by entry id: pass `next_after` as `after`. Names and ID numbers come only from "
    "eligibility's identity endpoint.",
)
async def get_roster(
    year: Year,
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: District = None,
    person_id: Annotated[UUID | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=5_000)] = 500,
) -> Response:
    page = await roster_service.list_roster(
        uow, caller, year, district_code=district_code, person_id=person_id, after=after, limit=limit
    )
    # Rows the database typed, serialised once: not validated a second time as the response model.
    return Response(page.model_dump_json(), media_type="application/json")


_COLUMNS = list(RosterEntryOut.model_fields)
_ENTRIES = TypeAdapter(list[RosterEntryOut])


async def changes_json(changes: RosterChanges) -> AsyncIterator[bytes]:
    """`RosterChangesOut`, written as the entries arrive: the head, then each list a chunk at a time."""
    head = json.dumps(
        {"policy_year": changes.policy_year, "month": changes.month, "district_code": changes.district_code}
    )
    yield head[:-1].encode() + b', "added": ['
    current, first = "added", True
    async for change, entries in changes.chunks():
        if change != current:
            yield b'], "removed": ['
            current, first = change, True
        yield (b"" if first else b",") + _ENTRIES.dump_json(entries)[1:-1]
        first = False
    yield b"]}" if current == "removed" else b'], "removed": []}'


async def changes_csv(changes: RosterChanges) -> AsyncIterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["change", *_COLUMNS])
    async for change, entries in changes.chunks():
        # Straight from the attributes (the csv module writes ids and dates as their str(), None as empty):
        # a model_dump per entry would double the export's time.
        for entry in entries:
            values = (getattr(entry, column) for column in _COLUMNS)
            writer.writerow([change, *(";".join(v) if isinstance(v, list) else v for v in values)])
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()
    yield out.getvalue().encode()


@router.get(
    "/terms/{year}/roster/changes/{month}",
    response_model=RosterChangesOut,
    summary="A month's additions and removals per district (January: the January roster)",
    description="Additions: entries whose cover starts that month (批增). Removals: entries off the roster "
    "from that month (cover ended the month before). `format=csv` downloads the same as a file. Streamed "
    "as it is read, so January's export (the whole roster) takes no more memory than a small month's.",
    responses={200: {"content": {"text/csv": {"example": "change,id,person_id,…\nadded,…"}}}},
)
async def get_roster_changes(
    year: Year,
    month: Month,
    uow: UnitOfWorkDep,
    caller: Reader,
    district_code: District = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> StreamingResponse:
    changes = roster_service.roster_changes(uow, caller, year, month, district_code=district_code)
    if format == "json":
        return StreamingResponse(changes_json(changes), media_type="application/json")
    name = f"roster-{year}-{month}-{district_code or 'all'}.csv"
    return StreamingResponse(
        changes_csv(changes),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/terms/{year}/reconciliation",
    summary="Roster reconciliation: differences between the roster and the active beneficiaries on a day",
    description="`not_insured`: covered by an active case but not on the roster; `not_a_beneficiary`: on the "
    "roster without an active case; `district_differs`: on another district's roster (oversight R14).",
)
async def get_reconciliation(
    year: Year,
    uow: UnitOfWorkDep,
    caller: Overseer,
    today: TodayDep,
    as_of: Annotated[
        Day | None, Query(description="default: today, or the term's last day (first, for a term to come)")
    ] = None,
    district_code: District = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
) -> ReconciliationOut:
    return await roster_service.reconcile(
        uow, caller, year, as_of=as_of, district_code=district_code, limit=limit, today=today
    )
