"""Monthly runs: exactly one payment per beneficiary-month however often (or however interrupted) a run is
prepared, and a run released only by a second person."""

from __future__ import annotations

import itertools
from datetime import date
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from services.payments.models import Payment
from services.payments.service import runs
from shared.auth import Principal, Role
from shared.messaging.tables import outbox
from tests.kit.eligibility import DISTRICT
from tests.kit.payments import approve, approve_another, delivered
from tests.payments.conftest import Pair, keyed, prepared

PREPARER = Principal(
    subject="fin-1", roles=frozenset({Role.finance_officer}), districts=frozenset({DISTRICT})
)


async def payments_per_beneficiary_month(pair: Pair) -> list[int]:
    async with pair.payments_db.connect() as connection:
        rows = await connection.execute(
            select(func.count())
            .select_from(Payment)
            .group_by(Payment.person_id, Payment.benefit, Payment.month)
        )
        return [int(count) for (count,) in rows]


async def test_running_a_month_twice_pays_each_beneficiary_once(pair: Pair) -> None:
    _, case_id = await approve(pair)
    await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)
    finance = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
    first = await prepared(pair, "2026-11", finance)
    assert (first["payment_count"], first["total_fen"]) == (2, 114_000)
    assert (first["entitlements_due"], first["entitlements_scanned"]) == (2, 2)
    again = await prepared(pair, "2026-11", finance)
    assert again["id"] == first["id"] and again["payment_count"] == 2
    before_start = await prepared(pair, "2026-10", finance)
    assert before_start["payment_count"] == 0  # benefits start the month after approval
    assert await payments_per_beneficiary_month(pair) == [1, 1]
    elsewhere = pair.eligibility.token("finance_officer", "500101", subject="fin-9")
    assert (
        await pair.payments.post(
            "/v1/runs", json={"district_code": DISTRICT, "month": "2026-12"}, headers=keyed(elsewhere)
        )
    ).status_code == 403


async def test_a_run_killed_half_way_resumes_without_paying_twice(pair: Pair) -> None:
    for _ in range(3):
        _, case_id = await approve_another(pair)
        await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)
    runtime = pair.payments_runtime
    scanned: list[int] = []

    def crash(entitlements: int) -> None:
        scanned.append(entitlements)
        if sum(scanned):
            raise RuntimeError("the process died after its first batch with payments in it")

    started = await runs.start_run(
        runtime.unit_of_work(), PREPARER, district_code=DISTRICT, month=date(2026, 11, 1)
    )
    assert (started.status, started.entitlements_due, started.payment_count) == ("preparing", 6, 0)
    with pytest.raises(ExceptionGroup, match="unhandled errors in a TaskGroup"):
        await runs.prepare_run(runtime.unit_of_work, started.id, batch_size=1, workers=1, progress=crash)
    half_way = await runs.read_run(runtime.unit_of_work(), PREPARER, started.id)
    assert (half_way.status, half_way.entitlements_scanned, half_way.payment_count) == ("preparing", 1, 1)

    # Two workers resume it, batch by batch, and meet no payment twice.
    await runs.prepare_run(runtime.unit_of_work, started.id, batch_size=1, workers=2)
    resumed = await runs.read_run(runtime.unit_of_work(), PREPARER, started.id)
    assert (resumed.status, resumed.entitlements_scanned, resumed.payment_count) == ("prepared", 6, 6)
    assert await payments_per_beneficiary_month(pair) == [1] * 6
    async with pair.payments_db.connect() as connection:
        with pytest.raises(IntegrityError, match="uq_payments_person_benefit_month"):
            await connection.execute(
                text(
                    "INSERT INTO payments SELECT gen_random_uuid(), run_id, entitlement_id, grant_id, case_id, person_id, "
                    "household_id, benefit, month, amount_fen, status, NULL FROM payments LIMIT 1"
                )
            )


def test_slices_cover_every_id_once() -> None:
    slices = runs.slices_of(uuid4(), 8)
    assert slices[0].after_id == UUID(int=0) and slices[-1].up_to_id == UUID(int=(1 << 128) - 1)
    assert all(a.up_to_id == b.after_id for a, b in itertools.pairwise(slices))
    assert all(s.after_id < s.up_to_id for s in slices)


async def test_the_preparer_cannot_release_the_run(pair: Pair) -> None:
    _, case_id = await approve(pair)
    await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)
    preparer = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
    checker = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-2")
    run = await prepared(pair, "2026-11", preparer)
    refused = await pair.payments.post(f"/v1/runs/{run['id']}/release", headers=keyed(preparer))
    assert refused.status_code == 403 and refused.json()["errors"][0]["rule"] == "second_person"
    async with pair.payments_db.connect() as connection:
        with pytest.raises(IntegrityError, match="released_by_a_second_person"):
            await connection.execute(text("UPDATE payment_runs SET released_by = prepared_by"))
    released = await pair.payments.post(f"/v1/runs/{run['id']}/release", headers=keyed(checker))
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert released.json()["released_by"] == "fin-2"
    assert (
        await pair.payments.post(f"/v1/runs/{run['id']}/release", headers=keyed(checker))
    ).status_code == 409
    async with pair.payments_db.connect() as connection:
        events = (await connection.execute(select(outbox.c.type, outbox.c.payload))).all()
    assert [(t, p["payment_count"], p["total_fen"]) for t, p in events] == [
        ("PaymentRunReleased", 2, 114_000)
    ]


async def test_a_standard_raised_retroactively_is_back_paid_in_the_next_run(pair: Pair) -> None:
    _, case_id = await approve(pair)
    await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)
    preparer = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
    checker = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-2")
    november = await prepared(pair, "2026-11", preparer)
    assert (
        await pair.payments.post(f"/v1/runs/{november['id']}/release", headers=keyed(checker))
    ).status_code == 200

    # The city raises the urban standard from ¥770 to ¥800, effective 1 November, announced later.
    admin = pair.eligibility.token("admin", "*", subject="admin-1")
    raise_ = {"effective_from": "2026-11-01", "parameters": {"dibao_urban_fen": 80_000}}
    assert (
        await pair.eligibility.client.post("/v1/standards", json=raise_, headers=admin)
    ).status_code == 202
    await delivered(
        pair,
        "/v1/entitlements",
        {"case_id": case_id},
        lambda rows: all(e["amounts"][-1]["total_fen"] == 60_000 for e in rows),
    )

    december = await prepared(pair, "2026-12", preparer)
    # Regular: 2 × ¥600 at the new standard; back pay for November: 2 × ¥30.
    assert (december["payment_count"], december["total_fen"]) == (4, 2 * 60_000 + 2 * 3_000)
    async with pair.payments_db.connect() as connection:
        back_pay = (
            await connection.execute(
                select(Payment.month, Payment.amount_fen).where(Payment.benefit == "back_pay")
            )
        ).all()
    assert sorted(back_pay) == [(date(2026, 11, 1), 3_000), (date(2026, 11, 1), 3_000)]
    again = await prepared(pair, "2026-12", preparer)
    assert (again["payment_count"], again["total_fen"]) == (4, 126_000)  # running it again adds nothing
