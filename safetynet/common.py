"""What the CLI's commands share: the console, the workspace options, each service's settings and units of
work, progress bars, and refusing bad input."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress

from safetynet.catalog import SERVICES
from safetynet.embedded import Workspace, default_workspace, prepare
from shared.db import UnitOfWork, create_engine, session_factory
from shared.errors import InvalidInput
from shared.settings import ServiceSettings

console = Console(stderr=True, soft_wrap=True)  # no wrapping at 80 columns when piped

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
Households = Annotated[
    int,
    typer.Option(
        "--households",
        min=0,
        max=1_000_000,
        envvar="SAFETYNET_DEMO_HOUSEHOLDS",
        help="the demo city's size: this many households beside the stories, written set-based",
    ),
]


def service_name(name: str) -> str:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return name


def environment_settings(name: str) -> ServiceSettings:
    """The service's settings from its `<SERVICE>_*` variables; a missing or invalid one ends the command."""
    try:
        return SERVICES[name].settings()
    except ValidationError as invalid:
        console.print(f"[red]{name}: settings are not valid:[/red]")
        for error in invalid.errors():
            console.print(f"  {'__'.join(str(part) for part in error['loc'])}: {error['msg']}")
        raise typer.Exit(2) from None


def settings_of(service: str, workspace: Path | None) -> ServiceSettings:
    """The service's settings: the embedded default's in `workspace` (started and migrated), or the environment's."""
    return prepare(Workspace(workspace.resolve()))[service] if workspace else environment_settings(service)


@contextlib.asynccontextmanager
async def units_of_work(service: str, settings: ServiceSettings) -> AsyncIterator[Callable[[], UnitOfWork]]:
    """A factory of the service's units of work on its database, for a command's lifetime."""
    engine = create_engine(settings.database)
    sessions, source = session_factory(engine), SERVICES[service].definition.source
    try:
        yield lambda: UnitOfWork(sessions, source=source)
    finally:
        await engine.dispose()


def progress_bar() -> Progress:
    return Progress(*Progress.get_default_columns(), MofNCompleteColumn(), console=console)


def refuse(refused: InvalidInput) -> NoReturn:
    console.print(f"[red]{refused.detail}[/red]")
    for issue in refused.errors:
        console.print(f"  {issue.field}: {issue.rule}: {issue.message}")
    raise typer.Exit(1)
