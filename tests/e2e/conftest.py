"""The `safetynet` command as a user runs it, and one embedded workspace prepared for the command-line tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from safetynet.embedded import Workspace, prepare
from shared.local import postgres
from shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]


def safetynet(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the project's `safetynet` command from its virtualenv; never raises on a non-zero exit."""
    command = [str(REPO / ".venv" / "bin" / "safetynet"), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@dataclass(frozen=True)
class Embedded:
    workspace: Path
    settings: dict[str, ServiceSettings]

    @property
    def option(self) -> tuple[str, str]:
        return ("--workspace", str(self.workspace))


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    """The embedded default's workspace — its PostgreSQL started, every service migrated and seeded — made
    once for the command-line tests; each of them works in tables the others leave alone."""
    workspace = tmp_path_factory.mktemp("embedded") / "workspace"
    settings = prepare(Workspace(workspace))
    yield Embedded(workspace, settings)
    postgres.stop(workspace / "postgres", mode="immediate")
