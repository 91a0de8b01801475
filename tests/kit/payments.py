"""Helpers for tests that drive payments: approvals delivered to it, bank accounts and return files, the
district's officers paying months one by one."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select, text

from services.payments.domain.bank_files import verify_checksum
from services.payments.models import Payment
from shared.clock import BUSINESS_ZONE
from shared.contracts.eligibility import CaseApproved
from shared.messaging.tables import outbox
from tests.kit import case_approved, wait_for
from tests.kit.eligibility import (
    APPROVE,
    DISTRICT,
    INVESTIGATION,
    apply,
    household,
    registered,
    resident_id,
    steps,
)
from tests.payments.conftest import Pair, Payments, keyed, prepared, prepared_by


async def approve(pair: Pair) -> tuple[str, str]:
    api = pair.eligibility
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    household_id = await registered(api)
    application_id = await apply(api, household_id, caseworker)
    await steps(api, application_id, INVESTIGATION, caseworker)
    decided = await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-1"))
    return household_id, str(decided["case_id"])


async def delivered(
    pair: Pair, path: str, params: dict[str, str], until: Callable[[list[Any]], bool]
) -> list[Any]:
    """What payments shows once the eligibility relay has delivered (it publishes in the background)."""
    finance = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
    found: list[Any] = []

    async def arrived() -> bool:
        nonlocal found
        found = (await pair.payments.get(path, params=params, headers=finance)).json()
        return until(found)

    await wait_for(arrived, within=30)
    return found


ALLOCATED = 500_000

BANK = "102653000015"


def account(n: int) -> dict[str, Any]:
    return {
        "holder_name": f"张{'三四五六七'[n % 5]}",
        "account_number": f"62220219{n:011d}",
        "bank_code": BANK,
        "reason": "opened at enrolment",
    }


class Finance:
    """The district's two finance officers and a caseworker, and what they do through the API."""

    def __init__(self, pair: Pair) -> None:
        self.pair = pair
        self.preparer = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
        self.checker = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-2")
        self.caseworker = pair.eligibility.token("caseworker", DISTRICT, subject="cw-1")

    async def post(self, path: str, **kwargs: Any) -> Any:
        return await self.pair.payments.post(
            path, headers=keyed(kwargs.pop("headers", self.preparer)), **kwargs
        )

    async def beneficiaries(self, cases: int) -> list[str]:
        people: list[str] = []
        for _ in range(cases):
            people += (await self.beneficiaries_of_one_case())[0]
        return people

    async def beneficiaries_of_one_case(self) -> tuple[list[str], str]:
        _, case_id = await approve_another(self.pair)
        found = await delivered(
            self.pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2
        )
        return [e["person_id"] for e in found], case_id

    async def set_account(self, person_id: str, body: dict[str, Any]) -> Any:
        return await self.pair.payments.put(
            f"/v1/payee-accounts/person/{person_id}", json=body, headers=self.caseworker
        )

    async def released_run(self, month: str) -> dict[str, Any]:
        run = await prepared(self.pair, month, self.preparer)
        released = await self.post(f"/v1/runs/{run['id']}/release", headers=self.checker)
        assert released.status_code == 200, released.text
        return dict(released.json())

    async def funded_case(self) -> tuple[list[str], str]:
        """One approved case whose beneficiaries have accounts, and a fund allocated to pay them."""
        people, case_id = await self.beneficiaries_of_one_case()
        for n, person in enumerate(people):
            assert (await self.set_account(person, account(n))).status_code == 200
        allocated = await self.post(
            f"/v1/ledger/{DISTRICT}/allocations",
            json={"amount_fen": ALLOCATED, "reference": f"A-{case_id[:8]}", "memo": "funds"},
        )
        assert allocated.status_code == 201, allocated.text
        return people, case_id

    async def send(self, run_id: str) -> tuple[dict[str, Any], list[list[str]]]:
        """The run's next bank file, and its payment lines as the bank reads them."""
        written = await self.post(f"/v1/runs/{run_id}/bank-files")
        assert written.status_code == 201, written.text
        lines = [row for row in await self.download(written.json()["id"]) if row[0] == "D"]
        return dict(written.json()), lines

    async def download(self, bank_file_id: str) -> list[list[str]]:
        got = await self.pair.payments.get(f"/v1/bank-files/{bank_file_id}", headers=self.preparer)
        assert got.status_code == 200, got.text
        assert got.headers["cache-control"] == "no-store"
        assert verify_checksum(got.content)
        return list(csv.reader(io.StringIO(got.content.decode())))

    async def books(self) -> dict[str, int]:
        """The fund's balances, checked against the payments themselves: the ledger balances to the fen."""
        got = (await self.pair.payments.get(f"/v1/ledger/{DISTRICT}/balances", headers=self.preparer)).json()
        assert got["balanced"] is True
        balances: dict[str, int] = got["balances"]
        async with self.pair.payments_db.connect() as connection:
            by_status = dict(
                (
                    await connection.execute(
                        select(Payment.status, func.sum(Payment.amount_fen)).group_by(Payment.status)
                    )
                ).all()
            )
            recovered = await connection.scalar(
                text("SELECT COALESCE(sum(amount_fen), 0) FROM overpayments WHERE status = 'recovered'")
            )
            receivable = await connection.scalar(
                text("SELECT COALESCE(sum(amount_fen), 0) FROM overpayments WHERE status = 'to_recover'")
            )
        paid, sent = int(by_status.get("paid", 0)), int(by_status.get("sent", 0))
        assert balances["bank_clearing"] == sent
        assert balances["benefits_paid"] == paid - recovered - receivable
        assert balances["recoveries_receivable"] == receivable
        assert balances["fund_cash"] == ALLOCATED - paid - sent + recovered
        assert balances["budget_allocated"] == -ALLOCATED
        return balances


