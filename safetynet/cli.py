"""`safetynet`: run the embedded default, serve one service, migrate, mint dev tokens, manage Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import signal
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn
from uuid import UUID

import typer
import uvicorn
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress

from safetynet.catalog import SERVICES
from safetynet.embedded import (
    DEV_AUDIENCE,
    DEV_ISSUER,
    Workspace,
    build_app,
    default_workspace,
    prepare,
)
from services.eligibility.domain.calendar import read_notice_file
from services.eligibility.schemas.calendar import CalendarOut
from services.eligibility.service import calendar, standards
from services.payments.service import runs
from shared.auth import Principal, Role, mint_token
from shared.clock import SystemClock
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork, create_engine, session_factory, upgrade
from shared.errors import InvalidInput
from shared.local import kafka as local_kafka
from shared.local import postgres
from shared.observability import configure_logging
from shared.settings import ServiceSettings
from shared.web import compose

app = typer.Typer(help=__doc__, no_args_is_help=True)
kafka_app = typer.Typer(help="The local Apache Kafka broker (KRaft, single node) for development and tests.")
app.add_typer(kafka_app, name="kafka")
calendar_app = typer.Typer(
    help="The working-day calendar: load a year from the State Council's holiday notice."
)
app.add_typer(calendar_app, name="calendar")
console = Console(stderr=True)

WorkspaceOption = Annotated[
    Path,
    typer.Option(
        "--workspace",
        envvar="SAFETYNET_WORKSPACE",
        help="state directory of the embedded default (default: the repository's .safetynet)",
    ),
]
DEFAULT_WORKSPACE = default_workspace()
WorkspaceDatabase = Annotated[
    Path | None, typer.Option("--workspace", help="use the embedded default's database in this folder")
]


def _service(name: str) -> str:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return name


@app.command()
def run(
    port: Annotated[int, typer.Option(envvar="PORT", help="HTTP port")] = 8000,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """The embedded default: all five services in one process on an embedded PostgreSQL.

    Ctrl-C or SIGTERM stops the HTTP server and then the PostgreSQL server this run started (or took
    over from a killed run); a PostgreSQL started by a process that still runs is left to it.
    """
    configure_logging("INFO")
    space = Workspace(workspace.resolve())
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        console.print("[bold]Starting PostgreSQL and migrating the five databases…[/bold]")
        settings = prepare(space)
        postgres.claim(space.postgres)
        root = build_app(settings)
        console.print(f"[green]SafetyNet is up.[/green] Health: http://{host}:{port}/health")
        for name in SERVICES:
            console.print(f"  {name:<12} docs: http://{host}:{port}/{name}/docs")
        console.print(
            "Mint a token: [bold].venv/bin/safetynet token --role caseworker --district 500101[/bold]"
        )
        # uvicorn handles SIGTERM and SIGINT itself, then raises the signal again once it has stopped.
        uvicorn.run(root, host=host, port=port, log_config=None)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the shutdown short
        try:
            if postgres.claim(space.postgres):
                console.print("Stopping PostgreSQL…")
                postgres.stop(space.postgres)
            else:
                console.print("PostgreSQL was started by another process that still runs: left running.")
        finally:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> NoReturn:
    raise SystemExit(0)


@app.command()
def serve(
    service: Annotated[
        str, typer.Argument(help="eligibility | payments | facilities | insurance | oversight")
    ],
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
    host: Annotated[str, typer.Option()] = "0.0.0.0",  # noqa: S104 - containers listen on every interface
) -> None:
    """One service in distributed mode; settings come from `<SERVICE>_*` environment variables."""
    entry = SERVICES[_service(service)]
    settings = entry.settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        compose({service: entry.app(settings)}, title=entry.definition.title),
        host=host,
        port=port,
        log_config=None,
    )


@app.command()
def migrate(
    services: Annotated[list[str] | None, typer.Argument(help="services to migrate (default: all)")] = None,
) -> None:
    """Apply each service's migrations to the database its environment names."""
    for name in services or list(SERVICES):
        entry = SERVICES[_service(name)]
        upgrade(entry.definition.migrations, entry.settings().database.url)
        console.print(f"{name}: migrated")


