"""`safetynet`: run the embedded default, serve one service, migrate, mint dev tokens, manage Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
import uvicorn
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress

from safetynet.catalog import SERVICES
from safetynet.embedded import DEV_AUDIENCE, DEV_ISSUER, Workspace, build_app, prepare
from services.eligibility.service import standards
from services.payments.service import runs
from shared.auth import Principal, Role, mint_token
from shared.db import UnitOfWork, create_engine, session_factory, upgrade
from shared.local import kafka as local_kafka
from shared.local import postgres
from shared.observability import configure_logging
from shared.settings import ServiceSettings
from shared.web import compose
from shared.workdays import business_today

app = typer.Typer(help=__doc__, no_args_is_help=True)
kafka_app = typer.Typer(help="The local Apache Kafka broker (KRaft, single node) for development and tests.")
app.add_typer(kafka_app, name="kafka")
console = Console(stderr=True)

WorkspaceOption = Annotated[
    Path,
    typer.Option("--workspace", envvar="SAFETYNET_WORKSPACE", help="state directory of the embedded default"),
]
DEFAULT_WORKSPACE = Path(".safetynet")


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
    """The embedded default: all five services in one process on an embedded PostgreSQL."""
    configure_logging("INFO")
    space = Workspace(workspace.resolve())
    console.print("[bold]Starting PostgreSQL and migrating the five databases…[/bold]")
    settings = prepare(space)
    root = build_app(settings)
    console.print(f"[green]SafetyNet is up.[/green] Health: http://{host}:{port}/health")
    for name in SERVICES:
        console.print(f"  {name:<12} docs: http://{host}:{port}/{name}/docs")
    console.print("Mint a token: [bold].venv/bin/safetynet token --role caseworker --district 500101[/bold]")
    try:
        uvicorn.run(root, host=host, port=port, log_config=None)
    finally:
        postgres.stop(space.postgres)


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
    workspace: Annotated[
        Path | None, typer.Option("--workspace", help="use the embedded default's database in this folder")
    ] = None,
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
                    today=business_today(),
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
    workspace: Annotated[
        Path | None, typer.Option("--workspace", help="use the embedded default's database in this folder")
    ] = None,
) -> None:
    """Prepare (or resume preparing) a district's monthly payment run, with a progress bar."""
    try:
        first_day = date.fromisoformat(f"{month}-01")
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
