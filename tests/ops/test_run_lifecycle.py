"""`safetynet run` leaves nothing behind on the host: SIGTERM stops the PostgreSQL it started, and a
start after a run killed with SIGKILL takes over what that run left and comes up healthy."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from shared.local import postgres
from tests.e2e.conftest import REPO

pytestmark = pytest.mark.slow

SAFETYNET = str(REPO / ".venv" / "bin" / "safetynet")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(process: subprocess.Popen[bytes], port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the run exited with {process.returncode}:\n{output[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the run did not serve /health within {timeout_s} s")
        time.sleep(0.2)


def postmaster_pid(workspace: Path) -> int:
    return int((workspace / "postgres" / "data" / "postmaster.pid").read_text().split()[0])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def servers_of(workspace: Path) -> list[int]:
    """PostgreSQL processes whose command line names this workspace's data directory."""
    data = str(workspace / "postgres" / "data")
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if data in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def assert_no_server_left(workspace: Path, pid: int) -> None:
    deadline = time.monotonic() + 15
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid), f"PostgreSQL {pid} outlived the run"
    assert not (workspace / "postgres" / "data" / "postmaster.pid").exists()
    assert servers_of(workspace) == []


def test_sigterm_stops_postgres_and_a_start_after_sigkill_comes_up_clean(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    run = [SAFETYNET, "run", "--workspace", str(workspace), "--no-demo"]  # the lifecycle, not the demo city
    try:
        # SIGTERM (what `timeout` and container runtimes send): exits, and its PostgreSQL with it.
        port = free_port()
        first = start(run, {"PORT": str(port)})
        wait_healthy(first, port)
        pid = postmaster_pid(workspace)
        assert alive(pid)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0
        assert_no_server_left(workspace, pid)

        # SIGKILL: nothing can clean up, so PostgreSQL is left behind…
        port = free_port()
        killed = start(run, {"PORT": str(port)})
        wait_healthy(killed, port)
        leftover = postmaster_pid(workspace)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=10)
        assert alive(leftover)

        # …and the next `make run` takes it over, serves, and stops it when it is stopped.
        port = free_port()
        again = start(
            ["make", "--no-print-directory", "run"],
            {"PORT": str(port), "SAFETYNET_WORKSPACE": str(workspace), "SAFETYNET_DEMO": "false"},
        )
        wait_healthy(again, port)
        assert httpx.get(f"http://127.0.0.1:{port}/eligibility/ready").json() == {"status": "ready"}
        os.killpg(again.pid, signal.SIGTERM)
        again.wait(timeout=20)
        assert_no_server_left(workspace, postmaster_pid_or(leftover, workspace))
    finally:
        postgres.stop(workspace / "postgres", mode="immediate")


def postmaster_pid_or(default: int, workspace: Path) -> int:
    try:
        return postmaster_pid(workspace)
    except FileNotFoundError:
        return default


def test_a_stale_pid_file_is_removed_and_the_server_starts(tmp_path: Path) -> None:
    home = tmp_path / "postgres"
    server = postgres.start(home, durable=False)
    try:
        pid = postmaster_pid(tmp_path)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        # The pid file now names a dead server (or, in a container, a pid reused by another process).
        assert (home / "data" / "postmaster.pid").exists()
        assert postgres.running(home) is None
        assert not (home / "data" / "postmaster.pid").exists()
        again = postgres.start(home, port=server.port, durable=False)
        assert again.port == server.port and postgres.running(home) == again
    finally:
        postgres.destroy(home)


def test_the_embedded_server_refuses_to_listen_beyond_loopback(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="loopback"):
        postgres.start(tmp_path / "postgres", host="0.0.0.0")  # noqa: S104 - the point of the test
    assert not (tmp_path / "postgres").exists()


def test_a_server_whose_starter_still_runs_is_left_to_it(tmp_path: Path) -> None:
    home = tmp_path / "postgres"
    postgres.start(home, durable=False)
    try:
        claim = f"from shared.local import postgres; from pathlib import Path; print(postgres.claim(Path({str(home)!r})))"
        other = subprocess.run(
            [str(REPO / ".venv" / "bin" / "python"), "-c", claim], cwd=REPO, capture_output=True, text=True
        )
        assert other.stdout.strip() == "False", other.stderr  # this test process started it and still runs
        assert postgres.claim(home)
    finally:
        postgres.destroy(home)


def test_the_workspace_defaults_to_the_repositorys_wherever_the_command_runs(tmp_path: Path) -> None:
    show = "from safetynet.cli import DEFAULT_WORKSPACE; print(DEFAULT_WORKSPACE)"
    elsewhere = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-c", show], cwd=tmp_path, capture_output=True, text=True
    )
    assert elsewhere.stdout.strip() == str(REPO / ".safetynet"), elsewhere.stderr
