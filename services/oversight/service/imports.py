"""Use cases of imports: another department's file checked row by row and loaded whole, or only its good
rows, as the operator chose — never part of it silently — with a report of every rejected field."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from services.oversight.domain.files import FileFormat, read_rows
from services.oversight.domain.imports import Mode, Source, parse_rows
from services.oversight.domain.matching import MatchingIndex
from services.oversight.models import Import
from services.oversight.repository import imports as queries
from services.oversight.schemas.imports import ImportOut, ImportPage, ImportSummary, RejectionOut
from shared import audit
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound
from shared.pii import mask_resident_id

REPORT_PAGE = 1_000
"""Rejected fields in an import's answer; the rest are read page by page."""
PROBLEM_ROWS = 100
"""Rejected fields named in the problem of a refused all-or-nothing import; its report has them all."""


async def import_file(
    uow: UnitOfWork,
    matching: MatchingIndex | None,
    caller: Principal,
    *,
    source: Source,
    mode: Mode,
    file_name: str,
    file_format: FileFormat,
    content: bytes,
    today: date,
    max_rows: int,
) -> ImportOut:
    """Check every row; load all of them or none (`all_or_nothing`), or exactly the good ones. Each resident
    ID is kept only as its match key and its mask. A refused import is kept too, with its report, and
    answered with a 422 problem naming the first rejected rows."""
    if matching is None:
        raise Conflict(
            "imports are switched off: this service has no matching key to hash resident IDs with",
            errors=[
                FieldIssue("matching_key", "NOT_CONFIGURED", "set OVERSIGHT_MATCHING_KEY (docs/oversight.md)")
            ],
        )
    # Parsing a large file is CPU work: off the event loop, so other requests are served meanwhile.
    parsed = await asyncio.to_thread(
        lambda: parse_rows(source, read_rows(content, file_format, max_rows=max_rows), today=today)
    )
    refused = bool(parsed.rejections) and mode == "all_or_nothing"
    row = Import(
        id=uuid4(),
        source=source,
        mode=mode,
        status="refused" if refused else "loaded",
        file_name=file_name,
        file_format=file_format,
        rows_total=parsed.rows_total,
        rows_loaded=0,
        rows_known=0,
        rejections=[asdict(r) for r in parsed.rejections],
        imported_by=caller.subject,
        imported_at=datetime.now(UTC),
    )
    async with uow:
        uow.session.add(row)
        await uow.session.flush()
        if not refused:
            row.rows_loaded = await queries.add_records(
                uow.session,
                [
                    {
                        "import_id": row.id,
                        "source": source,
                        "row_number": r.row,
                        "match_key": matching.digest(r.resident_id),
                        "id_masked": mask_resident_id(r.resident_id),
                        "kind": r.kind,
                        "detail": r.detail,
                        "district_code": r.district_code,
                        "on_date": r.on_date,
                        "until_date": r.until_date,
                        "amount_fen": r.amount_fen,
                        "area_m2": r.area_m2,
                    }
                    for r in parsed.records
                ],
            )
            row.rows_known = len(parsed.records) - row.rows_loaded
        answer = _report(row, offset=0, limit=REPORT_PAGE)
        await audit.record(
            uow.session,
            actor=caller.subject,
            action=f"import.{row.status}",
            subject_type="import",
            subject_id=row.id,
            details={
                "source": source,
                "mode": mode,
                "rows_total": row.rows_total,
                "rows_loaded": row.rows_loaded,
            },
        )
        await uow.commit()
    if refused:
        raise InvalidInput(
            f"import {row.id} refused: {answer.rows_rejected} of {row.rows_total} rows rejected, nothing loaded "
            f"(all_or_nothing); its report: GET /v1/imports/{row.id}",
            errors=[
                FieldIssue(f"rows.{r.row}.{r.field}", "rejected", r.reason)
                for r in parsed.rejections[:PROBLEM_ROWS]
            ],
        )
    return answer


async def read_import(uow: UnitOfWork, import_id: UUID, *, offset: int, limit: int) -> ImportOut:
    async with uow:
        row = await queries.get(uow.session, import_id)
    if row is None:
        raise NotFound(f"no import {import_id}")
    return _report(row, offset=offset, limit=limit)


async def list_imports(uow: UnitOfWork, source: Source | None, *, offset: int, limit: int) -> ImportPage:
    async with uow:
        rows, total = await queries.page(uow.session, source, limit, offset)
    return ImportPage(items=[ImportSummary.model_validate(_summary(r)) for r in rows], total=total)


def _summary(row: Import) -> dict[str, object]:
    return {
        "id": row.id,
        "source": row.source,
        "mode": row.mode,
        "status": row.status,
        "file_name": row.file_name,
        "file_format": row.file_format,
        "rows_total": row.rows_total,
        "rows_loaded": row.rows_loaded,
        "rows_known": row.rows_known,
        "rows_rejected": len({r["row"] for r in row.rejections}),
        "rejections_total": len(row.rejections),
        "imported_by": row.imported_by,
        "imported_at": row.imported_at,
    }


def _report(row: Import, *, offset: int, limit: int) -> ImportOut:
    page = row.rejections[offset : offset + limit]
    return ImportOut.model_validate(
        {**_summary(row), "rejections": [RejectionOut.model_validate(r) for r in page]}
    )
