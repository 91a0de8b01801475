"""`safetynet`: run the embedded default, serve one service, migrate, mint dev tokens, manage Kafka."""

from __future__ import annotations

import asyncio
import base64
import functools
import signal
import time
from pathlib import Path
from typing import Annotated, NoReturn

import httpx
import typer
import uvicorn
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from safetynet.calendar_commands import calendar_app
from safetynet.catalog import SERVICES
from safetynet.common import (
    DEFAULT_WORKSPACE,
    Households,
    WorkspaceDatabase,
    WorkspaceOption,
    console,
    environment_settings,
    progress_bar,
    service_name,
)
from safetynet.dead_letter_commands import dead_letters_app
from safetynet.demo.bulk import DEFAULT_HOUSEHOLDS
from safetynet.embedded import (
    DEV_AUDIENCE,
    DEV_ISSUER,
    SEEDED_BY,
    NotMigrated,
    Workspace,
    build_app,
    load_demo,
    migrated,
)
from safetynet.embedded import seed as seed_services
from safetynet.job_commands import announce_households, prepare_run, recalculate
from safetynet.kafka_commands import kafka_app
from safetynet.tour import DEMO_ROLES, Caller, Tour, TourFailed
from shared.auth import Role, mint_token
from shared.clock import SystemClock
from shared.contracts.eligibility import MATCH_CONTEXT
from shared.db import upgrade
from shared.local import postgres
from shared.observability import LogFormat, configure_logging
from shared.pii import BlindIndex
from shared.settings import PiiSettings, ServiceSettings
from shared.web import compose

app = typer.Typer(help=__doc__, no_args_is_help=True)
app.add_typer(kafka_app, name="kafka")
app.add_typer(calendar_app, name="calendar")
app.add_typer(dead_letters_app, name="dead-letters")
app.command("announce-households")(announce_households)
app.command()(recalculate)
app.command("prepare-run")(prepare_run)


