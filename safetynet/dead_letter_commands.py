"""`safetynet dead-letters`: what a service's consumer refused, and retrying it once the cause is fixed
(docs/runbooks.md, SafetyNetDeadLetters). Runs with the service's settings from its environment."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Annotated
from uuid import UUID

import typer

from safetynet.catalog import SERVICES
from safetynet.common import console, environment_settings, service_name
from shared.messaging.redrive import dead_lettered
from shared.service import NotReady, ServiceRuntime

dead_letters_app = typer.Typer(help="A service's dead-lettered events: list them, retry them.")

ServiceArgument = Annotated[
    str, typer.Argument(help="eligibility | payments | facilities | insurance | oversight")
]


def _runtime(service: str) -> ServiceRuntime:
    name = service_name(service)
    return ServiceRuntime(SERVICES[name].definition, environment_settings(name), bus=None)


@dead_letters_app.command("list")
def list_letters(service: ServiceArgument) -> None:
    """Each dead-lettered event, oldest first: id, type, where it came from, when, and why."""
    runtime = _runtime(service)

    async def read() -> None:
        try:
            letters = await dead_lettered(runtime.engine, runtime.definition.name)
        finally:
            await runtime.engine.dispose()
        for letter in letters:
            typer.echo(
                f"{letter.event_id}  {letter.type}  {letter.topic}[{letter.partition}]@{letter.offset}  "
                f"{letter.processed_at:%Y-%m-%d %H:%M:%S}Z  {letter.error}"
            )
        console.print(f"{len(letters)} dead-lettered")

    asyncio.run(read())


@dead_letters_app.command("retry")
def retry_letters(
    service: ServiceArgument,
    event_ids: Annotated[list[UUID] | None, typer.Argument(help="the events to retry (see `list`)")] = None,
    every: Annotated[bool, typer.Option("--all", help="retry every dead-lettered event")] = False,
) -> None:
    """Hand dead-lettered events to the service's handler again, from their copies on `<topic>.dlq`.

    Exits 1 if any is still dead-lettered or could not be retried; safe to repeat.
    """
    if not event_ids and not every:
        raise typer.BadParameter("name the events to retry, or pass --all")
    runtime = _runtime(service)

    async def retry() -> dict[UUID, str]:
        try:
            return await runtime.retry_dead_letters(event_ids or ())
        finally:
            await runtime.engine.dispose()

    try:
        outcome = asyncio.run(retry())
    except NotReady as refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(1) from None
    for event_id in event_ids or ():
        outcome.setdefault(event_id, "not_dead_lettered")
    for event_id, status in outcome.items():
        typer.echo(f"{event_id}  {status}")
    counts = Counter(outcome.values())
    console.print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to retry")
    if set(counts) - {"processed", "parked", "skipped", "not_dead_lettered"}:
        raise typer.Exit(1)
