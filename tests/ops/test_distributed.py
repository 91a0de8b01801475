"""The distributed deployment, done by its own documentation: the five services as separate processes
against the project's Kafka broker and a PostgreSQL server with one role and database per service, each
process configured only from what docker-compose.yml gives it with the `.env` example
(`deploy/new-dotenv.sh`); the databases made by `deploy/postgres/init-databases.sh`, migrated and seeded
by the CLI as the compose jobs do; then a case is filed, approved and paid over HTTP, and the person is
insured.

Compose's host names are the only thing replaced (`postgres:5432`, `kafka:9092`, the key file's mount
point): this machine runs no containers. The embedded server trusts loopback connections, so the role
passwords are set but not checked here; that the roles cannot open each other's databases is
tests/shared/test_deploy_manifests.py's.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.auth import ensure_dev_keypair
from shared.clock import SystemClock
from shared.contracts.types import YearMonth
from shared.local import postgres
from shared.local.kafka import KafkaBroker
from tests.e2e.conftest import safetynet
from tests.eligibility.conftest import Api
from tests.kit import wait_for
from tests.kit.deploy import (
    PREFIXES,
    ROOT,
    SERVICES,
    environment_of,
    interpolate,
    raw_compose,
    without_service_settings,
)
from tests.kit.eligibility import DISTRICT, apply, registered, steps
from tests.kit.payments import account, returns
from tests.payments.conftest import keyed

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SAFETYNET = str(ROOT / ".venv" / "bin" / "safetynet")
ISSUER = "test"  # the issuer the test kit's tokens carry
TODAY = SystemClock().today()
"""The services run on the real date, so the case does too: applied two weeks ago, approved today."""


@dataclass(frozen=True)
class Deployment:
    environments: dict[str, dict[str, str]]
    """What compose gives each of its services (`eligibility`, `seed`, …), hosts pointed at this machine."""
    logs: Path

    def run(self, *args: str, service: str) -> subprocess.CompletedProcess[str]:
        return safetynet(*args, env=self.environments[service])

    def migrate(self) -> None:
        """The five `<name>-migrate` jobs, at once as compose starts them."""
        jobs = {
            service: subprocess.Popen(
                [SAFETYNET, "migrate", service],
                env=without_service_settings(self.environments[f"{service}-migrate"]),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for service in SERVICES
        }
        for service, job in jobs.items():
            output, _ = job.communicate(timeout=180)
            assert job.returncode == 0, (service, output.decode(errors="replace")[-3000:])


def read_dotenv(text_: str) -> dict[str, str]:
    variables = {}
    for line in text_.splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name] = value[1:-1] if value.startswith("'") else value
    return variables


def deployment(
    tmp_path: Path, server: postgres.PostgresServer, kafka: KafkaBroker, public_key: Path
) -> Deployment:
    written = subprocess.run(
        [str(ROOT / "deploy" / "new-dotenv.sh")],
        env={**os.environ, "SAFETYNET_JWT_ISSUER": ISSUER, "SAFETYNET_JWT_PUBLIC_KEY_FILE": str(public_key)},
        capture_output=True,
        text=True,
        check=True,
    )
    dotenv = read_dotenv(written.stdout)
    services = interpolate(raw_compose(), dotenv)["services"]
    # deploy/postgres/init-databases.sh, as the postgres container runs it on its first start.
    created = subprocess.run(
        ["bash", str(ROOT / "deploy" / "postgres" / "init-databases.sh")],
        env={
            **os.environ,
            **environment_of(services["postgres"]),
            "PATH": f"{postgres.POSTGRES_BIN_PATH}:{os.environ['PATH']}",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(server.port),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr

    def here(value: str) -> str:
        return (
            value.replace("@postgres:5432/", f"@127.0.0.1:{server.port}/")
            .replace("kafka:9092", kafka.bootstrap_servers)
            .replace("/run/secrets/jwt_public.pem", dotenv["SAFETYNET_JWT_PUBLIC_KEY_FILE"])
        )

    environments = {
        name: {key: here(value) for key, value in environment_of(service).items()}
        for name, service in services.items()
        if name not in {"postgres", "kafka"}
    }
    return Deployment(environments, tmp_path)


@contextlib.contextmanager
def serving(deployment_: Deployment) -> Iterator[dict[str, str]]:
    """`safetynet serve <name>` for each service, as compose starts them; their base URLs once all are ready."""
    processes: dict[str, subprocess.Popen[bytes]] = {}
    urls = {}
    try:
        for service in SERVICES:
            port = free_port()
            log = (deployment_.logs / f"{service}.log").open("wb")
            processes[service] = subprocess.Popen(
                [SAFETYNET, "serve", service, "--host", "127.0.0.1", "--port", str(port)],
                env=without_service_settings(deployment_.environments[service]),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            urls[service] = f"http://127.0.0.1:{port}/{service}"
        deadline = time.monotonic() + 90
        for service, url in urls.items():
            while not ready(url):
                if processes[service].poll() is not None or time.monotonic() > deadline:
                    log_text = (deployment_.logs / f"{service}.log").read_text(errors="replace")
                    pytest.fail(f"{service} did not become ready:\n{log_text[-3000:]}")
                time.sleep(0.3)
        yield urls
    finally:
        for process in processes.values():
            process.terminate()
        for service, process in processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                pytest.fail(f"{service} did not stop on SIGTERM")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL server of its own: the init script creates roles, which are server-wide."""
    home = tmp_path / "postgres"
    yield postgres.start(home)
    postgres.stop(home)