@app.command()
def token(
    role: Annotated[list[Role], typer.Option("--role", help="repeat for several roles")],
    district: Annotated[
        list[str] | None, typer.Option("--district", help="6-digit code; '*' for city-wide")
    ] = None,
    sub: Annotated[str, typer.Option("--sub", help="subject (staff or applicant id)")] = "dev-user",
    insurer_id: Annotated[str | None, typer.Option("--insurer-id")] = None,
    facility: Annotated[
        list[str] | None,
        typer.Option("--facility", help="a facility manager's facility (UUID); repeat for several"),
    ] = None,
    hours: Annotated[float, typer.Option(help="lifetime")] = 8.0,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Mint a development token that the embedded instance accepts (printed on stdout)."""
    from datetime import timedelta

    private_key, _ = Workspace(workspace.resolve()).dev_keys()
    try:
        minted = mint_token(
            private_key,
            subject=sub,
            roles=role,
            districts=district or [],
            insurer_id=insurer_id,
            facility_ids=facility or (),
            issuer=DEV_ISSUER,
            audience=DEV_AUDIENCE,
            ttl=timedelta(hours=hours),
        )
    except ValueError as invalid:
        raise typer.BadParameter(str(invalid)) from None
    typer.echo(minted)


@app.command()
def seed(workspace: WorkspaceOption = DEFAULT_WORKSPACE) -> None:
    """Start the embedded database, migrate every service, and load reference data (standards) once."""
    prepare(Workspace(workspace.resolve()))
    console.print("databases ready")


@app.command()
def recalculate(
    standard_id: Annotated[
        UUID | None, typer.Argument(help="the standard (default: every unfinished one)")
    ] = None,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Run or resume the recalculation of every active case after a standard change, with a progress bar."""
    asyncio.run(_recalculate(_settings("eligibility", workspace), standard_id))


def _settings(service: str, workspace: Path | None) -> ServiceSettings:
    """The service's settings: the embedded default's in `workspace` (started and migrated), or the environment's."""
    return prepare(Workspace(workspace.resolve()))[service] if workspace else SERVICES[service].settings()


@contextlib.asynccontextmanager
async def _units_of_work(service: str, settings: ServiceSettings) -> AsyncIterator[Callable[[], UnitOfWork]]:
    """A factory of the service's units of work on its database, for a command's lifetime."""
    engine = create_engine(settings.database)
    sessions, source = session_factory(engine), SERVICES[service].definition.source
    try:
        yield lambda: UnitOfWork(sessions, source=source)
    finally:
        await engine.dispose()


def _progress() -> Progress:
    return Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console)


async def _recalculate(settings: ServiceSettings, standard_id: UUID | None) -> None:
    async with _units_of_work("eligibility", settings) as new_uow:
        pending = [standard_id] if standard_id else await standards.unfinished_recalculations(new_uow())
        if not pending:
            console.print("nothing to recalculate")
        for standard in pending:
            status = await standards.recalculation_status(new_uow(), standard)
            with _progress() as progress:
                task = progress.add_task(f"standard {standard}", total=status.cases_total)
                done = await standards.run_recalculation(
                    new_uow,
                    standard,
                    today=SystemClock().today(),
                    progress=functools.partial(progress.advance, task),
                )
            console.print(
                f"{done.cases_changed} cases changed, {done.households_flagged} households flagged for review"
            )