@app.command()
def run(
    port: Annotated[int, typer.Option(envvar="PORT", help="HTTP port")] = 8000,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
    log_format: Annotated[
        LogFormat,
        typer.Option(
            "--log-format", envvar="SAFETYNET_LOG_FORMAT", help="console lines, or json for a collector"
        ),
    ] = "console",
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            envvar="SAFETYNET_DEMO",
            help="load the demo city on the first start (safetynet.demo)",
        ),
    ] = True,
    households: Households = DEFAULT_HOUSEHOLDS,
) -> None:
    """The embedded default: all five services in one process on an embedded PostgreSQL.

    Ctrl-C or SIGTERM stops the HTTP server and then the PostgreSQL server this run started (or took
    over from a killed run); a PostgreSQL started by a process that still runs is left to it.
    """
    configure_logging("INFO", log_format)
    space = Workspace(workspace.resolve())
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        console.print("[bold]Starting PostgreSQL…[/bold]")
        applied: dict[str, int] = {}
        settings = migrated(space, report=applied.__setitem__)
        added = asyncio.run(seed_services(settings))
        postgres.claim(space.postgres)
        if demo:
            started = time.monotonic()
            private_key, _ = space.dev_keys()
            loaded = _load_demo(settings, private_key, households)
            if loaded:
                console.print(
                    f"  the demo city: {loaded} households loaded in {time.monotonic() - started:.0f} s"
                )
        root = build_app(settings)
        base = f"http://{host}:{port}"
        for name in SERVICES:
            migrations = f"{applied[name]} migrations applied" if applied[name] else "database up to date"
            seeded = "" if not added[name] else f", {added[name]} reference rows loaded"
            console.print(f"  [green]{name:<12}[/green] {base}/{name}/docs  ({migrations}{seeded})")
        console.print(f"[bold green]SafetyNet is up[/bold green] at {base} (health: {base}/health)")
        console.print(
            "\nTokens for the demo roles (district 500103), for the Authorize button of each /docs page:"
        )
        for role in DEMO_ROLES:
            console.print(f"  {role.label:<22} [bold]{role.command()}[/bold]", soft_wrap=True)
        console.print(
            f"\nThe main story, told over HTTP: [bold].venv/bin/safetynet tour --base-url {base}[/bold]\n"
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
def tour(
    base_url: Annotated[
        str, typer.Option("--base-url", help="the running instance")
    ] = "http://127.0.0.1:8000",
    workspace: WorkspaceOption = DEFAULT_WORKSPACE,
) -> None:
    """Drive a running instance through the main story over HTTP, printing each request and its answer.

    Register, apply, investigate, post the notice, approve; watch the entitlements and the insurance cover
    appear; prepare and release the month's run; report and settle a claim. Tokens are minted with the
    workspace's development key, which the embedded default (`safetynet run`) trusts. Exits 1 at the first
    answer it did not expect.
    """
    private_key, _ = Workspace(workspace.resolve()).dev_keys()

    async def tell() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            caller = Caller(client, private_key, out=Console(highlight=False, soft_wrap=True))
            await Tour(caller, today=SystemClock().today()).run()

    try:
        asyncio.run(tell())
    except (TourFailed, httpx.TransportError) as failed:
        console.print(f"[red]The tour stopped: {failed}[/red]")
        raise typer.Exit(1) from None


@app.command()
def serve(
    service: Annotated[
        str, typer.Argument(help="eligibility | payments | facilities | insurance | oversight")
    ],
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
    host: Annotated[str, typer.Option()] = "0.0.0.0",  # noqa: S104 - containers listen on every interface
) -> None:
    """One service in distributed mode; settings come from `<SERVICE>_*` environment variables."""
    entry = SERVICES[service_name(service)]
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
        upgrade(SERVICES[service_name(name)].definition.migrations, environment_settings(name).database.url)
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
def seed(
    services: Annotated[
        list[str] | None,
        typer.Argument(help="services to seed, into the databases their environment names (default: none)"),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="every service, from the environment")] = False,
    seeded_by: Annotated[
        str, typer.Option("--by", min=1, max=64, help="who seeds, as kept in each audit log")
    ] = SEEDED_BY,
    demo: Annotated[
        bool, typer.Option("--demo", help="the embedded default only: also load the demo city (idempotent)")
    ] = False,
    households: Households = DEFAULT_HOUSEHOLDS,
    workspace: WorkspaceDatabase = None,
) -> None:
    """Load each service's reference data (DOMAIN.md's standards; this year's and next year's policy terms).

    Idempotent (a repeat adds nothing) and audited. With SERVICE… or --all the databases are the ones the
    `<SERVICE>_*` environment names, migrated beforehand (`safetynet migrate`): the deployment step between
    the migrations and the services. With neither, or with --workspace, the embedded default's databases are
    started, migrated and seeded, and --demo loads the demo city there too. Exits 1 if any service could not
    be seeded.
    """
    names = list(SERVICES) if every else [service_name(name) for name in services or ()]
    if demo and names:
        raise typer.BadParameter(
            "--demo loads the embedded default's databases: give no SERVICE and no --all"
        )
    if workspace is not None or not names:
        settings = migrated(Workspace((workspace or DEFAULT_WORKSPACE).resolve()))
        if names:
            settings = {name: settings[name] for name in names}
    else:
        settings = {name: environment_settings(name) for name in names}
    failed = False
    for name, service_settings in settings.items():
        try:
            added = asyncio.run(seed_services({name: service_settings}, seeded_by))[name]
        except (OSError, SQLAlchemyError, NotMigrated) as error:
            console.print(f"[red]{name}: not seeded: {error}[/red]")
            failed = True
            continue
        console.print(
            f"{name}: " + ("migrated; no reference data" if added is None else f"{added} rows added")
        )
    if failed:
        raise typer.Exit(1)
    if demo:
        private_key, _ = Workspace((workspace or DEFAULT_WORKSPACE).resolve()).dev_keys()
        loaded = _load_demo(settings, private_key, households)
        console.print(
            f"the demo city: {loaded} households added" if loaded else "the demo city: already loaded"
        )


def _load_demo(settings: dict[str, ServiceSettings], private_key: Path, households: int) -> int:
    with progress_bar() as progress:
        task = progress.add_task("bulk households", total=households, visible=households > 0)
        return asyncio.run(
            load_demo(
                settings,
                private_key,
                clock=SystemClock(),
                households=households,
                progress=functools.partial(progress.advance, task),
            )
        )


class _EligibilityKeys(BaseSettings):
    """Eligibility's personal-data keys alone, from its `ELIGIBILITY_PII__*` variables."""

    model_config = SettingsConfigDict(env_prefix="ELIGIBILITY_", env_nested_delimiter="__", extra="ignore")
    pii: PiiSettings


@app.command("matching-key")
def matching_key() -> None:
    """Oversight's matching key (OVERSIGHT_MATCHING_KEY), printed as base64 on stdout.

    Derived from eligibility's blind-index key, read from the ELIGIBILITY_PII__* variables: run it where that
    key is at hand (the secret store's job), and give oversight the result, never eligibility's key
    (docs/oversight.md, "Matching people without their resident IDs").
    """
    try:
        keys = _EligibilityKeys()
    except ValidationError as invalid:
        console.print("[red]eligibility's personal-data keys are not valid:[/red]")
        for error in invalid.errors():
            console.print(f"  {'__'.join(str(part) for part in error['loc'])}: {error['msg']}")
        raise typer.Exit(2) from None
    typer.echo(base64.b64encode(BlindIndex(keys.pii).context_key(MATCH_CONTEXT)).decode())