async def test_five_processes_configured_from_the_documented_dotenv_file_approve_and_pay_a_case(
    server: postgres.PostgresServer, kafka: KafkaBroker, keys: Path, tmp_path: Path
) -> None:
    private_key, public_key = ensure_dev_keypair(keys)
    done = deployment(tmp_path, server, kafka, public_key)

    done.migrate()
    seeded = done.run("seed", "--all", service="seed")
    assert seeded.returncode == 0, seeded.stderr
    assert "eligibility: 9 rows added" in seeded.stderr and "insurance: 3 rows added" in seeded.stderr
    again = done.run("seed", "--all", "--by", "ops-2", service="seed")
    assert again.returncode == 0 and "eligibility: 0 rows added" in again.stderr, again.stderr
    await assert_owned_and_audited(done)

    with serving(done) as urls:
        async with httpx.AsyncClient(base_url=urls["eligibility"], timeout=10) as client:
            api = Api(client, private_key)
            case_id = await approved_today(api)
        async with httpx.AsyncClient(base_url=urls["payments"], timeout=10) as payments:
            people = await paid(api, payments, case_id)
        async with httpx.AsyncClient(base_url=urls["insurance"], timeout=10) as insurance:
            await insured(api, insurance, people)


async def approved_today(api: Api) -> str:
    """A household registered, its application through the statutory steps, approved today: the case's id."""
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    applied = TODAY - timedelta(days=14)
    application = await apply(api, await registered(api), caseworker, applied_on=applied.isoformat())
    investigation: list[dict[str, Any]] = [
        {"kind": "accepted", "on": applied},
        {"kind": "data_cross_checked", "on": applied + timedelta(1), "details": {"findings": ["tax: none"]}},
        {
            "kind": "home_visited",
            "on": applied + timedelta(2),
            "details": {"investigators": ["inv-a", "inv-b"]},
        },
        {"kind": "township_reviewed", "on": applied + timedelta(3)},
        {"kind": "notice_posted", "on": applied + timedelta(4)},
    ]
    dated = [{**step, "on": step["on"].isoformat()} for step in investigation]
    await steps(api, application, dated, caseworker)
    reviewer = api.token("reviewer", DISTRICT, subject="rv-1")
    decided = await steps(api, application, [{"kind": "approved", "on": TODAY.isoformat()}], reviewer)
    return str(decided["case_id"])