@app.command("prepare-run")
def prepare_run(
    district: Annotated[str, typer.Argument(help="the district's 6-digit code")],
    month: Annotated[str, typer.Argument(help="the month the run pays, YYYY-MM")],
    prepared_by: Annotated[
        str,
        typer.Option("--prepared-by", help="the finance officer's account (a second one releases the run)"),
    ],
    batch_size: Annotated[int, typer.Option(min=1, help="entitlements per transaction")] = runs.RUN_BATCH,
    workers: Annotated[int, typer.Option(min=1, help="slices prepared at once")] = runs.RUN_WORKERS,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Prepare (or resume preparing) a district's monthly payment run, with a progress bar."""
    try:
        first_day = YearMonth.parse(month).first_day
        officer = Principal(
            subject=prepared_by, roles=frozenset({Role.finance_officer}), districts=frozenset({district})
        )
    except ValueError as bad:
        raise typer.BadParameter(str(bad)) from None
    asyncio.run(
        _prepare_run(_settings("payments", workspace), officer, district, first_day, batch_size, workers)
    )


async def _prepare_run(
    settings: ServiceSettings, officer: Principal, district: str, month: date, batch_size: int, workers: int
) -> None:
    async with _units_of_work("payments", settings) as new_uow:
        run = await runs.start_run(new_uow(), officer, district_code=district, month=month)
        if run.status == "preparing":
            with _progress() as progress:
                task = progress.add_task(
                    f"run {district} {run.month}",
                    total=run.entitlements_due,
                    completed=run.entitlements_scanned,
                )
                await runs.prepare_run(
                    new_uow,
                    run.id,
                    batch_size=batch_size,
                    workers=workers,
                    progress=functools.partial(progress.advance, task),
                )
            run = await runs.read_run(new_uow(), officer, run.id)
        else:
            console.print(f"run {run.id} is already {run.status}")
        console.print(f"run {run.id}: {run.payment_count} payments, {run.total_fen} fen; {run.status}")


@calendar_app.command("load")
def calendar_load(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="a .csv (date,kind,name) or .yaml file")
    ],
    loaded_by: Annotated[str, typer.Option("--loaded-by", help="your account, kept in the audit log")],
    year: Annotated[int | None, typer.Option(help="the year (required for CSV; YAML says it itself)")] = None,
    notice: Annotated[
        str | None, typer.Option(help="the notice it comes from, e.g. 国办发明电〔2026〕7号")
    ] = None,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Load or correct a year; then recount every open provisional deadline, with a progress bar."""
    try:
        parsed = read_notice_file(file.name, file.read_bytes(), year=year, notice=notice)
    except InvalidInput as refused:
        _refuse(refused)
    entry = calendar.YearToLoad(
        year=parsed.year,
        rows=tuple((f"row {i}", day) for i, day in enumerate(parsed.days)),
        notice=parsed.notice,
        source=file.name,
    )
    asyncio.run(_load_calendar(_settings("eligibility", workspace), entry, loaded_by))


def _refuse(refused: InvalidInput) -> NoReturn:
    console.print(f"[red]{refused.detail}[/red]")
    for issue in refused.errors:
        console.print(f"  {issue.field}: {issue.rule}: {issue.message}")
    raise typer.Exit(1)


async def _load_calendar(settings: ServiceSettings, entry: calendar.YearToLoad, loaded_by: str) -> None:
    clock = SystemClock()
    async with _units_of_work("eligibility", settings) as new_uow:
        try:
            loaded = await calendar.load_year(new_uow(), entry, loaded_by=loaded_by, clock=clock)
        except InvalidInput as refused:
            _refuse(refused)
        console.print(
            f"{entry.year}: {loaded.year.holidays} holidays, {loaded.year.shifted_working_days} shifted working "
            f"days (revision {loaded.year.revision})"
        )
        with _progress() as progress:
            task = progress.add_task("provisional deadlines", total=loaded.recomputation.applications_total)
            done = await calendar.recount_deadlines(
                new_uow,
                loaded.recomputation.id,
                clock=clock,
                progress=functools.partial(progress.advance, task),
            )
        console.print(f"{done.applications_done} open applications' deadlines recounted")


@calendar_app.command("show")
def calendar_show(workspace: WorkspaceDatabase = None) -> None:
    """Which years are known, from where, and how far ahead."""
    overview = asyncio.run(_calendar_overview(_settings("eligibility", workspace)))
    for known in overview.years:
        origin = (
            f"loaded by {known.loaded_by} at {known.loaded_at:%Y-%m-%d %H:%M}Z"
            if known.loaded_by
            else "package"
        )
        typer.echo(
            f"{known.year}  {known.holidays:3d} holidays  {known.shifted_working_days:2d} worked  {origin}"
        )
    typer.echo(f"known until {overview.known_until}")
    if overview.warning:
        console.print(f"[yellow]{overview.warning}[/yellow]")


async def _calendar_overview(settings: ServiceSettings) -> CalendarOut:
    async with _units_of_work("eligibility", settings) as new_uow:
        return await calendar.overview(new_uow(), today=SystemClock().today())


@kafka_app.command("start")
def kafka_start(
    port: Annotated[int | None, typer.Option(help="client port (default: a free one)")] = None,
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Fetch Kafka with Maven (once), format the KRaft store (once), start the broker and wait until it answers."""
    broker = local_kafka.start(Workspace(workspace.resolve()).kafka, port=port)
    typer.echo(broker.bootstrap_servers)


@kafka_app.command("stop")
def kafka_stop(workspace: WorkspaceOption = DEFAULT_WORKSPACE) -> None:
    """Stop the local broker."""
    local_kafka.stop(Workspace(workspace.resolve()).kafka)


@kafka_app.command("status")
def kafka_status(workspace: WorkspaceOption = DEFAULT_WORKSPACE) -> None:
    """Print the broker's address, or exit 1 when it is not running."""
    broker = local_kafka.status(Workspace(workspace.resolve()).kafka)
    if broker is None:
        console.print("not running")
        raise typer.Exit(1)
    typer.echo(broker.bootstrap_servers)
