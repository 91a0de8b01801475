"""Routes for imports of other departments' files: the file is the request body, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, status

from services.oversight.api.roles import IMPORTERS, Importer, needs
from services.oversight.domain.files import FileFormat
from services.oversight.domain.imports import SOURCES, Mode, Source
from services.oversight.domain.matching import MatchingIndex
from services.oversight.schemas.imports import ImportOut, ImportPage
from services.oversight.service import imports as import_service
from services.oversight.settings import OversightSettings
from shared.errors import FieldIssue, InvalidInput
from shared.service import TodayDep, UnitOfWorkDep, runtime_of
from shared.settings import decode_pii_key

router = APIRouter(prefix="/imports", tags=["imports"])

FORMATS: dict[str, FileFormat] = {
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=1_000, description="at most this many items")]


def _settings(request: Request) -> OversightSettings:
    settings = runtime_of(request).settings
    assert isinstance(settings, OversightSettings)
    return settings


SettingsDep = Annotated[OversightSettings, Depends(_settings)]


def _format(content_type: str) -> FileFormat:
    file_format = FORMATS.get(content_type.split(";")[0].strip().lower())
    if file_format is None:
        raise InvalidInput(
            "send the file as the request body, as CSV or XLSX",
            errors=[FieldIssue("Content-Type", "unsupported", f"one of {', '.join(FORMATS)}")],
        )
    return file_format


_SOURCES_DOC = "\n".join(
    f"- `{name}`: {what}; columns `id_number`, "
    + ", ".join(f"`{c.name}`" + ("" if c.required else " (optional)") for c in columns)
    for name, (what, columns) in SOURCES.items()
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Import a file of another department: every row checked, loaded whole or only its good rows",
    description="The request body is the file: `Content-Type: text/csv` (UTF-8 or GB18030, a header row) or "
    "the XLSX type (the first sheet, a header row). Dates are YYYY-MM-DD, amounts in yuan with at most 2 "
    "decimals. Resident IDs are checked (GB 11643) and kept only as match keys and masks.\n\n"
    + _SOURCES_DOC
    + "\n\n`mode=all_or_nothing`: one rejected row and nothing is loaded (422, the rows named; the refused "
    "import and its report are kept). `mode=good_rows_only`: exactly the good rows are loaded, and the report "
    "names every rejected row, field and reason." + needs(IMPORTERS),
    openapi_extra={"requestBody": {"required": True, "content": {t: {} for t in FORMATS}}},
)
async def post_import(
    request: Request,
    uow: UnitOfWorkDep,
    caller: Importer,
    today: TodayDep,
    settings: SettingsDep,
    source: Annotated[Source, Query(description="which department's data")],
    mode: Annotated[Mode, Query(description="all_or_nothing, or good_rows_only")],
    content_type: Annotated[str, Header(max_length=200)] = "",
    file_name: Annotated[str, Query(min_length=1, max_length=200, pattern=r"^[^\x00/\\]+$")] = "upload",
) -> ImportOut:
    file_format = _format(content_type)
    key = settings.matching_key
    return await import_service.import_file(
        uow,
        None if key is None else MatchingIndex(decode_pii_key("matching_key", key)),
        caller,
        source=source,
        mode=mode,
        file_name=file_name,
        file_format=file_format,
        content=await request.body(),
        today=today,
        max_rows=settings.import_max_rows,
    )


@router.get("", summary="Imports, newest first", description=needs(IMPORTERS))
async def get_imports(
    uow: UnitOfWorkDep,
    _caller: Importer,
    source: Annotated[Source | None, Query(description="one source only")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> ImportPage:
    return await import_service.list_imports(uow, source, offset=offset, limit=limit)


@router.get(
    "/{import_id}",
    summary="An import's report: its counts and a page of rejected fields",
    description=needs(IMPORTERS),
)
async def get_import(
    uow: UnitOfWorkDep, _caller: Importer, import_id: UUID, offset: Offset = 0, limit: Limit = 1_000
) -> ImportOut:
    return await import_service.read_import(uow, import_id, offset=offset, limit=limit)