async def assert_owned_and_audited(done: Deployment) -> None:
    """Each service's tables belong to its own role; the seed's rows are audited once, by `seed`."""
    for service in SERVICES:
        url = done.environments[service][f"{PREFIXES[service]}DATABASE__URL"]
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                owners = set(
                    await connection.scalars(
                        text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
                    )
                )
                assert owners == {service}, (service, owners)
                actors = list(await connection.scalars(text("SELECT DISTINCT actor FROM audit_log")))
        finally:
            await engine.dispose()
        assert actors == (["seed"] if service in {"eligibility", "insurance"} else []), (service, actors)


async def paid(api: Api, payments: httpx.AsyncClient, case_id: str) -> list[str]:
    """The case's entitlements arrive through Kafka; the district's officers pay the month, the bank pays."""
    preparer = api.token("finance_officer", DISTRICT, subject="fin-1")
    checker = api.token("finance_officer", DISTRICT, subject="fin-2")
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    entitlements: list[dict[str, Any]] = []

    async def delivered() -> bool:
        nonlocal entitlements
        entitlements = (
            await payments.get("/v1/entitlements", params={"case_id": case_id}, headers=preparer)
        ).json()
        return len(entitlements) == 2

    await wait_for(delivered, within=60)
    for n, entitlement in enumerate(entitlements):
        put = await payments.put(
            f"/v1/payee-accounts/person/{entitlement['person_id']}", json=account(n), headers=caseworker
        )
        assert put.status_code == 200, put.text
    funded = await payments.post(
        f"/v1/ledger/{DISTRICT}/allocations",
        json={"amount_fen": 1_000_000, "reference": "DIST-1", "memo": "funds"},
        headers=keyed(preparer),
    )
    assert funded.status_code == 201, funded.text
    started = await payments.post(
        "/v1/runs",
        json={"district_code": DISTRICT, "month": str(YearMonth.of(TODAY).next())},
        headers=keyed(preparer),
    )
    assert started.status_code == 202, started.text
    run: dict[str, Any] = {}

    async def prepared() -> bool:
        nonlocal run
        run = (await payments.get(f"/v1/runs/{started.json()['id']}", headers=preparer)).json()
        return bool(run["status"] != "preparing")

    await wait_for(prepared, within=30)
    # The run pays the district's month: our two, and any case another test approved on the shared broker.
    assert run["payment_count"] >= 2 and run["total_fen"] > 0, run
    released = await payments.post(f"/v1/runs/{run['id']}/release", headers=keyed(checker))
    assert released.status_code == 200, released.text
    written = await payments.post(f"/v1/runs/{run['id']}/bank-files", headers=keyed(preparer))
    assert written.status_code == 201, written.text
    bank_file = written.json()["id"]
    downloaded = await payments.get(f"/v1/bank-files/{bank_file}", headers=preparer)
    instructions = [row[2] for row in csv.reader(io.StringIO(downloaded.text)) if row[0] == "D"]
    assert len(instructions) >= 2  # ours; others only if their people have accounts
    answered = await payments.post(
        f"/v1/bank-files/{bank_file}/returns",
        content=returns(
            bank_file, [(instruction, "PAID", "") for instruction in instructions], day=TODAY.isoformat()
        ),
        headers=keyed(preparer),
    )
    assert answered.status_code == 200, answered.text
    paid_ = (await payments.get("/v1/payments", params={"status": "paid"}, headers=preparer)).json()
    people = [e["person_id"] for e in entitlements]
    assert {p["person_id"] for p in paid_} >= set(people)
    return people


async def insured(api: Api, insurance: httpx.AsyncClient, people: list[str]) -> None:
    """The approval reached the insurer's roster through Kafka too: each of the case's people has an entry."""
    reviewer = api.token("reviewer", DISTRICT, subject="rv-1")

    async def on_roster() -> bool:
        for person in people:
            page = await insurance.get(
                f"/v1/terms/{TODAY.year}/roster", params={"person_id": person}, headers=reviewer
            )
            if page.status_code != 200 or not page.json()["entries"]:
                return False
        return True

    await wait_for(on_roster, within=60)
