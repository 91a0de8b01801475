"""`make run`, as the README says: all five services answer health, readiness, docs and metrics, and
the real routes check tokens."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.clock import SystemClock
from shared.local import postgres
from shared.workdays import WorkingDayCalendar, calendar_warning
from tests.e2e.conftest import REPO, safetynet

SERVICES = ("eligibility", "payments", "facilities", "insurance", "oversight")
CONSOLE = "console.log"
"""What `make run` printed, in its workspace."""

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    workspace = tmp_path_factory.mktemp("workspace")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "SAFETYNET_WORKSPACE": str(workspace)}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=REPO,
        env=env,
        stdout=(workspace / CONSOLE).open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                output = (workspace / CONSOLE).read_text(errors="replace")
                pytest.fail(f"make run exited with {process.returncode}:\n{output[-3000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("make run did not serve /health within 120 s")
            time.sleep(0.5)
        yield base, workspace
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            postgres.stop(workspace / "postgres", mode="immediate")


def token(workspace: Path, *args: str) -> str:
    result = safetynet("token", "--workspace", str(workspace), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_answers_health_readiness_docs_and_metrics(
    running: tuple[str, Path], service: str
) -> None:
    base, _ = running
    health = httpx.get(f"{base}/{service}/health").json()
    assert health["status"] == "ok"
    # Only eligibility counts working days; it warns from 60 days before the known calendar ends.
    calendar = WorkingDayCalendar()
    expected = calendar_warning(calendar, SystemClock().today()) if service == "eligibility" else None
    assert health["warnings"] == ([expected] if expected else [])
    assert httpx.get(f"{base}/{service}/ready").json() == {"status": "ready"}
    docs = httpx.get(f"{base}/{service}/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = httpx.get(f"{base}/{service}/openapi.json").json()
    assert spec["info"]["title"] == f"SafetyNet {service}"
    assert "/v1/operations/messaging" in spec["paths"]
    metrics = httpx.get(f"{base}/{service}/metrics")
    assert 'http_requests_total{method="GET"' in metrics.text and f'service="{service}"' in metrics.text


def test_root_health_lists_every_service(running: tuple[str, Path]) -> None:
    base, _ = running
    assert httpx.get(f"{base}/health").json() == {"status": "ok", "services": sorted(SERVICES)}


def test_routes_refuse_missing_and_wrong_role_tokens_and_admit_the_right_one(
    running: tuple[str, Path],
) -> None:
    base, workspace = running
    url = f"{base}/eligibility/v1/operations/messaging"

    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 401 and missing.json()["title"] == "Unauthorized"

    caseworker = token(workspace, "--role", "caseworker", "--district", "500101")
    refused = httpx.get(url, headers={"Authorization": f"Bearer {caseworker}"})
    assert refused.status_code == 403
    assert "auditor" in refused.json()["detail"]

    auditor = token(workspace, "--role", "auditor", "--district", "*", "--sub", "auditor-1")
    status = httpx.get(url, headers={"Authorization": f"Bearer {auditor}", "X-Correlation-ID": "e2e-check-1"})
    assert status.status_code == 200
    assert status.headers["x-correlation-id"] == "e2e-check-1"
    assert set(status.json()) >= {"outbox_pending", "inbox_processed", "inbox_dead_lettered"}


def test_oversized_body_gets_413_and_unknown_routes_a_problem(running: tuple[str, Path]) -> None:
    base, _ = running
    # 1 MiB by default; payments takes bank return files up to 32 MiB.
    for service, size in (("eligibility", 2_000_000), ("payments", 40_000_000)):
        too_big = httpx.post(f"{base}/{service}/v1/operations/messaging", content=b"x" * size)
        assert too_big.status_code == 413
        assert too_big.json()["title"] == "Payload too large"
    unknown = httpx.get(f"{base}/payments/v1/no-such-route")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert json.loads(unknown.text)["instance"].endswith("/v1/no-such-route")


def tour(base: str, workspace: Path) -> str:
    told = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "safetynet"),
            "tour",
            "--base-url",
            base,
            "--workspace",
            str(workspace),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert told.returncode == 0, told.stdout[-3000:] + told.stderr[-3000:]
    return told.stdout


def test_the_tour_tells_the_main_story_against_it_and_again(running: tuple[str, Path]) -> None:
    base, workspace = running
    story = tour(base, workspace)
    for expected in (
        "caseworker             POST /eligibility/v1/households → 201",
        "reviewer               POST /eligibility/v1/applications/",
        "finance officer        GET  /payments/v1/entitlements → 200",
        "reviewer               GET  /insurance/v1/terms/",
        "second finance officer POST /payments/v1/runs/",
        "released by demo-finance-2",
        "insurer                POST /insurance/v1/claims/",
        "settlement: settled",
        "The tour is complete.",
    ):
        assert expected in story, expected
    assert re.search(r"run \S+ for \d{4}-\d{2}: 2 payments, ¥1,140\.00", story), story
    # Personal data stays masked in what a client sees: no full resident ID is ever printed.
    assert not re.search(r"\b\d{17}[\dX]\b", story)
    again = tour(base, workspace)  # a new household; the month's run of the district was paid by the first
    assert (
        "released already, by demo-finance-2, on an earlier tour" in again
        and "The tour is complete." in again
    )


def test_the_console_is_for_people(running: tuple[str, Path]) -> None:
    base, workspace = running
    httpx.get(f"{base}/eligibility/health")
    printed = (workspace / CONSOLE).read_text()
    banner, _, log = printed.partition("Uvicorn running on")
    for service in SERVICES:
        (line,) = [line for line in banner.splitlines() if line.strip().startswith(service)]
        assert f"{base}/{service}/docs" in line and ("migrations applied" in line or "up to date" in line)
    assert "safetynet token --role caseworker --district 500103 --sub demo-caseworker" in banner
    assert "safetynet tour --base-url" in banner
    assert "Running upgrade" not in printed, "Alembic's lines are summarised, one per service"
    assert not [line for line in printed.splitlines() if line.startswith("{")], "console lines, not JSON"
    assert '"GET /eligibility/health HTTP/1.1" 200' in log


def test_staff_of_a_demo_district_see_its_city_in_every_state(running: tuple[str, Path]) -> None:
    """After `make run`: households and cases in every state, a released run, roster entries and claims."""
    base, workspace = running
    district = "500106"

    def get(path: str, role: str, **params: Any) -> Any:
        minted = token(workspace, "--role", role, "--district", district, "--sub", f"demo-{role}")
        answer = httpx.get(f"{base}{path}", params=params, headers={"Authorization": f"Bearer {minted}"})
        assert answer.status_code == 200, answer.text
        return answer.json()

    households = get("/eligibility/v1/households", "caseworker", district_code=district)
    assert households["total"] == 13
    applications = get("/eligibility/v1/applications", "caseworker", district_code=district, page_size=200)
    assert {a["state"] for a in applications["items"]} >= {
        "applied",
        "accepted",
        "investigating",
        "township_reviewed",
        "public_notice",
        "approved",
    }
    cases = get("/eligibility/v1/cases", "caseworker", district_code=district)["items"]
    assert {(c["program"], c["status"]) for c in cases} >= {
        ("dibao", "active"),
        ("tekun", "active"),
        ("dibao", "terminated"),
    }
    (run,) = get("/payments/v1/runs", "finance_officer", district_code=district)
    assert run["status"] == "released" and run["payment_count"] > 0
    year = SystemClock().today().year
    roster = get(f"/insurance/v1/terms/{year}/roster", "reviewer", district_code=district)
    assert len(roster["entries"]) >= 5
    claims = get("/insurance/v1/claims", "reviewer", district_code=district)
    assert {c["status"] for c in claims} == {
        "reported",
        "documents_complete",
        "assessed",
        "settled",
        "rejected",
    }
