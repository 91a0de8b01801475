"""`safetynet kafka`: the local Apache Kafka broker (KRaft, single node) for development and tests."""

from __future__ import annotations

from typing import Annotated

import typer

from safetynet.common import DEFAULT_WORKSPACE, WorkspaceOption, console
from safetynet.embedded import Workspace
from shared.local import kafka as local_kafka

kafka_app = typer.Typer(help="The local Apache Kafka broker (KRaft, single node) for development and tests.")


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