def returns(bank_file_id: str, lines: list[tuple[str, str, str]], *, day: str = "2026-11-08") -> bytes:
    rows = [f"H,SAFETYNET-PAYMENT-RETURNS,1,{bank_file_id}"]
    rows += [f"R,{instruction},{status},{reason},{day}" for instruction, status, reason in lines]
    rows.append(f"T,{len(lines)}")
    return ("\r\n".join(rows) + "\r\n").encode()


async def events(pair: Pair, kind: str) -> list[dict[str, Any]]:
    async with pair.payments_db.connect() as connection:
        return list(
            (await connection.execute(select(outbox.c.payload).where(outbox.c.type == kind))).scalars()
        )


SEQUENCE = itertools.count(1)


async def approve_another(pair: Pair) -> tuple[str, str]:
    """Each approval needs a household of its own people: register with fresh resident IDs."""
    api = pair.eligibility
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    n = next(SEQUENCE)
    body = household()
    body["members"][0]["id_number"] = resident_id("500103", "19500301", f"{n:03d}")
    body["members"][1]["id_number"] = resident_id("500103", "20140901", f"{n + 500:03d}")
    created = await api.client.post("/v1/households", json=body, headers=caseworker)
    assert created.status_code == 201, created.text
    application_id = await apply(api, created.json()["id"], caseworker)
    await steps(api, application_id, INVESTIGATION, caseworker)
    decided = await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-1"))
    return created.json()["id"], str(decided["case_id"])


class Officers:
    """The district's two finance officers and a caseworker, on the payments app's clock."""

    def __init__(self, payments: Payments) -> None:
        self.payments = payments
        self.preparer = payments.token("finance_officer", DISTRICT, subject="fin-1")
        self.checker = payments.token("finance_officer", DISTRICT, subject="fin-2")
        self.caseworker = payments.token("caseworker", DISTRICT, subject="cw-1")

    async def post(self, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        return await self.payments.client.post(path, headers=keyed(headers or self.preparer), **kwargs)

    async def released(self, month: str, *, on: date) -> dict[str, Any]:
        """The month's run prepared and released on `on`."""
        self.payments.clock.set(on)
        run = await prepared_by(self.payments.client, month, self.preparer, DISTRICT)
        assert run["month"] == month and run["status"] == "prepared", run
        released = await self.post(f"/v1/runs/{run['id']}/release", headers=self.checker)
        assert released.status_code == 200, released.text
        return dict(released.json())

    async def sent(self, run_id: str) -> tuple[str, list[str]]:
        """The run's next bank file: its id and its instruction ids."""
        written = await self.post(f"/v1/runs/{run_id}/bank-files")
        assert written.status_code == 201, written.text
        got = await self.payments.client.get(f"/v1/bank-files/{written.json()['id']}", headers=self.preparer)
        rows = list(csv.reader(io.StringIO(got.content.decode())))
        return str(written.json()["id"]), [row[2] for row in rows if row[0] == "D"]

    async def all_paid(self, bank_file_id: str, instructions: list[str], *, on: date) -> None:
        """The bank's return, imported on `on`: every credit made that day."""
        self.payments.clock.set(on)
        result = await self.post(
            f"/v1/bank-files/{bank_file_id}/returns",
            content=returns(bank_file_id, [(i, "PAID", "") for i in instructions], day=on.isoformat()),
            headers={**self.preparer, "Content-Type": "text/csv"},
        )
        assert result.status_code == 200 and result.json()["paid_count"] == len(instructions), result.text

    async def payments_by_month(self) -> list[tuple[UUID | None, str, date, int, str]]:
        async with self.payments.engine.connect() as connection:
            rows = await connection.execute(
                select(Payment.person_id, Payment.benefit, Payment.month, Payment.amount_fen, Payment.status)
            )
            return sorted(((r.person_id, r.benefit, r.month, r.amount_fen, r.status) for r in rows), key=str)


FUNDED = 2_000_000
"""What `Story.funded` allocates to the district's fund."""

FACILITY_ACCOUNT = {
    "holder_name": "重庆市渝中区社会福利院",
    "account_number": "6217000010012345678",
    "bank_code": BANK,
    "reason": "the home's account for its residents' support",
}


class Story(Officers):
    """The district's officers paying months one by one: each run released, sent and credited."""

    async def funded(self, *people: UUID) -> None:
        """Each person's own account set, and `FUNDED` allocated."""
        for n, person in enumerate(people):
            put = await self.payments.client.put(
                f"/v1/payee-accounts/person/{person}", json=account(n), headers=self.caseworker
            )
            assert put.status_code == 200, put.text
        allocated = await self.post(
            f"/v1/ledger/{DISTRICT}/allocations",
            json={"amount_fen": FUNDED, "reference": f"F-{uuid4().hex[:8]}", "memo": "funds"},
        )
        assert allocated.status_code == 201, allocated.text

    async def facility_account(self, facility_id: UUID, body: dict[str, Any] = FACILITY_ACCOUNT) -> Any:
        return await self.payments.client.put(
            f"/v1/facility-accounts/{facility_id}", json=body, headers=self.preparer
        )

    async def paid(self, month: str) -> dict[str, str]:
        """The month's run (`YYYY-MM`) released on the 3rd, sent, credited on the 8th: the account number each
        month in the bank file was paid to."""
        run = await self.released(month, on=date.fromisoformat(f"{month}-03"))
        bank_file, instructions = await self.sent(run["id"])
        got = await self.payments.client.get(f"/v1/bank-files/{bank_file}", headers=self.preparer)
        await self.all_paid(bank_file, instructions, on=date.fromisoformat(f"{month}-08"))
        return {row[8]: row[4] for row in csv.reader(io.StringIO(got.content.decode())) if row[0] == "D"}

    async def balances(self) -> dict[str, int]:
        got = await self.payments.client.get(f"/v1/ledger/{DISTRICT}/balances", headers=self.preparer)
        assert got.json()["balanced"] is True
        return dict(got.json()["balances"])


_order = itertools.count()


def moment(day: date) -> datetime:
    """When eligibility recorded a decision taken on `day`: each event a little later than the one before."""
    return datetime.combine(day, time(9), BUSINESS_ZONE) + timedelta(seconds=next(_order))


def approval(people: int, *, on: date = date(2026, 12, 3)) -> CaseApproved:
    """A dibao case of `people` new beneficiaries at ¥400 each, decided `on`."""
    return case_approved([uuid4() for _ in range(people)], on=on)
